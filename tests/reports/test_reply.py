"""Replies to the committee (复函): written in the admin, sent through the 发出 step —
their own 发文字号 (…政联函〔2026〕N号), a 公文 dated the day they went out, PDF and Word
copy, issued to the chosen leaders — measured from the PDF itself."""

import datetime
import io
import itertools

import pdfplumber
import pytest
from django.urls import reverse

from liaison.actions import STAFF, Actor
from liaison.models import District
from liaison.workflow import WorkflowError
from reports import documents, services
from reports.actions import REPLY_ACTIONS, reply_actions
from reports.admin_steps import REPLY_STEPS
from reports.models import CommitteeReply, Document

from .helpers import pdf_text, squash
from .test_gongwen import MM, read_docx, save_for_looking

pytestmark = pytest.mark.django_db

K = Document.Kind
SENT = datetime.date(2026, 11, 20)
ASKED = datetime.date(2026, 11, 30)
BODY = "\n".join(
    [
        "经联络处组织委员认真研究，现将意见答复如下。",
        "一、关于项目选择",
        "建议优先安排老旧小区加装电梯和排水管网改造，这两项委员反映最集中。",
        "（一）老旧小区加装电梯",
        "委员建议先在韭菜园社区试点，总结经验后推开。",
        "二、关于资金安排",
        "建议区、街道两级分担，并引导居民合理出资。",
    ]
)


@pytest.fixture
def reply(office, staff):
    office.district = District.objects.get_or_create(name="芙蓉区")[0]
    office.save()
    return CommitteeReply.objects.create(
        office=office,
        title="关于2027年街道民生实事项目征求意见的复函",
        incoming_title="关于征求2027年街道民生实事项目意见的函",
        incoming_reference="韭菜园街党工委函〔2026〕12号",
        incoming_on=datetime.date(2026, 11, 10),
        body=BODY,
        attachment_titles="委员意见汇总表\n民生实事项目建议清单",
        created_by=staff,
    )


def test_sending_a_reply_numbers_it_with_its_own_prefix_and_issues_it(reply, office, staff, leader):
    services.committee_reply_issue(reply=reply, actor=staff, issued_on=SENT, recipients=[leader])
    reply.refresh_from_db()
    assert reply.is_issued and reply.issued_on == SENT and reply.issued_by == staff
    document = Document.objects.get(kind=K.REPLY)
    assert document.reference == "韭菜园政联函〔2026〕1号"  # its own counter and prefix
    assert document.document_date == SENT and document.title == reply.title
    assert list(document.issues.values_list("recipient", flat=True)) == [leader.pk]
    second = CommitteeReply.objects.create(
        office=office, title="第二份复函", incoming_title="来文", body="同意。"
    )
    services.committee_reply_issue(reply=second, actor=staff, issued_on=SENT)
    assert Document.objects.get(params__reply=second.pk).reference == "韭菜园政联函〔2026〕2号"


def test_a_reply_is_laid_out_as_gongwen_and_dated_the_day_it_went_out(reply, office, staff):
    office.signer_name = "王建国"  # a 复函 is a letter, not 上行文: no 签发人
    office.save()
    services.committee_reply_issue(reply=reply, actor=staff, issued_on=SENT)
    pdf = documents.render(
        K.REPLY, office, {"reply": reply.pk}, ASKED, reference="韭菜园政联函〔2026〕1号"
    )
    save_for_looking("reply.pdf", pdf)
    flat = squash(pdf_text(pdf.content))
    assert "韭菜园政联函〔2026〕1号" in flat and "签发人" not in flat
    assert "街道党工委：" in flat
    assert (
        "《关于征求2027年街道民生实事项目意见的函》（韭菜园街党工委函〔2026〕12号）收悉。现函复如下："
        in flat
    )
    assert "特此函复。" in flat
    assert "附件：1.委员意见汇总表" in flat and "2.民生实事项目建议清单" in flat
    assert "2026年11月20日" in flat and "2026年11月30日" not in flat
    assert "抄送：芙蓉区政协。" in flat and "2026年11月20日印发" in flat
    with pdfplumber.open(io.BytesIO(pdf.content)) as opened:
        page = opened.pages[0]
        chars = page.chars
        body = [c for c in chars if c["text"].strip() and abs(c["size"] - 16) < 0.1]
        assert abs(min(c["x0"] for c in body) / MM - 28) <= 1  # 订口 28 mm
        title = [c for c in chars if c["text"] in "复函" and round(c["size"]) == 22]
        assert title  # the title in 2号
        heading = next(
            c for c, after in itertools.pairwise(chars) if c["text"] + after["text"] == "一、"
        )
        assert "Sans" in heading["fontname"]  # 一、 in 黑体
        number = min((c for c in chars if c["text"] == "〔"), key=lambda c: c["top"])
        line = [c for c in chars if abs(c["top"] - number["top"]) < 1]
        middle = (min(c["x0"] for c in line) + max(c["x1"] for c in line)) / 2
        assert abs(middle / MM - (28 + 156 / 2)) <= 2  # the number centred, alone


