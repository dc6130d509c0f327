"""The documents themselves, rendered and read back with pdftotext: the right Chinese,
the right counts, page numbers on every page, and honest empty documents."""

import datetime
import io

import pytest
import time_machine

from members.models import Member, PointRule
from members.points import points_award
from plans.models import PlanConfig
from proposals import services as proposal_services
from reports import documents
from reports.models import Document
from tests.factories import (
    ContributionFactory,
    HandlingUnitFactory,
    MemberFactory,
    activity_held,
    proposal_draft,
    proposal_replied,
    shanghai,
)

from .helpers import pdf_text, row_with, squash

pytestmark = pytest.mark.django_db

K = Document.Kind
DAY = datetime.date(2026, 11, 26)


def render(kind, office, **params):
    params = documents.normalize(kind, office, params)
    pdf = documents.render(kind, office, params, DAY)
    return pdf, pdf_text(pdf.content)


def assert_page_numbers(pdf):
    for page in range(1, pdf.pages + 1):
        assert f"第 {page} 页 共 {pdf.pages} 页" in pdf_text(pdf.content, first=page, last=page)


@pytest.fixture
def replied(office, staff, member, other_member):
    unit = HandlingUnitFactory(office=office, name="韭菜园街道城管科")
    with time_machine.travel(datetime.date(2026, 4, 1)):
        first = proposal_replied(
            member=member, staff=staff, unit=unit, title="关于加强校园周边食品安全监管的建议"
        )
        second = proposal_replied(
            member=other_member,
            staff=staff,
            unit=unit,
            title="关于完善老旧小区停车管理的建议",
            grade="B",
            verdict="satisfied",
        )
        unanswered = proposal_draft(member=member, title="关于增设社区养老服务站点的建议")
        proposal_services.proposal_submit(proposal=unanswered, actor=member.user)
        proposal_services.proposal_register(proposal=unanswered, actor=staff)
        not_registered = proposal_draft(member=member, title="关于个人纠纷的意见")
        proposal_services.proposal_submit(proposal=not_registered, actor=member.user)
    return first, second, unanswered


def test_compendium_prints_registered_proposals_with_replies_and_counts(office, replied):
    pdf, text = render(K.COMPENDIUM, office, year=2026)
    flat = squash(text)
    assert "韭菜园街道政协联络处" in text
    assert "2026年度提案汇编" in flat
    assert "2026年11月26日" in flat
    assert "共立案提案3件，已答复2件" in flat
    for proposal in replied:
        assert proposal.title in flat
    assert "关于个人纠纷的意见" not in flat  # never registered
    assert "已会同有关部门落实" in flat
    assert "A类（已解决或采纳）" in flat
    assert "提案人评价：满意" in flat
    assert "目录" in text
    assert_page_numbers(pdf)


def test_compendium_for_a_year_without_proposals_is_an_honest_empty_document(office):
    pdf, text = render(K.COMPENDIUM, office, year=2030)
    assert "2030年度暂无立案提案" in squash(text)
    assert pdf.pages == 1
    assert "第 1 页 共 1 页" in text


def test_roster_is_in_official_stroke_order(office):
    for name in ["黄德军", "王芳", "丁一", "李明", "曹胜阳"]:
        MemberFactory(office=office, name=name)
    MemberFactory(office=office, name="马退休", status="term_ended")
    _, text = render(K.ROSTER, office)
    flat = squash(text)
    positions = [flat.index(name) for name in ["丁一", "王芳", "李明", "黄德军", "曹胜阳"]]
    # 丁 2 strokes, 王 4, 李 7; 黄 and 曹 11 each: 横竖竖… before 横竖折….
    assert positions == sorted(positions)
    assert "马退休" not in flat
    assert "共有在任委员5人" in flat
    assert "（按姓氏笔画为序）" in flat


def _roster_members(office):
    """Members whose fields differ in length where a column must still line up."""
    MemberFactory(
        office=office,
        name="唐朝阳",
        sex=Member.Sex.MALE,
        ethnicity="土家族",
        birth_date=datetime.date(1968, 3, 9),
        role="standing",
        employer="芙蓉区第一中学",
        position="副校长",
        mobile="13912345678",
    )
    MemberFactory(office=office, name="丁一", ethnicity="汉族", birth_date=None, mobile="")
    MemberFactory(
        office=office,
        name="阿依古丽·买买提",
        ethnicity="维吾尔族",
        birth_date=datetime.date(1971, 11, 1),
        mobile="0731-84123456",
    )


