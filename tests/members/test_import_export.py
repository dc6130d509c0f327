"""Roster import (.xlsx, CSV in UTF-8 or GBK) and export through the admin."""

import codecs
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError
from django.urls import reverse

from liaison import roles
from members import resources
from members.formats import XLSX, AutoEncodingCSV
from members.models import Member, Sector, Term
from members.resources import MEMBER_COLUMNS, MemberResource
from tests.factories import (
    ContributionFactory,
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.levels

HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "籍贯",
    "学历",
    "委员编号",
    "届次",
    "界别",
    "政治面貌",
    "政协职务",
    "工作单位",
    "职务",
    "职称",
    "手机号码",
    "办公电话",
    "电子邮箱",
    "微信号",
    "家庭住址",
    "单位地址",
    "状态",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳明伟洋静帆军磊敏强丽华平刚桂英秀兰德胜"
IMPORT_URL = reverse("admin:members_member_import")
PROCESS_URL = reverse("admin:members_member_process_import")
CHANGELIST_URL = reverse("admin:members_member_changelist")


def roster_row(i, **overrides):
    row = {
        "姓名": SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[i % 7],
        "性别": "男" if i % 2 else "女",
        "民族": "汉族",
        "出生日期": datetime.date(1960 + i % 30, 1 + i % 12, 1 + i % 28),
        "籍贯": "湖南长沙",
        "学历": "大学本科",
        "委员编号": f"FR{i:05d}",
        "届次": "第十一届",
        "界别": "经济界",
        "政治面貌": "无党派人士",
        "政协职务": "委员",
        "工作单位": "长沙某某有限公司",
        "职务": "总经理",
        "职称": "高级经济师",
        "手机号码": 13800000000 + i,  # Excel stores digits as a number
        "办公电话": "0731-84000000",
        "电子邮箱": f"m{i}@example.cn",
        "微信号": f"wx{i}",
        "家庭住址": "长沙市芙蓉区韭菜园路1号",
        "单位地址": "长沙市芙蓉区五一大道2号",
        "状态": "在任",
    }
    row.update(overrides)
    return row


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows, headers=HEADERS) -> str:
    lines = [",".join(headers)]
    for row in rows:
        lines.append(",".join(str(row.get(h, "")) for h in headers))
    return "\r\n".join(lines) + "\r\n"


def import_file(staff_user, data: bytes, fmt=XLSX, **resource_kwargs):
    """Run an import as the admin's confirm step does (not a dry run)."""
    kwargs = {"user": staff_user, "office": staff_user.office, "show_office": False}
    kwargs.update(resource_kwargs)
    resource = MemberResource(**kwargs)
    return resource.import_data(fmt().create_dataset(data), dry_run=False, user=staff_user)


def problems(result):
    return [str(p) for p in result.problems]


def admin_preview(client, data: bytes, name="名册.xlsx", fmt="0"):
    upload = SimpleUploadedFile(name, data)
    return client.post(IMPORT_URL, {"format": fmt, "resource": "0", "import_file": upload})


def admin_confirm(client, preview_response):
    initial = preview_response.context.get("confirm_form").initial
    return client.post(PROCESS_URL, {k: initial[k] for k in initial})


# --- importing ---------------------------------------------------------------------------


def test_roster_of_500_rows_imports_through_the_admin_preview_and_confirm(
    staff_client, staff, django_assert_max_num_queries
):
    data = xlsx_bytes([roster_row(i) for i in range(500)])
    # Lookups are read once per file; only the bulk inserts grow with the file (SQLite
    # takes about 30 rows per INSERT), far from the 500+ a query per row would cost.
    with django_assert_max_num_queries(80):
        preview = admin_preview(staff_client, data)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None
    assert Member.objects.count() == 0  # the preview writes nothing
    assert "将新增 500 名委员" in preview.content.decode()

    with django_assert_max_num_queries(80):
        done = admin_confirm(staff_client, preview)
    assert done.status_code == 302
    assert Member.objects.filter(office=staff.office).count() == 500
    first = Member.objects.get(member_no="FR00001")
    assert first.mobile == "13800000001"
    assert first.sex == Member.Sex.MALE
    assert first.sector.name == "经济界"
    assert first.term.name == "第十一届"
    assert first.stroke_key  # the official order works for bulk-created members


