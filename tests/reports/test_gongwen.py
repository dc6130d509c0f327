"""公文 (GB/T 9704-2012) measured from the PDF itself: margins, the line grid, sizes, the
版头 and 版记, "— N —" page numbers, the approval date, and the 发文字号 given on issue."""

import datetime
import io
import itertools
import os
from pathlib import Path

import pdfplumber
import pytest

from briefings import services as briefings_services
from liaison.models import District
from plans import services as plans_services
from reports import documents
from reports.models import Document
from tests.factories import activity_scheduled, plan_with_items

from .helpers import pdf_text, squash

pytestmark = pytest.mark.django_db

K = Document.Kind
DAY = datetime.date(2026, 11, 30)  # the day asked for: never printed on an adopted plan
ADOPTED = datetime.date(2026, 2, 5)
MM = 72 / 25.4
PREAMBLE = (
    "坚持以习近平新时代中国特色社会主义思想为指导，围绕街道党工委中心工作，"
    "发挥政协委员在协商议政、民主监督、参政议政中的作用，"
    "组织委员深入社区开展调研，积极反映社情民意，推动解决群众急难愁盼问题。"
)


@pytest.fixture
def adopted_plan(office, staff):
    office.district = District.objects.get_or_create(name="芙蓉区")[0]
    office.phone = "0731-84000000"
    office.save()
    plan = plan_with_items(office=office, staff=staff, year=2026)
    plan.preamble = "\n".join([PREAMBLE] * 14)
    plan.save()
    plans_services.plan_submit(plan=plan, actor=staff, submitted_on=datetime.date(2026, 1, 20))
    return plans_services.plan_adopt(plan=plan, actor=staff, adopted_on=ADOPTED)


@pytest.fixture
def request_activity(office, staff):
    activity = activity_scheduled(
        office=office, actor=staff, title="2026年上半年政情通报会", is_major=True
    )
    activity.topic = "通报街道上半年经济社会发展情况，听取委员意见建议。"
    activity.save()
    return briefings_services.activity_request_send(
        activity=activity, actor=staff, sent_on=datetime.date(2026, 3, 2)
    )


def render(kind, office, reference="", **params):
    params = documents.normalize(kind, office, params)
    return documents.render(kind, office, params, DAY, reference=reference)


def save_for_looking(name, pdf):
    directory = os.environ.get("GONGWEN_SHOTS")
    if directory:
        Path(directory, name).write_bytes(pdf.content)


def body_chars(page, size=16):
    return [c for c in page.chars if c["text"].strip() and abs(c["size"] - size) < 0.1]


def baseline(page, char) -> float:
    return page.height - char["matrix"][5]


def measure(pdf):
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        return [
            {
                "chars": [c for c in page.chars if c["text"].strip()],
                "body": body_chars(page),
                "height": page.height,
                "width": page.width,
                "baselines": sorted({round(baseline(page, c), 1) for c in body_chars(page)}),
                "first_baseline": min(baseline(page, c) for c in body_chars(page))
                if body_chars(page)
                else None,
            }
            for page in document.pages
        ]


def test_the_adopted_plan_is_laid_out_as_gongwen(adopted_plan, office):
    pdf = render(K.PLAN, office, reference="韭菜园政联〔2026〕1号", year=2026)
    save_for_looking("plan.pdf", pdf)
    pages = measure(pdf)
    assert len(pages) >= 2
    first, full = pages[0], pages[1]
    assert round(first["width"] / MM) == 210 and round(first["height"] / MM) == 297
    # 订口: every line starts 28 mm from the left edge (the 主送机关 line is not indented).
    for page in pages:
        assert abs(min(c["x0"] for c in page["body"]) / MM - 28) <= 1
    # 天头: the first line box of a full page starts 37 mm down (baseline − the CJK em
    # box's 0.88 em above it − half the leading of a 16 pt line on the 225/22 mm pitch).
    pitch = 225 * MM / 22
    top = full["first_baseline"] - 0.88 * 16 - (pitch - 16) / 2
    assert abs(top / MM - 37) <= 1
    assert abs(len(full["baselines"]) - 22) <= 1  # 22 lines on a full page
    per_line = {}
    for c in full["body"]:
        per_line[round(baseline_of(c, full), 1)] = (
            per_line.get(round(baseline_of(c, full), 1), 0) + 1
        )
    assert max(per_line.values()) == 28  # 28 characters to a full line
    sizes = {round(c["size"]) for c in first["chars"] if c["text"] in "度工作计划"}
    assert 22 in sizes  # the title in 2号
    assert {round(c["size"]) for c in full["body"]} == {16}  # the body in 3号
    text = pdf_text(pdf.content)
    flat = squash(text)
    assert "韭菜园政联〔2026〕1号" in flat
    assert "街道党工委：" in flat
    assert "2026年2月5日" in flat and "2026年11月30日" not in flat  # adopted, not asked
    assert "抄送：芙蓉区政协。" in flat and "2026年2月5日印发" in flat  # 版记
    for number in range(1, len(pages) + 1):
        assert f"— {number} —" in pdf_text(pdf.content, first=number, last=number)