def test_a_reply_without_a_body_is_refused_and_nothing_changes(office, staff, leader):
    reply = CommitteeReply.objects.create(
        office=office, title="关于某事的复函", incoming_title="来文"
    )
    assert [a.name for a in reply_actions(reply, Actor.staff(staff))] == ["pdf"]
    with pytest.raises(WorkflowError, match="正文尚未填写"):
        services.committee_reply_issue(reply=reply, actor=staff, recipients=[leader])
    reply.refresh_from_db()
    assert not reply.is_issued and reply.issued_on is None
    assert not Document.objects.filter(kind=K.REPLY).exists()


def test_a_draft_reply_prints_as_a_draft_and_cannot_be_issued(reply, office, staff, leader):
    document = services.document_request(
        office=office, kind=K.REPLY, params={"reply": reply.pk}, actor=staff, document_date=ASKED
    )
    pdf = documents.render(K.REPLY, office, {"reply": reply.pk}, ASKED)
    assert "草稿" in squash(pdf_text(pdf.content, first=1, last=1))
    with pytest.raises(WorkflowError, match="复函尚未发出"):
        services.document_issue(document=document, recipients=[leader], actor=staff)


def test_a_sent_reply_can_be_sent_only_once(reply, staff):
    names = [a.name for a in reply_actions(reply, Actor.staff(staff))]
    assert names == ["issue", "pdf"]
    services.committee_reply_issue(reply=reply, actor=staff, issued_on=SENT)
    reply.refresh_from_db()
    assert reply_actions(reply, Actor.staff(staff)) == []
    with pytest.raises(WorkflowError, match="不能变更为"):
        services.committee_reply_issue(reply=reply, actor=staff)
    assert Document.objects.get(kind=K.REPLY).reference == "韭菜园政联函〔2026〕1号"


def test_every_reply_step_is_a_staff_action():
    assert set(REPLY_STEPS) == REPLY_ACTIONS.names(STAFF)


def test_the_word_copy_of_a_reply_has_its_gongwen_parts(reply, office, staff):
    services.committee_reply_issue(reply=reply, actor=staff, issued_on=SENT)
    word = read_docx(
        documents.render_word(
            K.REPLY, office, {"reply": reply.pk}, ASKED, reference="韭菜园政联函〔2026〕1号"
        )
    )
    texts = [p.text for p in word.paragraphs]
    by_style = {}
    for paragraph in word.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == [reply.title]
    assert by_style["Heading 1"] == ["一、关于项目选择", "二、关于资金安排"]
    assert by_style["Heading 2"] == ["（一）老旧小区加装电梯"]
    assert "韭菜园政联函〔2026〕1号" in texts and "街道党工委：" in texts
    assert "2026年11月20日" in texts and "特此函复。" in texts
    assert round(word.sections[0].left_margin.mm) == 28


def test_staff_write_and_send_a_reply_in_the_admin(staff_client, office, staff, leader):
    response = staff_client.post(
        reverse("admin:reports_committeereply_add"),
        {
            "title": "关于社区议事协商工作的复函",
            "incoming_title": "关于报送社区议事协商工作情况的通知",
            "incoming_reference": "",
            "incoming_on": "",
            "recipient": "街道党工委",
            "body": "一、基本情况\n今年共开展议事协商12次。",
            "attachment_titles": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reply = CommitteeReply.objects.get()
    assert reply.office == office and reply.created_by == staff
    page = staff_client.get(reverse("admin:reports_committeereply_change", args=[reply.pk]))
    assert "发出（编发文字号并生成 PDF）" in page.content.decode()


def test_a_long_title_breaks_into_balanced_lines_on_whole_words(reply, office, staff):
    """GB/T 9704 7.3.1: a title over one line is set in lines of near length, not with
    one character left alone, and each line ends on a whole word."""
    assert documents.title_lines("关于社区议事协商工作的复函") == ["关于社区议事协商工作的复函"]
    assert documents.title_lines("韭菜园街道政协联络处2026年上半年工作报告") == [
        "韭菜园街道政协联络处",
        "2026年上半年工作报告",
    ]
    services.committee_reply_issue(reply=reply, actor=staff, issued_on=SENT)
    pdf = documents.render(K.REPLY, office, {"reply": reply.pk}, ASKED)
    with pdfplumber.open(io.BytesIO(pdf.content)) as opened:
        title = [c for c in opened.pages[0].chars if round(c["size"]) == 22]
    lines = {}
    for c in title:
        lines.setdefault(round(c["top"]), []).append(c["text"])
    assert len(lines) == 2 and min(len(chars) for chars in lines.values()) >= 4
    assert "".join("".join(chars) for _top, chars in sorted(lines.items())) == reply.title