def test_three_bad_rows_write_nothing_and_are_each_named(staff_client, staff):
    rows = [roster_row(i) for i in range(12)]
    rows[3]["界别"] = "外星界"  # sheet row 5
    rows[6]["性别"] = "未知"  # sheet row 8
    rows[10]["出生日期"] = "去年春天"  # sheet row 12

    response = admin_preview(staff_client, xlsx_bytes(rows))

    assert response.context.get("confirm_form") is None
    assert Member.objects.count() == 0
    listed = problems(response.context["result"])
    assert listed == [
        "第 5 行「界别」：找不到界别“外星界”",
        "第 8 行「性别」：“未知”不是可选的值，应为：男、女",
        "第 12 行「出生日期」：无法识别的日期“去年春天”，请写成 1970-05-17 的形式（需精确到日）",
    ]
    page = response.content.decode()
    assert "未导入任何数据" in page
    for line in listed:
        assert line in page


def test_roster_changed_between_preview_and_confirm_writes_nothing_and_says_why(
    staff_client, staff, other_office
):
    preview = admin_preview(staff_client, xlsx_bytes([roster_row(i) for i in range(5)]))
    # Meanwhile another office registers one of the member numbers.
    MemberFactory(office=other_office, member_no="FR00003")

    response = admin_confirm(staff_client, preview)

    assert response.status_code == 200
    assert Member.objects.filter(office=staff.office).count() == 0
    assert "第 5 行「委员编号」：委员编号“FR00003”已是其他联络处的委员" in response.content.decode()


def test_confirming_a_file_with_bad_rows_still_writes_nothing(staff):
    # The file may change between preview and confirm; the write itself is all or nothing.
    rows = [roster_row(i) for i in range(20)]
    rows[2]["政治面貌"] = "火星党"
    rows[9]["状态"] = "休假"
    rows[15]["手机号码"] = "12345"

    result = import_file(staff, xlsx_bytes(rows))

    assert Member.objects.count() == 0
    assert sorted({p.row for p in result.problems}) == [4, 11, 17]
    assert [p.column for p in result.problems] == ["政治面貌", "状态", "手机号码"]


def test_a_member_number_already_on_the_roster_updates_that_member(staff):
    member = MemberFactory(office=staff.office, member_no="FR00007", name="旧名字", mobile="")
    row = roster_row(7, 姓名="黄德军", 界别="医药卫生界", 手机号码="139 0000 1234")

    result = import_file(staff, xlsx_bytes([row, roster_row(8)]))

    assert not result.problems
    member.refresh_from_db()
    assert member.name == "黄德军"
    assert member.sector.name == "医药卫生界"
    assert member.mobile == "13900001234"
    assert Member.objects.count() == 2


def test_reimporting_an_unchanged_roster_changes_nothing(staff):
    data = xlsx_bytes([roster_row(i) for i in range(5)])
    import_file(staff, data)
    history_rows = Member.history.count()

    result = import_file(staff, data)

    assert result.totals["skip"] == 5
    assert Member.history.count() == history_rows


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gbk", "gb18030"],
)
def test_csv_roster_imports_whatever_its_encoding(staff, encoding):
    rows = [roster_row(i, 出生日期="1975/3/8") for i in range(3)]
    rows[0]["姓名"] = "曹胜阳"
    data = csv_text(rows).encode(encoding)

    result = import_file(staff, data, fmt=AutoEncodingCSV)

    assert not result.problems
    assert set(Member.objects.values_list("name", flat=True)) >= {"曹胜阳"}
    assert Member.objects.get(member_no="FR00000").birth_date == datetime.date(1975, 3, 8)


