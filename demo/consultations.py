"""Consultations (征求意见) for each office: one in each state — a draft, one open
(the sign-in member has not answered yet: a to-do on the portal's home page; an expert
invited with it, another added since and not yet invited), one
closed, one compiled, one submitted to the committee and one whose outcome was fed
back. The moves go through the services (their timelines and messages are the real
ones); the members' answers are written in bulk, as a paper return is keyed in.

Each office also gets its activity groups (活动组, with their leaders); the submitted
consultation asks two of them. The compiled one held a consultation meeting (协商议事):
three opinions recorded there flowed in, and staff marked the opinions while compiling —
adopted, merged with a like opinion, set aside with a reason."""

import datetime
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from briefings import services as briefings
from briefings.models import Activity, ActivityKind
from consultations import services
from consultations import workflows as consultation_workflows
from consultations.admin_steps import draft_summary
from consultations.models import Answer, AnswerItem, Consultation, Expert, Question, Recipient
from consultations.notifications import portal_path
from liaison.models import Notification, StatusChange, today
from liaison.transactions import use_case
from liaison.workflow import lock, refuse, transition
from members.models import ActivityGroup, Member, PointRule
from members.points import PointsLedger
from reports import services as reports

from . import bulk
from .proposals import SHOWCASE_MEMBER

S = Consultation.Status
ANSWERS_PER_CONSULTATION = 40

TOPICS = [
    (
        "老旧小区改造实施方案（征求意见稿）",
        "拟对建成于2000年以前的12个小区实施改造，涉及排水管网、外墙、加装电梯。",
    ),
    ("街道2027年民生实事项目（征求意见稿）", "拟定8件民生实事，请委员提出增减和实施顺序的意见。"),
    ("背街小巷综合整治三年行动方案", "拟用三年时间整治辖区46条背街小巷的路面、照明和停车秩序。"),
    (
        "社区嵌入式养老服务站点布局方案",
        "拟在6个社区新建嵌入式养老服务站点，请对选址和运营方式提出意见。",
    ),
    ("辖区农贸市场提质改造方案", "拟对两家农贸市场实施提质改造，改造期间设置临时摊位。"),
    ("街道垃圾分类示范片区建设方案", "拟在3个社区建设垃圾分类示范片区，推行定时定点投放。"),
]
TEXTS = [
    "建议优先改造排水管网，雨季积水问题最突出。",
    "改造前应充分听取住户意见，公示改造清单。",
    "加装电梯应照顾低层住户的合理诉求。",
    "建议引入社会资本参与，减轻财政压力。",
    "施工期间要做好交通疏导和安全防护。",
    "建议建立改造后的长效管护机制。",
]


def _staff(office):
    return get_user_model().objects.filter(office=office, is_staff=True).order_by("pk").first()


def _questions(consultation):
    Question.objects.bulk_create(
        [
            Question(consultation=consultation, position=1, text="您对方案的主要内容有何意见？"),
            Question(
                consultation=consultation, position=2, text="您对实施步骤和保障措施有何建议？"
            ),
            Question(
                consultation=consultation,
                position=3,
                kind=Question.Kind.SINGLE,
                text="您对方案总体是否赞成？",
                options="赞成\n基本赞成，建议修改\n不赞成",
            ),
        ]
    )