def baseline_of(char, page_info):
    return page_info["height"] - char["matrix"][5]


def test_fonts_by_role_in_the_plan(adopted_plan, office):
    pdf = render(K.PLAN, office, year=2026)
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = [c for page in document.pages for c in page.chars]
    fonts = {}
    for c in chars:  # each character's first appearance: the 版头 comes first
        fonts.setdefault(c["text"], c["fontname"].split("+")[-1])
    assert fonts["韭"] == "Noto-Serif-CJK-SC-Bold"  # 版头 and title: 小标宋 (free stand-in)
    assert fonts["政"] in {"Noto-Serif-CJK-SC-Bold", "Noto-Serif-CJK-SC"}
    heading = next(
        c for c, after in itertools.pairwise(chars) if c["text"] + after["text"] == "一、"
    )
    assert "Sans" in heading["fontname"]  # 一、 in 黑体
    red = next(c for c in chars if c["text"] == "韭")
    assert red["non_stroking_color"] and red["non_stroking_color"][0] > 0.7  # the red 版头


def test_the_request_is_dated_the_day_it_was_sent(request_activity, office):
    pdf = render(
        K.REQUEST, office, reference="韭菜园政联请〔2026〕3号", activity=request_activity.pk
    )
    save_for_looking("request.pdf", pdf)
    flat = squash(pdf_text(pdf.content))
    assert "关于举办2026年上半年政情通报会的请示" in flat
    assert "韭菜园政联请〔2026〕3号" in flat
    assert "街道党工委：" in flat and "妥否，请批示。" in flat
    assert "2026年3月2日" in flat and "2026年11月30日" not in flat
    assert "— 1 —" in pdf_text(pdf.content, first=1, last=1)


def test_the_request_prints_its_signer_beside_the_number(request_activity, office):
    """请示 is 上行文: the 发文字号 one character in from the left, "签发人：name" one
    character in from the right on the same line, the name in 楷体 (GB/T 9704 7.2.4-5)."""
    office.signer_name = "王建国"
    office.save()
    pdf = render(
        K.REQUEST, office, reference="韭菜园政联请〔2026〕3号", activity=request_activity.pk
    )
    save_for_looking("request-signer.pdf", pdf)
    assert "签发人：王建国" in squash(pdf_text(pdf.content))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = document.pages[0].chars
    number = next(c for c in chars if c["text"] == "〔")
    name = next(c for c in chars if c["text"] == "国")
    label = next(c for c in chars if c["text"] == "签")
    assert abs(number["top"] - name["top"]) < 1  # one line
    first = min(c["x0"] for c in chars if abs(c["top"] - number["top"]) < 1)
    last = max(c["x1"] for c in chars if abs(c["top"] - number["top"]) < 1)
    assert abs(first / MM - (28 + 16 / MM)) <= 1  # 28 mm + one 16 pt character
    assert abs((210 - 26) - last / MM - 16 / MM) <= 1  # one character in from the right
    assert name["fontname"] != label["fontname"]  # the name in 楷体, the label in 仿宋
    word = read_docx(
        documents.render_word(
            K.REQUEST,
            office,
            {"activity": request_activity.pk},
            DAY,
            reference="韭菜园政联请〔2026〕3号",
        )
    )
    assert "韭菜园政联请〔2026〕3号\t签发人：王建国" in [p.text for p in word.paragraphs]


def test_without_a_signer_the_request_number_stays_centred(request_activity, office):
    pdf = render(
        K.REQUEST, office, reference="韭菜园政联请〔2026〕3号", activity=request_activity.pk
    )
    assert "签发人" not in squash(pdf_text(pdf.content))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = document.pages[0].chars
    top = next(c for c in chars if c["text"] == "〔")["top"]
    line = [c for c in chars if abs(c["top"] - top) < 1]
    middle = (min(c["x0"] for c in line) + max(c["x1"] for c in line)) / 2
    assert abs(middle / MM - (28 + 156 / 2)) <= 1


# --- The consultation summary ---------------------------------------------------------