def test_gbk_csv_uploaded_in_the_admin_previews_in_chinese(staff_client):
    data = csv_text([roster_row(1, 姓名="石磊")]).encode("gbk")
    assert not data.startswith(codecs.BOM_UTF8)

    response = admin_preview(staff_client, data, name="名册.csv", fmt="1")

    assert response.context.get("confirm_form") is not None
    assert "石磊" in response.content.decode()


def test_row_numbers_follow_the_file_even_with_blank_lines(staff):
    text = csv_text([roster_row(1)]) + ",,,\r\n" + csv_text([roster_row(2, 界别="外星界")])
    # The second header line is itself a bad row; the blank line is skipped.
    data = text.encode("utf-8")

    result = import_file(staff, data, fmt=AutoEncodingCSV)

    assert {p.row for p in result.problems} == {4, 5}
    assert "第 5 行「界别」：找不到界别“外星界”" in problems(result)


def test_duplicates_within_the_file_and_mobiles_of_other_members_are_refused(staff):
    MemberFactory(office=staff.office, member_no="FR09999", mobile="13800000003")
    rows = [
        roster_row(1),
        roster_row(2, 委员编号="FR00001"),
        roster_row(3),  # mobile 13800000003 belongs to FR09999
        roster_row(4, 手机号码=13800000001),
    ]

    result = import_file(staff, xlsx_bytes(rows))

    assert problems(result) == [
        "第 3 行「委员编号」：与第 2 行的委员编号重复",
        "第 4 行「手机号码」：手机号码已登记在委员编号“FR09999”名下",
        "第 5 行「手机号码」：与第 2 行的手机号码重复",
    ]
    assert Member.objects.count() == 1


def test_empty_required_values_are_reported_per_column(staff):
    rows = [roster_row(1, 姓名="", 界别=None, 委员编号="")]

    result = import_file(staff, xlsx_bytes(rows))

    assert problems(result) == [
        "第 2 行「姓名」：此字段不能为空",
        "第 2 行「委员编号」：此字段不能为空",
        "第 2 行「界别」：不能为空",
    ]


def test_unknown_term_lists_the_terms_that_exist_and_blank_means_current(staff):
    rows = [roster_row(1, 届次="第九十九届"), roster_row(2, 届次="")]

    result = import_file(staff, xlsx_bytes(rows))

    assert problems(result) == [
        "第 2 行「届次」：找不到届次“第九十九届”（可填：第十一届、第十届）",
    ]
    staff_result = import_file(staff, xlsx_bytes([roster_row(2, 届次="")]))
    assert not staff_result.problems
    assert Member.objects.get().term.is_current


def test_file_without_required_columns_is_refused_as_a_whole(staff):
    headers = [h for h in HEADERS if h not in ("界别", "性别")]

    result = import_file(staff, xlsx_bytes([roster_row(1)], headers=headers))

    assert problems(result) == [
        "文件缺少必需的列：性别、界别。"
        "第 1 行应为表头，例如：姓名、性别、民族、出生日期、籍贯、学历。"
    ]
    assert Member.objects.count() == 0


def test_headers_with_spaces_and_common_variants_are_recognised(staff):
    headers = [{"手机号码": "手机", "电子邮箱": "邮箱"}.get(h, h) for h in HEADERS]
    headers[0] = " 姓 名 "
    row = roster_row(1)
    row[" 姓 名 "] = row["姓名"]
    row["手机"] = row["手机号码"]
    row["邮箱"] = row["电子邮箱"]

    result = import_file(staff, xlsx_bytes([row], headers=headers))

    assert not result.problems
    assert Member.objects.get().mobile == "13800000001"


def test_unreadable_file_is_refused_with_a_chinese_message(staff_client):
    response = admin_preview(staff_client, b"\x00\x01 not a workbook", name="名册.xlsx")

    assert "无法读取该 Excel 文件" in response.content.decode()
    assert Member.objects.count() == 0


def test_imported_members_belong_to_the_importing_staff_users_office(staff, other_office):
    import_file(staff, xlsx_bytes([roster_row(1), roster_row(2)]))

    assert set(Member.objects.values_list("office", flat=True)) == {staff.office_id}