def test_roster_row_prints_every_field_of_the_member_on_one_line(office):
    """Three cells a row, the short fields set out as columns in the first: still every
    field an office files, in the order of the form."""
    _roster_members(office)
    pdf = documents.render(K.ROSTER, office, {}, datetime.date(2026, 11, 26))
    text = pdf_text(pdf.content, layout=True)
    assert "序号姓名性别民族出生年月政治面貌政协职务界别工作单位及职务联系电话" in squash(text)
    assert row_with(text, "唐朝阳") == (
        "3唐朝阳男土家族1968.03无党派人士常委经济界芙蓉区第一中学副校长13912345678"
    )


def test_roster_columns_line_up_from_row_to_row_under_their_headers(office):
    """Each of the first cell's columns starts at the same place in every row and under
    its header, whatever the lengths of the names, dates and numbers before it."""
    import pdfplumber

    _roster_members(office)
    pdf = documents.render(K.ROSTER, office, {}, datetime.date(2026, 11, 26))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        words = document.pages[0].extract_words(keep_blank_chars=False, use_text_flow=True)
    starts = {}
    for word in words:
        starts.setdefault(round(word["top"]), []).append((word["text"], round(word["x0"], 1)))

    def x_of(text):
        return next(x for line in starts.values() for t, x in line if t.startswith(text))

    for header, values in [
        ("民族", ["土家族", "汉族", "维吾尔族"]),
        ("政治面貌", ["无党派人士"]),
        ("界别", ["经济界"]),
    ]:
        assert {x_of(value) for value in values} == {x_of(header)}, header
    rows = [line for line in starts.values() if line[0][0] in ("1", "2", "3")]
    assert len(rows) == 3
    # 政治面貌 follows the birth date: a missing date or a longer name moves nothing.
    affiliation = {x for line in rows for t, x in line if t in ("无党派人士", "中国共产党")}
    assert len(affiliation) == 1