@pytest.fixture
def submitted_consultation(office, staff, member, other_member):
    from consultations import services as consultations_services
    from consultations.models import Answer
    from liaison.models import today
    from tests.consultations.helpers import consultation_open, values_for

    office.district = District.objects.get_or_create(name="芙蓉区")[0]
    office.save()
    consultation = consultation_open(
        staff=staff,
        office=office,
        summary="\n".join([PREAMBLE] * 12),
        anonymous=False,
    )
    consultations_services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation, text="建议优先改造排水管网。", choice=0),
    )
    consultations_services.answer_record(
        consultation=consultation,
        actor=staff,
        values=values_for(consultation, text="请公示改造清单。", choice=1),
        source=Answer.Source.MEETING,
        speaker="陈社区主任",
    )
    consultations_services.consultation_close(consultation=consultation, actor=staff)
    consultations_services.consultation_compile(
        consultation=consultation,
        actor=staff,
        compiled_summary="委员普遍赞成改造，意见集中在排水管网和改造清单公示两方面。",
        recommendations="建议将雨污分流纳入首批改造内容。",
    )
    submitted_on = min(today(), DAY) - datetime.timedelta(days=9)
    return consultations_services.consultation_submit(
        consultation=consultation, actor=staff, submitted_on=submitted_on
    )


def test_the_consultation_summary_is_a_gongwen_dated_when_submitted(submitted_consultation, office):
    from reports.pdf import chinese_date

    submitted = submitted_consultation.submitted_on
    pdf = render(
        K.CONSULTATION,
        office,
        reference="韭菜园政联征〔2026〕2号",
        consultation=submitted_consultation.pk,
    )
    save_for_looking("consultation.pdf", pdf)
    pages = measure(pdf)
    assert len(pages) >= 2
    first, full = pages[0], pages[1]
    for page in pages:
        assert abs(min(c["x0"] for c in page["body"]) / MM - 28) <= 1
    pitch = 225 * MM / 22
    top = full["first_baseline"] - 0.88 * 16 - (pitch - 16) / 2
    assert abs(top / MM - 37) <= 1
    assert abs(len(full["baselines"]) - 22) <= 1
    assert 22 in {round(c["size"]) for c in first["chars"] if c["text"] in "征求意见情况的报告"}
    assert {round(c["size"]) for c in full["body"]} == {16}
    flat = squash(pdf_text(pdf.content))
    assert "关于《老旧小区改造实施方案（征求意见稿）》征求意见情况的报告" in flat
    assert "韭菜园政联征〔2026〕2号" in flat and "街道党工委：" in flat
    assert "一、基本情况" in flat and "二、征求意见情况" in flat and "三、主要意见" in flat
    assert "共2人" in flat and "1位委员反馈意见，反馈率50%" in flat
    assert "选择“赞成”的1人（占50%）" in flat
    assert "四、联络处建议" in flat and "建议将雨污分流纳入首批改造内容。" in flat
    # 成文日期 and 印发日期: the day it was submitted, not the day asked for.
    signature = f"附件：委员意见原文{office.name}{chinese_date(submitted)}"
    assert signature in flat and f"{office.name}{chinese_date(DAY)}" not in flat
    assert "抄送：芙蓉区政协。" in flat and f"{chinese_date(submitted)}印发" in flat
    assert "建议优先改造排水管网。（唐朝阳）" in flat  # 附件: opinions with proposers
    assert "草稿" not in flat  # compiled and submitted: nothing unfinished
    for number in range(1, len(pages) + 1):
        assert f"— {number} —" in pdf_text(pdf.content, first=number, last=number)
    word = read_docx(
        documents.render_word(
            K.CONSULTATION, office, {"consultation": submitted_consultation.pk}, DAY
        )
    )
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["一、基本情况", "二、征求意见情况", "三、主要意见", "四、联络处建议"]
    assert chinese_date(submitted) in [p.text for p in word.paragraphs]


def test_an_anonymised_consultation_summary_names_nobody(submitted_consultation, office):
    submitted_consultation.anonymous = True
    submitted_consultation.save()
    pdf = render(K.CONSULTATION, office, consultation=submitted_consultation.pk)
    flat = squash(pdf_text(pdf.content))
    assert "建议优先改造排水管网。" in flat and "请公示改造清单。" in flat
    assert "唐朝阳" not in flat and "陈社区主任" not in flat


