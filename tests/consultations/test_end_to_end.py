"""Issue 18's "Done when", walked as a new user would: staff open a consultation on the
street's draft plan for old-residential-area renovation in the admin (two free-text
questions, one single-choice item, audience two 界别 plus one outside expert); members
answer on their phones in the portal, one only after the outbox reminded them; the
expert answers through the signed link; the 协商议事 meeting adds three opinions; staff
mark and compile them, the summary PDF lists them by theme with counts; the committee's
decision is recorded with two opinions adopted; each answering member sees in the
portal what became of their opinion, and the adopted ones carry points."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from briefings import services as briefings
from consultations.admin_steps import draft_summary
from consultations.expert_links import expert_link_token
from consultations.models import Answer, AnswerItem, Consultation
from consultations.tasks import consultation_reminders
from liaison.models import Notification
from members.models import PointEntry, Sector
from reports import documents
from reports.models import Document, DocumentIssue
from tests.factories import activity_published, member_with_account
from tests.reports.helpers import pdf_text, squash

pytestmark = [pytest.mark.django_db]
S = Consultation.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PORTAL = Notification.Channel.PORTAL


def _at(day: int, hour: int = 9) -> datetime.datetime:
    """A moment in June 2026 (Monday 1 June to Saturday 13 June), Beijing time."""
    return datetime.datetime(2026, 6, day, hour, tzinfo=SHANGHAI)


def _management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_consultation_from_the_draft_plan_to_the_members_feedback(staff, leader, office):
    economy = Sector.objects.get_or_create(name="经济界")[0]
    education = Sector.objects.get_or_create(name="教育界")[0]
    arts = Sector.objects.get_or_create(name="文艺界")[0]
    tang = member_with_account(office=office, name="唐朝阳", sector=economy, mobile="13900000001")
    huang = member_with_account(
        office=office, name="黄德军", sector=education, mobile="13900000002"
    )
    li = member_with_account(office=office, name="李晓梅", sector=education, mobile="13900000003")
    painter = member_with_account(office=office, name="王画家", sector=arts, mobile="13900000004")
    admin = _logged_in(staff)

    with time_machine.travel(_at(1), tick=False) as traveller:
        # --- Staff open the consultation in the admin, with its meeting. ---------------
        meeting = activity_published(
            office=office,
            actor=staff,
            members=[tang, huang, li],
            kind="协商议事",
            title="老旧小区改造协商议事会",
            starts_at=_at(5, 14),
        )
        form = {
            "title": "韭菜园街道老旧小区改造实施方案（征求意见稿）",
            "requested_by": "街道党工委",
            "summary": "街道拟对建成于2000年以前的12个小区实施改造，现征求委员意见。",
            "meeting": str(meeting.pk),
            "audience": "sectors",
            "sectors": [str(economy.pk), str(education.pk)],
            "deadline": "2026-06-12",
            "reminder_working_days": "2",
            **_management("questions", 3),
            "questions-0-position": "1",
            "questions-0-kind": "text",
            "questions-0-text": "您对改造范围有何意见？",
            "questions-0-required": "on",
            "questions-1-position": "2",
            "questions-1-kind": "text",
            "questions-1-text": "您对资金筹措有何建议？",
            "questions-1-required": "on",
            "questions-2-position": "3",
            "questions-2-kind": "single",
            "questions-2-text": "是否赞成加装电梯？",
            "questions-2-options": "赞成\n不赞成\n视情况而定",
            "questions-2-required": "on",
            **_management("documents"),
            **_management("experts", 1),
            "experts-0-name": "周规划",
            "experts-0-organisation": "市规划设计院",
            "experts-0-email": "zhou@example.cn",
        }
        response = admin.post(reverse("admin:consultations_consultation_add"), form)
        assert response.status_code == 302, response.context["adminform"].errors
        consultation = Consultation.objects.get()
        assert consultation.status == S.DRAFT and consultation.office == office

        def step(name):
            return reverse("admin:consultations_consultation_step", args=[consultation.pk, name])

        assert admin.post(step("open"), {"note": ""}).status_code == 302
        consultation.refresh_from_db()
        assert consultation.status == S.OPEN
        # The two sectors are asked; the artist is not; the expert gets a link by e-mail.
        assert set(consultation.recipients.values_list("member__name", flat=True)) == {
            "唐朝阳",
            "黄德军",
            "李晓梅",
        }
        assert not Notification.objects.filter(recipient=painter.user).exists()
        invitation = Notification.objects.get(kind="consultation_expert_invitation")
        assert invitation.address == "zhou@example.cn"
        expert = consultation.experts.get()
        link = f"/units/consultations/{expert_link_token(expert)}/"
        assert link in invitation.body
        questions = list(consultation.questions.order_by("position"))
        scope, funds, lift = questions

        def data(scope_text, funds_text, choice):
            return {
                f"q{scope.pk}": scope_text,
                f"q{funds.pk}": funds_text,
                f"q{lift.pk}": str(choice),
            }

        # --- 唐朝阳 answers on the first day on the portal. -----------------------------
        phone = _logged_in(tang.user)
        home = phone.get(reverse("portal:dashboard"))
        assert "consult" in [t.kind for t in home.context["todos"]]
        detail = reverse("portal:consultation_detail", args=[consultation.pk])
        response = phone.post(
            detail, data("建议优先改造排水管网，实施雨污分流。", "建议引入社会资本参与。", 0)
        )
        assert response.status_code == 302

        # --- The expert answers through the link. --------------------------------------
        outsider = Client()
        assert consultation.title in outsider.get(link).text
        response = outsider.post(
            link, data("建议统筹考虑消防通道和停车位。", "可申请中央财政补助资金。", 2)
        )
        assert response.status_code == 302

        # --- The 协商议事 meeting adds three opinions. ---------------------------------
        traveller.move_to(_at(5, 16))
        briefings.opinion_record(
            activity=meeting, actor=staff, member=li, content="建议分批施工，减少扰民。"
        )
        briefings.opinion_record(
            activity=meeting, actor=staff, content="居民代表：希望公示资金使用情况。"
        )
        briefings.opinion_record(
            activity=meeting, actor=staff, content="物业代表：改造后请明确长效管理责任。"
        )
        assert consultation.answers.filter(source=Answer.Source.ACTIVITY).count() == 3

        # --- The beat task reminds those who have not answered, two working days out. --
        assert consultation_reminders(now=_at(9).isoformat())["reminders"] == 0
        queued = consultation_reminders(now=_at(10).isoformat())
        assert queued["reminders"] >= 2
        reminded = set(
            Notification.objects.filter(kind="consultation_reminder", channel=PORTAL).values_list(
                "recipient__username", flat=True
            )
        )
        assert reminded == {huang.user.username, li.user.username}

        # --- 黄德军 answers after the reminder, on his phone. --------------------------
        traveller.move_to(_at(10, 20))
        phone = _logged_in(huang.user)
        response = phone.post(
            detail, data("建议将背街小巷一并纳入改造范围。", "建议居民按受益程度适当出资。", 1)
        )
        assert response.status_code == 302
        assert consultation_reminders(now=_at(12).isoformat())["last_calls"] >= 1
        assert not Notification.objects.filter(
            recipient=huang.user, kind="consultation_last_call"
        ).exists()
        assert Notification.objects.filter(
            recipient=li.user, kind="consultation_last_call", channel=PORTAL
        ).exists()

        # --- The day after the deadline the sweep closes collection. -------------------
        assert consultation_reminders(now=_at(13).isoformat())["closed"] == 1
        consultation.refresh_from_db()
        assert consultation.status == S.CLOSED

        # --- Staff compile: counts, marks, summary. -------------------------------------
        traveller.move_to(_at(15))
        compile_url = reverse(
            "admin:consultations_consultation_compilation", args=[consultation.pk]
        )
        page = admin.get(compile_url)
        assert "共征求3位委员，2位已反馈意见（反馈率67%）" in page.text
        c = page.context["c"]
        choice = next(s for s in c.questions if s.question.pk == lift.pk)
        assert [(o.label, o.count) for o in choice.options] == [
            ("赞成", 1),
            ("不赞成", 1),
            ("视情况而定", 1),
        ]
        items = AnswerItem.objects.filter(answer__consultation=consultation)
        drains = items.get(text__startswith="建议优先改造排水管网")
        alleys = items.get(text__startswith="建议将背街小巷")
        fire = items.get(text__startswith="建议统筹考虑消防通道")
        property_ = items.get(text__startswith="物业代表")
        for mark in (
            {"item": drains.pk, "mark": "adopt"},
            {"item": alleys.pk, "mark": "adopt"},
            {"item": fire.pk, "mark": "merge", "merged_into": drains.pk},
            {"item": property_.pk, "mark": "set_aside", "reason": "不属于本次改造范围。"},
        ):
            response = admin.post(step("mark"), {**mark, "next": compile_url})
            assert response.status_code == 302, response.text
        summary = draft_summary(Consultation.objects.get(pk=consultation.pk))
        assert "收到2位委员的意见（反馈率67%）" in summary
        assert "协商议事会上收集意见3条" in summary
        response = admin.post(
            step("compile"),
            {
                "compiled_summary": summary,
                "recommendations": "建议将雨污分流和背街小巷纳入首批改造内容。",
            },
        )
        assert response.status_code == 302
        response = admin.post(
            step("submit"),
            {"submitted_on": "2026-06-15", "recipients": [leader.pk], "note": ""},
        )
        assert response.status_code == 302
        consultation.refresh_from_db()
        assert consultation.status == S.SUBMITTED
        document = Document.objects.get(kind=Document.Kind.CONSULTATION)
        assert DocumentIssue.objects.filter(document=document, recipient=leader).exists()

        # --- The summary PDF: by theme (question), with counts and proposers. -----------
        text = squash(
            pdf_text(
                documents.render(
                    Document.Kind.CONSULTATION, office, document.params, datetime.date(2026, 6, 15)
                ).content
            )
        )
        assert "共3人" in text and "2位委员反馈意见，反馈率67%" in text
        for label in ("赞成", "不赞成", "视情况而定"):
            assert f"选择“{label}”的1人（占" in text
        for theme in ("您对改造范围有何意见？", "您对资金筹措有何建议？", "协商议事会上的意见"):
            assert theme in text
        assert "建议优先改造排水管网，实施雨污分流。（唐朝阳）" in text
        assert "同类意见：建议统筹考虑消防通道和停车位。（周规划（市规划设计院））" in text
        assert "建议将背街小巷一并纳入改造范围。（黄德军）" in text
        assert "建议分批施工，减少扰民。" in text and "居民代表：希望公示资金使用情况。" in text
        assert "物业代表" not in text
        assert "建议将雨污分流和背街小巷纳入首批改造内容。" in text

        # --- The committee's decision, two opinions adopted, fed back. ------------------
        traveller.move_to(_at(22))
        answers = {a.author: a for a in consultation.answers.all()}
        outcomes = {
            "唐朝阳": ("adopted", "雨污分流已写入方案第三条。"),
            "黄德军": ("adopted", "背街小巷已列入首批改造清单。"),
            "李晓梅": ("noted", "分批施工将在施工组织设计中考虑。"),
            "周规划（市规划设计院）": ("noted", "消防通道将在施工设计中统筹考虑。"),
        }
        outcome = {"decision": "方案修改后印发，增加雨污分流和背街小巷内容。"}
        outcome["decided_on"] = "2026-06-22"
        for author, answer in answers.items():
            kind, note = outcomes.get(author, ("noted", ""))
            outcome[f"outcome_{answer.pk}"] = kind
            outcome[f"note_{answer.pk}"] = note
        assert admin.post(step("outcome"), outcome).status_code == 302
        assert admin.post(step("feed_back"), {"note": ""}).status_code == 302
        consultation.refresh_from_db()
        assert consultation.status == S.FED_BACK

        # --- Each answering member sees what became of their opinion. -------------------
        for who, words in (
            (tang, "雨污分流已写入方案第三条。"),
            (huang, "背街小巷已列入首批改造清单。"),
        ):
            told = Notification.objects.get(
                kind="consultation_outcome", recipient=who.user, channel=PORTAL
            )
            assert f"已被采纳：{words}" in told.body
            page = _logged_in(who.user).get(detail)
            assert page.context["show_outcome"]
            assert "采纳" in page.text and words in page.text
        # 李晓梅 spoke at the meeting only; she is told too.
        told = Notification.objects.get(
            kind="consultation_outcome", recipient=li.user, channel=PORTAL
        )
        assert "已留作参考：分批施工将在施工组织设计中考虑。" in told.body
        assert not Notification.objects.filter(
            kind="consultation_outcome", recipient=painter.user
        ).exists()

    # --- The two adopted opinions carry points; the noted ones none. ------------------------
    assert sorted(
        PointEntry.objects.filter(kind="consultation_adopted").values_list("member__name", "points")
    ) == [("唐朝阳", 3), ("黄德军", 3)]