def test_the_word_copy_of_the_roster_has_a_column_for_each_field(office):
    import docx

    _roster_members(office)
    content = documents.render_word(K.ROSTER, office, {}, datetime.date(2026, 11, 26))
    table = docx.Document(io.BytesIO(content)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [
        "序号", "姓名", "性别", "民族", "出生年月", "政治面貌", "政协职务", "界别",
        "工作单位及职务", "联系电话",
    ]  # fmt: skip
    assert rows[1][:5] == ["1", "丁一", "女", "汉族", ""]  # no birth date: an empty column
    assert rows[3] == [
        "3", "唐朝阳", "男", "土家族", "1968.03", "无党派人士", "常委", "经济界",
        "芙蓉区第一中学副校长", "13912345678",
    ]  # fmt: skip


def test_roster_of_an_office_without_members_says_so(office):
    pdf, text = render(K.ROSTER, office)
    assert "暂无在任委员" in squash(text)
    assert pdf.pages == 1


def _award(member, kind, times, day=datetime.date(2026, 5, 1)):
    for _ in range(times):
        points_award(member=member, kind=kind, occurred_on=day)


def test_ranking_grades_by_points_and_yearly_minimums(office, staff, member, other_member):
    PlanConfig.objects.create(office=office, grade_excellent=70, grade_competent=40)
    weak = MemberFactory(office=office, name="李明", mobile="")
    for month in (3, 5, 9):
        activity_held(
            office=office,
            staff=staff,
            attended=[member, other_member],
            absent=[weak],
            starts_at=shanghai(2026, month, 20, 14, 30),
            title=f"2026年{month}月委员活动",
        )
    # 唐朝阳: a registered proposal (15), a report, 3 activities (15), 3 key (45): 75.
    proposal = proposal_draft(member=member)
    proposal_services.proposal_submit(proposal=proposal, actor=member.user)
    proposal_services.proposal_register(proposal=proposal, actor=staff)
    report = proposal_services.opinion_report_create(
        actor=member.user,
        office=office,
        title="关于夜市噪音的反映",
        situation="情况",
        suggestion="建议",
        member=member,
    )
    proposal_services.opinion_report_move(report=report, actor=member.user, target="submitted")
    proposal_services.opinion_report_move(report=report, actor=staff, target="edited")
    _award(member, PointRule.Kind.PROPOSAL_KEY, 3)
    # 黄德军: as many points, but no proposal and no report: 称职 at most.
    _award(other_member, PointRule.Kind.SPEECH, 4)
    _award(other_member, PointRule.Kind.RESEARCH, 4)
    _award(other_member, PointRule.Kind.CONTRIBUTION, 4)  # capped at 20 each: 60 + 15

    # While the year is open: points and progress, no grade anywhere.
    pdf, text = render(K.RANKING, office, year=2026)
    flat = squash(text)
    assert "2026年度委员履职积分排名" in flat
    assert "考核尚未结束" in flat and "已达到全部最低要求1人" in flat
    assert "优秀" not in flat and "不称职" not in flat
    table = pdf_text(pdf.content, layout=True)
    assert row_with(table, "唐朝阳").endswith(
        "11300—已达到"
    )  # proposals, reports, activities, speeches, study
    assert row_with(table, "黄德军").endswith("00300提案（件）、社情民意信息（篇）未达到")

    close_year(office, staff)
    pdf, text = render(K.RANKING, office, year=2026)
    assert "等次分布：优秀1人，称职1人，不称职1人" in squash(text)
    table = pdf_text(pdf.content, layout=True)
    assert row_with(table, "唐朝阳").startswith("1唐朝阳经济界75")
    assert row_with(table, "唐朝阳").endswith(
        "11300—优秀"
    )  # proposals, reports, activities, speeches, study
    assert row_with(table, "黄德军").startswith("1黄德军经济界75")
    assert row_with(table, "黄德军").endswith("00300提案（件）、社情民意信息（篇）称职")
    # 李明: three unexcused absences, −2 each; the ranking names what he missed.
    assert row_with(table, "李明").startswith("3李明经济界-6")
    li_ming = squash(text.split("李明", 1)[1])
    # (The cell wraps; the layout text may put other columns inside 参加活动.)
    assert "提案（件）、社情民意信息（篇）、" in li_ming and "活动（次）；积分低于40分" in li_ming
    assert "不称职" in li_ming


def close_year(office, staff, year=2026):
    from reports import services as report_services

    duty_year = report_services.duty_year_open(office=office, year=year)
    report_services.duty_year_close(duty_year=duty_year, actor=staff)


def test_a_merely_submitted_opinion_report_does_not_count_towards_the_minimum(
    office, staff, member
):
    from reports import duty

    report = proposal_services.opinion_report_create(
        actor=member.user,
        office=office,
        title="关于路灯的反映",
        situation="情况",
        suggestion="建议",
        member=member,
    )
    proposal_services.opinion_report_move(report=report, actor=member.user, target="submitted")
    assert duty.standing_for(member, [2026]).opinion_reports == 0
    proposal_services.opinion_report_move(report=report, actor=staff, target="edited")
    assert duty.standing_for(member, [2026]).opinion_reports == 1


def test_ranking_asked_for_again_after_closing_is_a_new_document(office, staff):
    from reports import services as report_services

    before = report_services.document_request(office=office, kind=K.RANKING, params={"year": 2026})
    again = report_services.document_request(office=office, kind=K.RANKING, params={"year": 2026})
    assert again.pk == before.pk
    close_year(office, staff)
    after = report_services.document_request(office=office, kind=K.RANKING, params={"year": 2026})
    assert after.pk != before.pk


def test_duty_record_for_a_year_lists_the_members_work_and_points(office, member, replied):
    ContributionFactory(member=member, year=2026, title="南京大酒店区级税收", amount=1200000)
    pdf, text = render(K.DUTY_RECORD, office, member=member.pk, year=2026)
    flat = squash(text)
    assert "唐朝阳委员2026年度履职档案" in flat
    assert "关于加强校园周边食品安全监管的建议" in flat
    assert "南京大酒店区级税收" in flat
    assert "提案立案（领衔）" in flat
    assert_page_numbers(pdf)


def test_duty_record_for_another_offices_member_is_refused(office, other_office):
    stranger = MemberFactory(office=other_office)
    with pytest.raises(documents.DocumentParamsError):
        documents.normalize(K.DUTY_RECORD, office, {"member": stranger.pk, "year": 2026})


def test_a_graded_ranking_and_duty_record_carry_the_day_the_grades_were_given(
    office, staff, member
):
    """Dated the day the year was closed (the grades given), not the day asked for."""
    with time_machine.travel(shanghai(2026, 12, 28, 10)):
        close_year(office, staff)
    _pdf, text = render(K.RANKING, office, year=2026)
    assert "2026年12月28日" in squash(text) and "2026年11月26日" not in squash(text)
    _pdf, text = render(K.DUTY_RECORD, office, member=member.pk, year=2026)
    assert "2026年12月28日" in squash(text) and "2026年11月26日" not in squash(text)
    _pdf, text = render(K.RANKING, office, year=2025)  # not closed: the day asked for
    assert "2026年11月26日" in squash(text)