def test_submitting_a_consultation_numbers_its_summary_with_its_own_prefix(
    office, staff, leader, member, other_member
):
    from consultations import services as consultations_services
    from liaison.models import today
    from reports import services
    from tests.consultations.helpers import consultation_open, values_for

    consultation = consultation_open(staff=staff, office=office)
    consultations_services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation),
    )
    consultations_services.consultation_close(consultation=consultation, actor=staff)
    consultations_services.consultation_compile(
        consultation=consultation,
        actor=staff,
        compiled_summary="委员赞成改造。",
        recommendations="",
    )
    services.consultation_submit(
        consultation=consultation, actor=staff, submitted_on=today(), recipients=[leader]
    )
    document = Document.objects.get(kind=K.CONSULTATION)
    assert document.reference == f"韭菜园政联征〔{today().year}〕1号"


# --- 发文字号 on issue ----------------------------------------------------------------


def _requested(office, staff, kind, **params):
    from reports import services

    return services.document_request(
        office=office, kind=kind, params=params, actor=staff, document_date=DAY
    )


def test_issuing_numbers_a_gongwen_once_and_gaplessly(
    adopted_plan, request_activity, office, staff, leader
):
    from reports import services

    plan = _requested(office, staff, K.PLAN, year=2026)
    request = _requested(office, staff, K.REQUEST, activity=request_activity.pk)
    assert plan.reference == ""  # no number until it is issued
    services.document_issue(document=plan, recipients=[leader], actor=staff)
    services.document_issue(document=plan, recipients=[leader], actor=staff)  # again
    services.document_issue(document=request, recipients=[leader], actor=staff)
    plan.refresh_from_db()
    request.refresh_from_db()
    assert plan.reference == "韭菜园政联〔2026〕1号"
    assert request.reference == "韭菜园政联请〔2026〕1号"  # its own kind, its own counter


def test_an_unfinished_document_cannot_be_issued(office, staff, leader):
    from liaison.workflow import WorkflowError
    from reports import services

    plan = plan_with_items(office=office, staff=staff, year=2026)  # a draft, not adopted
    document = _requested(office, staff, K.PLAN, year=2026, plan=plan.pk)
    with pytest.raises(WorkflowError, match="尚未定稿"):
        services.document_issue(document=document, recipients=[leader], actor=staff)
    document.refresh_from_db()
    assert not document.issues.exists() and document.reference == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_issues_at_once_get_consecutive_numbers(office, staff, leader):
    """Two connections issue two plans of one office at the same moment (PostgreSQL: the
    counter row lock; SQLite serialises whole transactions anyway)."""
    import threading

    from django.db import connection

    from reports import services

    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections: run with DATABASE_URL=postgres://…")
    first = plan_with_items(office=office, staff=staff, year=2026)
    plans_services.plan_submit(plan=first, actor=staff, submitted_on=datetime.date(2026, 1, 2))
    plans_services.plan_adopt(plan=first, actor=staff, adopted_on=ADOPTED)
    documents_ = [
        _requested(office, staff, K.PLAN, year=2026, plan=first.pk),
        Document.objects.create(
            office=office,
            kind=K.PLAN,
            title="2026年度工作计划",
            params={"year": 2026},
            document_date=DAY,
            params_hash="x" * 64,
        ),
    ]
    barrier = threading.Barrier(2)
    errors = []

    def issue(document):
        try:
            barrier.wait(timeout=10)
            services.document_issue(document=document, recipients=[leader], actor=staff)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in documents_]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    numbers = sorted(Document.objects.values_list("number_serial", flat=True))
    assert numbers == [1, 2]


# --- The Word copy ----------------------------------------------------------------------


def read_docx(content: bytes):
    import docx

    return docx.Document(io.BytesIO(content))


def test_the_word_copy_of_the_plan_has_its_title_headings_and_gongwen_page(adopted_plan, office):
    content = documents.render_word(
        K.PLAN, office, {"year": 2026}, DAY, reference="韭菜园政联〔2026〕1号"
    )
    word = read_docx(content)
    section = word.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    by_style = {}
    for paragraph in word.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["2026年度工作计划"]
    assert "一、与党工委的联系" in by_style["Heading 1"]  # the plan's first category
    texts = [p.text for p in word.paragraphs]
    assert "韭菜园政联〔2026〕1号" in texts and "街道党工委：" in texts
    assert "2026年2月5日" in texts  # 成文日期: the day it was adopted
    assert any("2026年2月5日印发" in t for t in texts)  # 版记
    assert any(PREAMBLE[:20] in t for t in texts)


def test_the_word_copy_of_a_work_report_has_its_headings(office):
    content = documents.render_word(K.WORK_REPORT, office, {"year": 2026}, DAY)
    word = read_docx(content)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、总体情况", "二、主要工作和成效"]
    level_2 = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert level_2[0] == "（一）提案工作"
    # A report from data alone: its sections say what the data says, no placeholders.
    assert "尚无报告正文" not in "".join(p.text for p in word.paragraphs)


