"""factory_boy factories for every model the tests build. One place, so a new field
needs one change."""

import datetime

import factory
from django.contrib.auth.models import Group

from liaison import roles
from liaison.models import District, HandlingUnit, Notification, Office, User
from members.models import Affiliation, Contribution, Member, Sector, Term

PASSWORD = "S3cure-pass-2026"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"office{n}")
    name = factory.Sequence(lambda n: f"第{n}街道政协联络处")
    street = factory.Sequence(lambda n: f"第{n}街道")
    district = factory.LazyFunction(lambda: District.objects.get_or_create(name="芙蓉区")[0])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """``UserFactory(role=roles.OFFICE_STAFF)`` puts the user in that group."""
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in (roles.OFFICE_STAFF, roles.DISTRICT_STAFF):
                self.is_staff = True
        if create:
            self.save()


def staff_user(office, **kwargs):
    return UserFactory(office=office, role=roles.OFFICE_STAFF, **kwargs)


class HandlingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandlingUnit

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"城管科{n}")
    kind = HandlingUnit.Kind.STREET_DEPARTMENT
    contact_person = "李科长"
    email = factory.Sequence(lambda n: f"unit{n}@example.cn")
    phone = "0731-84000000"


def _lookup(model, name):
    return model.objects.get_or_create(name=name)[0]


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    office = factory.SubFactory(OfficeFactory)
    name = factory.Iterator(["王芳", "李明", "张伟", "刘洋", "陈静", "杨帆", "黄德军", "曹胜阳"])
    sex = Member.Sex.FEMALE
    birth_date = datetime.date(1970, 5, 17)
    member_no = factory.Sequence(lambda n: f"FR{n:05d}")
    # Far from the fixed numbers fixtures and tests give (13900000001 …), which the
    # sequence would otherwise reach in a long-running worker.
    mobile = factory.Sequence(lambda n: f"139{50_000_000 + n:08d}")
    email = factory.Sequence(lambda n: f"member{n}@example.cn")
    term = factory.LazyFunction(lambda: Term.objects.get(is_current=True))
    sector = factory.LazyFunction(lambda: _lookup(Sector, "经济界"))
    affiliation = factory.LazyFunction(lambda: _lookup(Affiliation, "无党派人士"))
    employer = "长沙某某建材有限公司"
    position = "总经理"


def member_with_account(**kwargs) -> Member:
    """A member who can sign in to the portal (username = member number)."""
    member = MemberFactory(**kwargs)
    member.user = UserFactory(
        username=member.member_no, full_name=member.name, email=member.email, role=roles.MEMBER
    )
    member.save()
    return member


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    member = factory.SubFactory(MemberFactory)
    kind = Contribution.Kind.TAX
    year = 2026
    title = "南京大酒店区级税收"
    amount = 600000


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    channel = Notification.Channel.EMAIL
    kind = "test"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    address = "someone@example.cn"
    subject = "测试通知"
    body = "正文"


# --- Proposals ------------------------------------------------------------------------


def proposal_draft(
    *,
    member,
    cosigners=(),
    title="关于加强校园周边食品安全监管的建议",
    suggestions="建立常态化联合巡查机制。",
    **kwargs,
):
    """A draft proposal written by ``member`` through the service, as the portal does."""
    from proposals.models import ProposalCategory
    from proposals.services import proposal_create

    return proposal_create(
        actor=member.user,
        office=member.office,
        lead_member=member,
        title=title,
        reasons="校园周边流动摊贩多，食品来源不明。",
        suggestions=suggestions,
        category=ProposalCategory.objects.get(name="城市管理"),
        cosigners=list(cosigners),
        **kwargs,
    )


# --- Activities (briefings) -----------------------------------------------------------