def test_staff_cannot_overwrite_another_offices_member_by_import(staff, other_office):
    theirs = MemberFactory(office=other_office, member_no="FR00001", name="吴海")

    result = import_file(staff, xlsx_bytes([roster_row(1)]))

    assert problems(result) == [
        "第 2 行「委员编号」：委员编号“FR00001”已是其他联络处的委员，不能在这里导入"
    ]
    theirs.refresh_from_db()
    assert theirs.name == "吴海"


def test_district_staff_of_a_multi_office_install_name_the_office_per_row(
    district_staff, office, other_office
):
    kwargs = {"office": None, "show_office": True}
    without_office = import_file(district_staff, xlsx_bytes([roster_row(1)]), **kwargs)
    assert problems(without_office) == ["第 2 行「联络处」：不能为空，请填写联络处代码或名称"]

    headers = [*HEADERS, "联络处"]
    rows = [roster_row(1, 联络处="dtb"), roster_row(2, 联络处="韭菜园街道政协联络处")]
    result = import_file(district_staff, xlsx_bytes(rows, headers=headers), **kwargs)

    assert not result.problems
    assert Member.objects.get(member_no="FR00001").office == other_office
    assert Member.objects.get(member_no="FR00002").office == office

    unknown = [roster_row(3, 联络处="火星街道")]
    result = import_file(district_staff, xlsx_bytes(unknown, headers=headers), **kwargs)
    assert problems(result) == ["第 2 行「联络处」：找不到联络处“火星街道”"]


def test_import_keeps_history_with_the_importing_user(staff):
    MemberFactory(office=staff.office, member_no="FR00001", name="旧名字")

    import_file(staff, xlsx_bytes([roster_row(1), roster_row(2)]))

    updated = Member.objects.get(member_no="FR00001").history.first()
    created = Member.objects.get(member_no="FR00002").history.first()
    assert updated.history_type == "~"
    assert created.history_type == "+"
    assert updated.history_user == staff
    assert created.history_user == staff


def test_import_template_has_the_roster_headers(staff_client):
    response = staff_client.get(reverse("admin:members_member_import_template"))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == HEADERS
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_members_and_leaders_cannot_import(client, leader):
    client.force_login(leader)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- exporting ---------------------------------------------------------------------------


def exported(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_export_downloads_the_filtered_changelist_as_xlsx_with_chinese_headers(
    staff_client, staff, other_office
):
    economy = Sector.objects.get(name="经济界")
    MemberFactory(office=staff.office, name="王芳", sector=economy, member_no="A1")
    MemberFactory(office=staff.office, name="刘洋", sector=economy, member_no="A2")
    MemberFactory(office=staff.office, name="丁一", sector=Sector.objects.get(name="教育界"))
    MemberFactory(office=other_office, name="吴海", sector=economy)

    url = reverse("admin:members_member_export") + f"?sector__id__exact={economy.pk}"
    response = staff_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX().get_content_type()
    headers, rows = exported(response)
    assert list(headers) == HEADERS
    names = headers.index("姓名")
    assert sorted(r[names] for r in rows) == sorted(["王芳", "刘洋"])
    assert rows[0][headers.index("性别")] == "女"
    assert rows[0][headers.index("界别")] == "经济界"


def test_district_export_has_the_office_column(client, district_staff, office, other_office):
    MemberFactory(office=office, name="王芳")
    MemberFactory(office=other_office, name="吴海")
    client.force_login(district_staff)

    headers, rows = exported(client.get(reverse("admin:members_member_export")))

    assert headers[-1] == MEMBER_COLUMNS["office"]
    assert {r[-1] for r in rows} == {office.name, other_office.name}


def test_exported_roster_imports_back_unchanged(staff_client, staff):
    for i in range(3):
        MemberFactory(office=staff.office, member_no=f"X{i}", birth_date=datetime.date(1970, 1, 2))
    response = staff_client.get(reverse("admin:members_member_export"))

    result = import_file(staff, response.content)

    assert not result.problems
    assert result.totals["skip"] == 3


def test_contributions_export_with_chinese_headers_scoped_to_the_office(
    staff_client, staff, other_office
):
    mine = MemberFactory(office=staff.office, name="黄德军")
    ContributionFactory(member=mine, year=2025, amount=600000, title="南京大酒店区级税收")
    ContributionFactory(member=MemberFactory(office=other_office), title="别处的贡献")

    response = staff_client.get(reverse("admin:members_contribution_export"))

    headers, rows = exported(response)
    assert list(headers) == ["委员编号", "委员", "类别", "年度", "事项", "金额（元）", "说明"]
    assert len(rows) == 1
    assert rows[0][1:5] == ("黄德军", "纳税贡献", 2025, "南京大酒店区级税收")


def test_office_staff_without_add_permission_cannot_import(client, office):
    viewer = UserFactory(office=office, is_staff=True, role=roles.COMMITTEE_LEADER)
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)

    assert client.get(IMPORT_URL).status_code == 403


