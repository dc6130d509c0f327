"""bench/RESULTS.md is written from a run's JSON: every page with its figures at both
sizes, and for a page that grows with the data, why — its own HTML growing (more rows
listed) or a reason listed in bench.pages.REASONS."""

from bench import pages, tables


def _row(route, *, bytes_1x, bytes_10x, scaling, persona="office_staff"):
    row = {
        "key": route,
        "route": route,
        "name": route,
        "persona": persona,
        "kind": "admin",
        "url": f"/{route}",
        "queries_1x": 9,
        "queries_10x": 9,
        "bytes_1x": bytes_1x,
        "bytes_10x": bytes_10x,
        "target": 20,
        "p50_ms": 80.0,
        "ratio_p50": 6.0,
        "scaling_p50": scaling,
        "problems": ["10× 未达标"] if scaling > pages.SCALING_TARGET else [],
    }
    return row


def _report(rows):
    return {"results": {"pages": {"rows": rows, "skipped": [], "excluded": [], "unfilled": []}}}


def test_a_page_that_grew_with_its_rows_says_so_and_one_that_did_not_is_left_unexplained(
    monkeypatch,
):
    grown = _row("admin/members/member/", bytes_1x=20 * 1024, bytes_10x=60 * 1024, scaling=1.4)
    slow = _row("admin/briefings/activity/", bytes_1x=30 * 1024, bytes_10x=31 * 1024, scaling=1.5)
    flat = _row("admin/plans/workplan/", bytes_1x=30 * 1024, bytes_10x=30 * 1024, scaling=1.02)
    text = tables.every_page(_report([grown, slow, flat]))
    lines = {line.split("`")[1]: line for line in text.splitlines() if line.startswith("| `")}

    assert "3.0× larger at 10× (20 → 60 KiB: more rows shown)" in lines["admin/members/member/"]
    assert "| 20 / 60 |" in lines["admin/members/member/"]
    assert lines["admin/briefings/activity/"].endswith("10×/1× over 1.2 |")
    assert lines["admin/plans/workplan/"].endswith("|  |")

    monkeypatch.setitem(pages.REASONS, "admin/briefings/activity/", "counts every invitee")
    text = tables.every_page(_report([slow]))
    assert "10×/1× over 1.2 — counts every invitee |" in text
    assert pages.growth_reason(slow) == "counts every invitee"


def _result(rows):
    return {
        "database": "PostgreSQL",
        "scale": "district",
        "members_1x": 5000,
        "members_10x": 50000,
        "rows": rows,
        "skipped": [],
        "excluded": [],
        "unfilled": [],
    }


def test_the_run_fails_on_a_growth_it_cannot_explain_and_lists_one_it_can():
    grown = _row("admin/members/member/", bytes_1x=20 * 1024, bytes_10x=60 * 1024, scaling=1.4)
    grown["reason"] = pages.growth_reason(grown)
    slow = _row("admin/briefings/activity/", bytes_1x=30 * 1024, bytes_10x=31 * 1024, scaling=1.5)
    slow["reason"] = pages.growth_reason(slow)
    lines = []

    assert pages.print_table(_result([grown]), log=lines.append) is True
    assert "页面本身大了 3.0 倍（20 → 60 KiB）" in "\n".join(lines)
    assert pages.print_table(_result([grown, slow]), log=lines.append) is False


def test_a_page_slower_than_its_html_grew_is_not_explained_by_it():
    row = _row("admin/members/member/", bytes_1x=20 * 1024, bytes_10x=30 * 1024, scaling=2.0)
    assert pages.growth_reason(row) == ""
    assert tables.every_page(_report([row])).count("larger at 10×") == 0


def test_a_list_whose_matches_grew_says_how_many_it_counted():
    row = _row("admin/members/pointentry/", bytes_1x=60 * 1024, bytes_10x=61 * 1024, scaling=2.3)
    row.update(matches_1x=312, matches_10x=3120, rows_1x=100, rows_10x=100, count_bound_10x=1000)

    reason = pages.growth_reason(row)
    assert "312 → 3,120 行，页面计数至多读到 1,001 行；显示 100 → 100 行" in reason
    assert "grow with the data (312 → 3,120, the page counting up to 1,001" in tables.every_page(
        _report([row])
    )


def test_compare_keeps_each_list_page_timings_and_matches():
    def measured(matches, size):
        page = {"key": "office_staff admin/x/", "route": "admin/x/", "name": "admin:x"}
        page.update(persona="office_staff", kind="admin", url="/admin/x/", queries=9)
        page.update(bytes=size, samples=[9], matches=matches, rows=100, count_bound=1000)
        return {"measured": [page]}

    def timing(ms):
        return {
            "office_staff admin/x/": {
                "p50_ms": ms,
                "ping_p50_ms": 10.0,
                "ratio_p50": ms / 10,
                "ratio_rounds": [ms / 10] * 3,
                "page_round_p50_ms": [ms] * 3,
                "errors": 0,
            }
        }

    (row,) = pages.compare(measured(312, 40_000), measured(1001, 41_000), timing(50), timing(60))

    assert (row["ratio_p50"], row["scaling_p50"]) == (5.0, 1.2)
    assert (row["matches_1x"], row["matches_10x"], row["rows_10x"]) == (312, 1001, 100)
    assert row["problems"] == []


def test_a_later_run_replaces_the_pages_it_timed_again_and_says_so():
    slow = _row("admin/briefings/activity/", bytes_1x=30 * 1024, bytes_10x=31 * 1024, scaling=1.5)
    flat = _row("admin/plans/workplan/", bytes_1x=30 * 1024, bytes_10x=30 * 1024, scaling=1.02)
    fixed = {**slow, "scaling_p50": 1.05, "problems": []}
    first, again = _report([slow, flat]), _report([fixed])

    rows = tables.merged(first, [again])["results"]["pages"]["rows"]

    assert [(r["route"], r["scaling_p50"], r.get("again")) for r in rows] == [
        ("admin/briefings/activity/", 1.05, 1),
        ("admin/plans/workplan/", 1.02, None),
    ]
    assert first["results"]["pages"]["rows"][0]["scaling_p50"] == 1.5  # not changed
    assert "`admin/briefings/activity/` ↻1 |" in tables.every_page(tables.merged(first, [again]))


def test_a_page_a_later_run_found_closed_leaves_the_table_with_its_reason():
    closed = _row("admin/auth/group/<path:object_id>/delete/", bytes_1x=1, bytes_10x=1, scaling=1.9)
    again = _report([])
    again["results"]["pages"]["skipped"] = [{"route": closed["route"], "reason": "403"}]

    merged = tables.merged(_report([closed]), [again])["results"]["pages"]

    assert merged["rows"] == []
    assert merged["skipped"] == [{"route": closed["route"], "reason": "↻1: 403"}]