def _answers(consultation, rng, *, leave_out=None) -> list[Answer]:
    members = [
        member_id
        for member_id in Recipient.objects.filter(consultation=consultation).values_list(
            "member_id", flat=True
        )
        if member_id != getattr(leave_out, "pk", None)
    ]
    chosen = rng.sample(members, min(ANSWERS_PER_CONSULTATION, len(members) * 2 // 3))
    answers = Answer.objects.bulk_create(
        [
            Answer(consultation=consultation, member_id=m, source=Answer.Source.PORTAL)
            for m in chosen
        ]
    )
    questions = list(consultation.questions.all())
    items = []
    for answer in answers:
        for question in questions:
            if question.is_choice:
                items.append(
                    AnswerItem(answer=answer, question=question, choices=[rng.choice([0, 0, 1, 2])])
                )
            elif rng.random() < 0.8:
                items.append(AnswerItem(answer=answer, question=question, text=rng.choice(TEXTS)))
    AnswerItem.objects.bulk_create(items, batch_size=500)
    return answers


def _open_in_bulk(consultation, staff) -> None:
    """``services.consultation_open`` for an office other than the sign-in member's,
    with the request to every member consulted written at once (``demo.bulk``): the
    same recipients, timeline row and outbox rows, the message rendered once rather
    than per member and channel (about half a million at the city scale). The invited
    experts are e-mailed through the service (``experts_invite``, after this)."""
    with use_case():
        consultation = lock(consultation)
        refuse(consultation_workflows.open_refusal(consultation))
        members = list(services.audience_members(consultation).select_related("user"))
        Recipient.objects.bulk_create(
            [Recipient(consultation=consultation, member=m) for m in members],
            ignore_conflicts=True,
            batch_size=1000,
        )
        consultation.opened_at = timezone.now()
        consultation.recipient_count = Recipient.objects.filter(consultation=consultation).count()
        transition(
            consultation,
            workflow=services.WF,
            target=S.OPEN,
            actor=staff,
            note=_("向%(n)s位委员征求意见") % {"n": len(members)},
            update_fields=["opened_at", "recipient_count"],
        )
        bulk.insert(
            Notification,
            bulk.member_messages(
                members,
                kind="consultation_request",
                key=f"consultation-open:{consultation.pk}",
                template="consultations/request",
                context={"consultation": consultation, "office": consultation.office},
                link=portal_path(consultation),
                office=consultation.office,
            ),
        )
        services.meeting_opinions_collect(consultation)


def _feed_back_in_bulk(consultation, staff) -> None:
    """``services.consultation_feed_back`` for an office other than the sign-in
    member's: the same timeline row, points (``PointsLedger``: the rules, caps and
    closed years of ``points_award``) and messages, each message rendered once per
    outcome and channel rather than per member."""
    with use_case():
        consultation = lock(consultation)
        refuse(consultation_workflows.feed_back_refusal(consultation))
        transition(consultation, workflow=services.WF, target=S.FED_BACK, actor=staff)
        answers = list(
            consultation.answers.filter(member__isnull=False).select_related("member__user")
        )
        ledger = PointsLedger([consultation.office])
        for answer in answers:
            if answer.outcome in (Answer.Outcome.ADOPTED, Answer.Outcome.PARTLY):
                entry = ledger.award(
                    member_id=answer.member_id,
                    kind=PointRule.Kind.CONSULTATION_ADOPTED,
                    occurred_on=consultation.decided_on or today(),
                    source=answer,
                    description=_("征求意见“%(title)s”被采纳") % {"title": consultation.title},
                )
                if entry is not None:
                    entry.created_by = staff
        bulk.write_points(ledger)
        by_member = {}
        for answer in sorted(answers, key=lambda a: a.from_meeting, reverse=True):
            by_member[answer.member_id] = answer
        by_outcome = defaultdict(list)
        for answer in by_member.values():
            by_outcome[(answer.outcome, answer.outcome_note)].append(answer)
        rows = []
        for group in by_outcome.values():
            rows += bulk.member_messages(
                [answer.member for answer in group],
                kind="consultation_outcome",
                key=f"consultation-outcome:{consultation.pk}",
                template="consultations/outcome",
                context={
                    "consultation": consultation,
                    "office": consultation.office,
                    "answer": group[0],
                },
                link=portal_path(consultation),
                office=consultation.office,
            )
        bulk.insert(Notification, rows)


GROUPS = ["第一活动组（经济界）", "第二活动组（教科文卫）", "第三活动组（社会服务）"]
MEETING_OPINIONS = [
    "建议改造方案在各小区公示不少于7天，充分听取住户意见。",
    "加装电梯的费用分摊办法应提前明确，低层住户可适当少摊。",
    "施工期间建议错峰作业，避开中高考等重要时段。",
]


def _groups(office) -> list[ActivityGroup]:
    """The office's activity groups: its serving members dealt into three groups, each
    led by a member who holds the 活动组组长 role when there is one."""
    members = list(
        Member.objects.filter(office=office, status=Member.Status.SERVING).order_by("pk")
    )
    groups = []
    for position, name in enumerate(GROUPS):
        chosen = members[position :: len(GROUPS)]
        if not chosen:
            continue
        leader = next((m for m in chosen if m.role == Member.Role.GROUP_LEADER), chosen[0])
        group = ActivityGroup.objects.create(
            office=office, name=name, leader=leader, position=position
        )
        group.members.set(chosen)
        groups.append(group)
    return groups


def _meeting(office, staff, today) -> Activity:
    """The consultation meeting (协商议事) held two days ago; staff record what was
    said there (``opinion_record``)."""
    kind = ActivityKind.objects.filter(holds_consultations=True).order_by("position").first()
    starts = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=2), datetime.time(9, 30))
    )
    activity = Activity.objects.create(
        office=office,
        kind=kind,
        title="老旧小区改造协商议事会",
        topic="围绕老旧小区改造实施方案听取委员和居民代表意见",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue=f"{office.street}办事处三楼会议室",
        status=Activity.Status.HELD,
        published_at=starts - datetime.timedelta(days=7),
        attendance_closed_at=starts + datetime.timedelta(hours=3),
        created_by=staff,
    )
    return activity