def test_import_page_explains_the_roster_format_in_chinese(staff_client):
    response = staff_client.get(IMPORT_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "UTF-8 或 GBK" in page
    assert "必填列：姓名、性别、委员编号、界别、政治面貌" in page
    assert reverse("admin:members_member_import_template") in page
    assert [label for _, label in response.context["form"].fields["format"].choices] == [
        "---",
        "xlsx",
        "csv",
    ]


# --- a missing optional column; database errors (issue 12, item 6) ----------------------

NO_TERM = [h for h in HEADERS if h != "届次"]


def test_gbk_roster_without_the_term_column_imports_every_row_with_the_current_term(
    staff_client, staff
):
    data = csv_text([roster_row(i) for i in range(3)], headers=NO_TERM).encode("gbk")

    preview = admin_preview(staff_client, data, name="名册.csv", fmt="1")
    assert preview.context.get("confirm_form") is not None, preview.content.decode()
    done = admin_confirm(staff_client, preview)

    assert done.status_code == 302
    assert Member.objects.count() == 3
    assert {m.term.is_current for m in Member.objects.select_related("term")} == {True}


def test_roster_without_the_term_column_keeps_an_existing_members_term(staff):
    old_term = Term.objects.get(is_current=False, name="第十届")
    MemberFactory(office=staff.office, member_no="FR00001", term=old_term)

    result = import_file(staff, xlsx_bytes([roster_row(1), roster_row(2)], headers=NO_TERM))

    assert not result.problems
    assert Member.objects.get(member_no="FR00001").term == old_term
    assert Member.objects.get(member_no="FR00002").term.is_current


def test_database_error_reaches_the_import_page_as_a_reference_number(
    staff_client, monkeypatch, caplog
):
    def fail(*args, **kwargs):
        raise IntegrityError("NOT NULL constraint failed: members_member.term_id")

    monkeypatch.setattr("members.resources.bulk_create_with_history", fail)

    response = admin_preview(staff_client, xlsx_bytes([roster_row(1)]))

    page = response.content.decode()
    assert "导入时发生系统错误" in page
    assert "constraint" not in page and "term_id" not in page
    reference = re.search(r"参考编号 (\d{8}-[0-9A-F]{6})", page)[1]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "NOT NULL constraint failed" in str(logged[0].exc_info[1])
    assert Member.objects.count() == 0


def test_database_error_on_one_row_names_the_row_with_a_reference_number(staff, monkeypatch):
    real = resources.stroke_sort_key

    def locked_for_one_name(name):
        if name == "石磊":
            raise OperationalError("database is locked")
        return real(name)

    monkeypatch.setattr("members.resources.stroke_sort_key", locked_for_one_name)

    result = import_file(staff, xlsx_bytes([roster_row(1), roster_row(2, 姓名="石磊")]))

    [problem] = problems(result)
    assert problem.startswith("第 3 行：导入时发生系统错误")
    assert "database" not in problem
    assert Member.objects.count() == 0