def test_the_roster_is_landscape_in_pdf_and_word(office):
    from tests.factories import MemberFactory

    MemberFactory(office=office, name="唐朝阳")
    pdf = documents.render(K.ROSTER, office, {}, DAY)
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        page = document.pages[0]
        assert round(page.width / MM) == 297 and round(page.height / MM) == 210
    word = read_docx(documents.render_word(K.ROSTER, office, {}, DAY))
    assert round(word.sections[0].page_width.mm) == 297
    assert any("唐朝阳" in cell.text for t in word.tables for row in t.rows for cell in row.cells)


def test_the_work_report_prints_its_signer_beside_the_number(office):
    """A work report goes up to the committee (上行文, 报告): 签发人 beside the 发文字号."""
    office.signer_name = "王建国"
    office.save()
    pdf = render(K.WORK_REPORT, office, reference="韭菜园政联报〔2026〕2号", year=2026)
    assert "韭菜园政联报〔2026〕2号签发人：王建国" in squash(pdf_text(pdf.content, last=1))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = document.pages[0].chars
    number = min((c for c in chars if c["text"] == "〔"), key=lambda c: c["top"])
    name = next(c for c in chars if c["text"] == "国" and abs(c["top"] - number["top"]) < 1)
    assert name["x0"] > number["x1"]  # one line: the number left, the signer right
    word = read_docx(
        documents.render_word(
            K.WORK_REPORT, office, {"year": 2026}, DAY, reference="韭菜园政联报〔2026〕2号"
        )
    )
    assert "韭菜园政联报〔2026〕2号\t签发人：王建国" in [p.text for p in word.paragraphs]


# --- 版记 at the foot of the last page ----------------------------------------------------


def record_position(pdf):
    """Per page: the 版记's rules (top and bottom, mm from the top edge) and whether
    body text (16 pt) comes below its top rule."""
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        found = []
        for number, page in enumerate(document.pages, start=1):
            text = page.extract_text() or ""
            if "印发" not in text:
                continue
            printed = [c for c in page.chars if c["text"] == "印" and round(c["size"]) == 14]
            rules = [r for r in page.rects if r["width"] > 150 * MM and r["height"] < 2]
            rules += [r for r in page.edges if r["width"] > 150 * MM]
            tops = sorted(r["top"] / MM for r in rules)
            body = [c["bottom"] / MM for c in page.chars if abs(c["size"] - 16) < 0.1]
            found.append(
                {
                    "page": number,
                    "pages": len(document.pages),
                    "printed_bottom": max(c["bottom"] for c in printed) / MM,
                    "rule_top": tops[0],
                    "rule_bottom": tops[-1],
                    "body_below": [b for b in body if b > tops[0]],
                }
            )
        return found


@pytest.mark.parametrize("kind", ["plan", "request"])
def test_the_record_sits_at_the_foot_of_the_last_page(kind, adopted_plan, request_activity, office):
    """GB/T 9704 7.4: 版记 at the bottom of the last page — its last rule on the bottom
    edge of the type area (37 + 225 mm), however much of the page the body fills."""
    if kind == "plan":
        pdf = render(K.PLAN, office, reference="韭菜园政联〔2026〕1号", year=2026)
    else:
        pdf = render(K.REQUEST, office, activity=request_activity.pk)
    save_for_looking(f"record-{kind}.pdf", pdf)
    (record,) = record_position(pdf)  # on one page only
    assert record["page"] == record["pages"]  # the last
    assert abs(record["rule_bottom"] - (37 + 225)) <= 1
    assert 262 - record["printed_bottom"] <= 225 / 22  # 印发 on the last line
    assert record["rule_top"] > 262 - 3 * 225 / 22  # two rows of 版记, nothing more
    assert record["body_below"] == []  # the body never runs into it


def test_the_word_copy_puts_the_record_in_a_frame_at_the_foot_of_the_page(adopted_plan, office):
    from docx.oxml.ns import qn

    word = read_docx(documents.render_word(K.PLAN, office, {"year": 2026}, DAY))
    cc, printed = word.paragraphs[-2:]
    assert cc.text == "抄送：芙蓉区政协。"
    assert printed.text == "韭菜园街道政协联络处\t2026年2月5日印发"
    for paragraph in (cc, printed):
        frame = paragraph._p.pPr.find(qn("w:framePr"))
        assert frame.get(qn("w:vAnchor")) == "margin" and frame.get(qn("w:yAlign")) == "bottom"
    ppr = [child.tag.split("}")[-1] for child in printed._p.pPr]
    assert ppr.index("framePr") < ppr.index("pBdr") < ppr.index("tabs") < ppr.index("ind")