def shanghai(year, month, day, hour=0, minute=0):
    """An aware datetime in the office's time zone (Asia/Shanghai)."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def activity_scheduled(
    *,
    office,
    actor=None,
    kind="政情通报会",
    title="2026年上半年政情通报会",
    starts_at=None,
    hours=2,
    **kwargs,
):
    """An activity scheduled through the service (筹备中), by default a briefing on
    20 March 2026 at 14:30."""
    from briefings.models import ActivityKind
    from briefings.services import activity_create

    starts_at = starts_at or shanghai(2026, 3, 20, 14, 30)
    return activity_create(
        actor=actor,
        office=office,
        kind=ActivityKind.objects.get(name=kind),
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        venue="韭菜园街道办事处三楼会议室",
        **kwargs,
    )


def activity_published(*, office, actor, members, **kwargs):
    """A scheduled activity with ``members`` invited and, for a major one, the
    committee's approval recorded; then published. Call while "now" is before it."""
    from briefings import services
    from liaison.models import today

    activity = activity_scheduled(office=office, actor=actor, **kwargs)
    if activity.is_major:
        services.activity_request_send(activity=activity, actor=actor, sent_on=today())
        services.activity_request_answer(
            activity=activity, actor=actor, outcome="approved", answered_on=today()
        )
    services.activity_invite(activity=activity, actor=actor, members=members)
    return services.activity_publish(activity=activity, actor=actor)


# --- Plans, reports and documents -----------------------------------------------------


def proposal_replied(
    *, member, staff, unit, title="关于加强校园周边食品安全监管的建议", grade="A", verdict=None
):
    """A proposal taken through the services from draft to the lead unit's reply (and
    the proposer's verdict, if given)."""
    from proposals import services

    proposal = proposal_draft(member=member, title=title)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=unit)
    services.reply_record(
        assignment=proposal.assignments.get(),
        grade=grade,
        content=f"关于《{title}》的答复：已会同有关部门落实。",
        contact_method="meeting",
        actor=staff,
    )
    if verdict:
        services.feedback_give(proposal=proposal, actor=member.user, verdict=verdict)
    proposal.refresh_from_db()
    return proposal


def plan_with_items(*, office, staff, year=2027, items=None):
    """A draft annual work plan with items (category name, description, metric, target)."""
    from plans import services
    from plans.models import PlanCategory

    plan = services.plan_create(actor=staff, office=office, year=year)
    default = [
        ("政情通报", "每半年召开一次政情通报会", "briefings", 2),
        ("提案与社情民意", "组织委员撰写提案", "proposals", 10),
        ("提案与社情民意", "报送社情民意信息", "opinion_reports", 6),
        ("走访委员", "走访慰问每位委员", "visit_coverage", 2),
        ("与党工委的联系", "向党工委汇报工作", "", None),
    ]
    for category, description, metric, target in default if items is None else items:
        services.plan_item_add(
            plan=plan,
            actor=staff,
            category=PlanCategory.objects.get(name=category),
            description=description,
            owner="联络处",
            months="3,9",
            metric=metric,
            target=target,
        )
    return plan


def activity_held(
    *,
    office,
    staff,
    attended=(),
    absent=(),
    starts_at=None,
    title="2026年上半年政情通报会",
    kind="政情通报会",
):
    """An activity published ten days ahead, attendance taken on the day, then closed
    (held): ``attended`` signed in, ``absent`` did not."""
    import time_machine

    from briefings import services

    starts_at = starts_at or shanghai(2026, 3, 20, 14, 30)
    members = [*attended, *absent]
    with time_machine.travel(starts_at - datetime.timedelta(days=10)):
        activity = activity_published(
            office=office,
            actor=staff,
            members=members,
            title=title,
            starts_at=starts_at,
            kind=kind,
        )
    with time_machine.travel(starts_at + datetime.timedelta(minutes=10)):
        for member in attended:
            services.attendance_record(
                invitation=activity.invitations.get(member=member), actor=staff
            )
    with time_machine.travel(starts_at + datetime.timedelta(hours=3)):
        services.attendance_close(activity=activity, actor=staff)
    activity.refresh_from_db()
    return activity


def refresh_planner_statistics() -> None:
    """After a bulk load, give PostgreSQL's planner statistics, as autovacuum would in
    production within a minute. Rows created inside the test's transaction otherwise
    look like empty tables and the planner picks nested loops that take seconds; the
    query-count tests measure queries, not that artefact. A no-op on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