def _mark(consultation, staff, rng) -> None:
    """Staff's marks while compiling: the first opinion of each text taken into the
    summary, like ones merged into it, one off the topic set aside.

    Written in one ``bulk_update``: marking one opinion at a time through
    ``opinion_mark`` is a locked, committed transaction per opinion (about 190 an
    office), the city scale's slowest part. The marks are the ones the service allows —
    merged only into an adopted head of the same consultation, a reason with the set-
    aside — and an opinion keeps no history or timeline of its marks, so the rows are
    the same as the service's."""
    M = AnswerItem.Mark
    texts = list(
        AnswerItem.objects.filter(answer__consultation=consultation)
        .exclude(text="")
        .order_by("question__position", "answer__submitted_at", "pk")
    )
    heads: dict[tuple, AnswerItem] = {}
    set_aside = False
    marked = []
    for item in texts:
        key = (item.question_id, item.text)
        head = heads.get(key)
        if head is None:
            heads[key] = item
            item.mark = M.ADOPT
        elif rng.random() < 0.5:
            item.mark, item.merged_into = M.MERGE, head
        elif not set_aside and item.question_id is not None:
            set_aside = True
            item.mark = M.SET_ASIDE
            item.set_aside_reason = "与已采入的意见重复，且不属于本方案的改造范围。"
        else:
            continue
        marked.append(item)
    AnswerItem.objects.bulk_update(
        marked, ["mark", "merged_into", "set_aside_reason"], batch_size=500
    )


def seed_consultations(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    counts = {
        "征求意见": 0,
        "委员意见": 0,
        "特邀专家": 0,
        "活动组": 0,
        "协商议事会": 0,
        "协商议事会意见": 0,
    }
    showcase = Member.objects.filter(name=SHOWCASE_MEMBER, office__in=offices).first()
    for office in offices:
        staff = _staff(office)
        if staff is None or not Member.objects.filter(office=office).exists():
            continue
        # The sign-in member's office opens its consultations through the service.
        in_bulk = showcase is None or office.pk != showcase.office_id
        groups = _groups(office)
        counts["活动组"] += len(groups)
        for position, target in enumerate(
            (S.FED_BACK, S.SUBMITTED, S.COMPILED, S.CLOSED, S.OPEN, S.DRAFT)
        ):
            title, summary = TOPICS[position]
            audience = {}
            if target == S.SUBMITTED and len(groups) >= 2:
                audience = {"audience": Consultation.Audience.GROUPS, "groups": groups[:2]}
            meeting = None
            if target == S.COMPILED:
                meeting = _meeting(office, staff, today)
                counts["协商议事会"] += 1
            consultation = services.consultation_create(
                actor=staff,
                office=office,
                title=title,
                summary=summary,
                deadline=today + datetime.timedelta(days=10),
                meeting=meeting,
                **audience,
            )
            _questions(consultation)
            counts["征求意见"] += 1
            if target == S.DRAFT:
                continue
            if target == S.OPEN:
                # An invited expert (their signed link is e-mailed as it opens) …
                Expert.objects.create(
                    consultation=consultation,
                    name="周建明",
                    organisation="市城市规划设计研究院高级规划师",
                    email=f"zhoujm.{office.code}@example.com",
                )
                counts["特邀专家"] += 1
            if in_bulk:
                _open_in_bulk(consultation, staff)
                if consultation.experts.exists():
                    services.experts_invite(consultation=consultation, actor=staff)
            else:
                services.consultation_open(consultation=consultation, actor=staff)
            if target == S.OPEN:
                # … and one added since, not yet invited (staff send the invitation).
                Expert.objects.create(
                    consultation=consultation,
                    name="林晓华",
                    organisation="某律师事务所律师",
                    email=f"linxh.{office.code}@example.com",
                )
                counts["特邀专家"] += 1
            # The sign-in member leaves the open one unanswered: their to-do.
            answers = _answers(consultation, rng, leave_out=showcase if target == S.OPEN else None)
            counts["委员意见"] += len(answers)
            if target == S.OPEN:
                continue
            if meeting is not None:
                # Recorded at the meeting: each flows into the consultation.
                speakers = [a.member for a in answers[:2]] + [None]
                for speaker, content in zip(speakers, MEETING_OPINIONS, strict=False):
                    briefings.opinion_record(
                        activity=meeting, actor=staff, member=speaker, content=content
                    )
                    counts["协商议事会意见"] += 1
            services.consultation_close(consultation=consultation, actor=staff)
            # Past consultations: their deadline lies behind them.
            Consultation.objects.filter(pk=consultation.pk).update(
                deadline=today - datetime.timedelta(days=3 * (6 - position))
            )
            if target == S.CLOSED:
                continue
            consultation.refresh_from_db()
            _mark(consultation, staff, rng)
            services.consultation_compile(
                consultation=consultation,
                actor=staff,
                compiled_summary=draft_summary(consultation),
                recommendations="建议吸纳委员关于排水管网和长效管护的意见，修改完善后印发。",
            )
            if target == S.COMPILED:
                continue
            # Through reports: the summary report is rendered, as staff submit it.
            reports.consultation_submit(consultation=consultation, actor=staff, submitted_on=today)
            outcomes = {
                a.pk: (
                    rng.choice(
                        [Answer.Outcome.ADOPTED, Answer.Outcome.PARTLY, Answer.Outcome.NOTED]
                    ),
                    "已吸收进方案修改稿。",
                )
                for a in answers
            }
            services.consultation_record_outcome(
                consultation=consultation,
                actor=staff,
                decision="方案已按委员意见修改完善，由街道党工委会议审议通过后印发。",
                decided_on=today,
                outcomes=outcomes,
            )
            if target == S.SUBMITTED:
                continue
            if in_bulk:
                _feed_back_in_bulk(consultation, staff)
            else:
                services.consultation_feed_back(consultation=consultation, actor=staff)
    return counts


def reset_consultations(*, offices) -> None:
    """Delete the consultations of ``offices`` with their timelines (before the roster:
    recipients and answers protect the members they name)."""
    ids = list(Consultation.objects.filter(office__in=offices).values_list("pk", flat=True))
    kind = ContentType.objects.get_for_model(Consultation)
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        StatusChange.objects.filter(content_type=kind, object_id__in=ids).delete()
        # Merges first: a merged opinion protects the one it points at.
        AnswerItem.objects.filter(answer__consultation__in=ids, mark=AnswerItem.Mark.MERGE).update(
            mark=AnswerItem.Mark.NONE, merged_into=None
        )
        Answer.objects.filter(consultation__in=ids).delete()
        Consultation.objects.filter(pk__in=ids).delete()
        # The meeting activities go with the briefings area's reset (after this one).
        ActivityGroup.objects.filter(office__in=offices).delete()
