"""Input limits (issue 12, item 7), tried through HTTP as a member, staff or a handling
unit would: overlong free text, line breaks in one-line fields and dates outside
1900–2100 are refused with a message and change nothing; odd query parameters fall back
to the default instead of a 500."""

import contextlib
import datetime
import importlib

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core import mail
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

from liaison import limits
from liaison.models import Notification
from liaison.unit_links import unit_link_token
from tests.factories import HandlingUnitFactory
from visits import services
from visits.models import Concern, LifeEvent

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PROJECT_APPS = ("liaison", "members", "proposals", "briefings", "visits", "plans", "reports")


@pytest.fixture(autouse=True)
def _spring_2026():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        yield


# --- Free text ------------------------------------------------------------------------


def test_a_concern_of_300_750_characters_is_refused_in_the_portal(member_client):
    response = member_client.post(
        reverse("portal:concern_create"), {"title": "噪音扰民", "content": "很吵。" * 100_250}
    )
    assert response.status_code == 200
    assert "10000" in response.text or "10,000" in response.text
    assert not Concern.objects.exists()


def test_an_overlong_unit_progress_report_is_refused(client, staff, member, office):
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    concern = services.concern_create(
        actor=staff,
        office=office,
        member=member,
        title="占道经营",
        content="菜市场门口占道经营。",
        source=Concern.Source.VISIT,
    )
    concern = services.concern_assign(concern=concern, actor=staff, unit=unit)
    url = f"/units/concerns/{unit_link_token(concern)}/"
    client.post(url, {"action": "acknowledge"})
    response = client.post(url, {"action": "progress", "progress": "进" * (limits.TEXT + 1)})
    assert response.status_code in (200, 400)
    assert Concern.objects.get(pk=concern.pk).progress == ""


def test_an_overlong_note_is_refused_by_the_model_too(member):
    event = LifeEvent(
        office=member.office,
        member=member,
        kind="birthday",
        occurred_on=datetime.date(2026, 3, 6),
        description="长" * (limits.TEXT + 1),
    )
    with pytest.raises(Exception, match="10000"):
        event.full_clean(exclude=["visit", "reported_by"])


# --- One line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["噪音扰民\r\nBcc: x@evil.example", "噪音\n扰民", "噪音\u2028扰民"]
)
def test_a_title_with_a_line_break_is_refused_and_nobody_is_mailed(member_client, staff, title):
    mail.outbox.clear()
    response = member_client.post(
        reverse("portal:concern_create"), {"title": title, "content": "夜间施工。"}
    )
    assert response.status_code == 200
    assert "不能换行" in response.text
    assert not Concern.objects.exists()
    assert not Notification.objects.exists() and not mail.outbox


def test_a_title_with_a_line_break_is_refused_in_the_admin(staff_client, staff, member):
    response = staff_client.post(
        reverse("admin:visits_concern_add"),
        {
            "office": member.office.pk,
            "member": member.pk,
            "source": Concern.Source.VISIT,
            "title": "占道经营\r\nBcc: x@evil.example",
            "content": "菜市场门口。",
        },
    )
    assert response.status_code == 200
    assert "不能换行" in response.text
    assert not Concern.objects.exists()


def test_a_proposal_title_with_a_line_break_is_refused(member_client):
    response = member_client.post(
        reverse("portal:proposal_create"),
        {"title": "关于\r\nBcc: x@evil.example", "reasons": "理由", "suggestions": "建议"},
    )
    assert response.status_code == 200
    assert "不能换行" in response.text


# --- Dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "2101-01-01"])
def test_a_life_event_outside_1900_to_2100_is_refused_in_the_portal(member_client, day):
    response = member_client.post(
        reverse("portal:life_event_create"),
        {"kind": "hospitalised", "occurred_on": day, "place": "省人民医院"},
    )
    assert response.status_code == 200
    assert "1900" in response.text and "2100" in response.text
    assert not LifeEvent.objects.exists()


def test_a_life_event_in_year_9999_is_refused_in_the_admin(staff_client, member):
    response = staff_client.post(
        reverse("admin:visits_lifeevent_add"),
        {"member": member.pk, "kind": "birthday", "occurred_on": "9999-12-31"},
    )
    assert response.status_code == 200
    assert not LifeEvent.objects.exists()


@pytest.mark.parametrize("month", ["9999-12", "0-1", "2026-13", "1899-12", "x", "2026-1-1"])
def test_the_portal_calendar_ignores_a_month_it_cannot_show(member_client, month):
    response = member_client.get(reverse("portal:activity_calendar"), {"month": month})
    assert response.status_code == 200
    assert "2026" in response.text


@pytest.mark.parametrize("period", ["9999-12", "9999-Q4", "0-01", "2026-Q9"])
def test_the_concern_digest_ignores_a_period_it_cannot_show(staff_client, period):
    response = staff_client.get(reverse("admin:visits_concern_digest"), {"period": period})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/visits/concern/?year=9999",
        "/admin/visits/concern/?year=99999999999",
        "/admin/proposals/proposal/?year=9999",
        "/admin/briefings/activity/?year=9999",
        "/admin/briefings/activity/?year=9999-1",
        "/admin/plans/workplan/?year=99999999999",
    ],
)
def test_changelist_year_filters_ignore_years_outside_1900_to_2100(staff_client, url):
    response = staff_client.get(url, follow=True)
    assert response.status_code == 200


# --- Everywhere -----------------------------------------------------------------------

# Written by the system, never typed by a person.
SYSTEM_FIELDS = {
    "liaison.Notification": {
        "address",
        "kind",
        "dedupe_key",
        "subject",
        "body",
        "link",
        "last_error",
        "claim_token",
    },
    "liaison.StatusChange": {"from_status", "to_status", "actor_label"},
    "reports.Document": {"params_hash", "checksum", "error"},
    "members.VerificationCode": {"code_hash"},
    "members.AccountInvitation": {"code_hash"},
}


def _project_fields():
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            skip = SYSTEM_FIELDS.get(model._meta.label, set())
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False) and field.editable and field.name not in skip:
                    yield model, field


def test_every_free_text_field_of_every_model_has_a_limit_checked_by_the_model():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in _project_fields()
        if isinstance(field, models.TextField)
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert missing == []


def test_every_one_line_text_field_refuses_line_breaks():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in _project_fields()
        if type(field) is models.CharField
        and not field.choices
        and limits.single_line not in field.validators
        and not (
            model._meta.label == "liaison.User"
            and field.name in {"username", "password", "first_name", "last_name"}
        )
    ]
    assert missing == []


def test_every_date_field_refuses_dates_outside_1900_to_2100():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in _project_fields()
        if type(field) is models.DateField and limits.plausible_date not in field.validators
    ]
    assert missing == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_hand_written_form_takes_the_shared_limits():
    for module in (
        "portal.forms",
        "portal.briefings",
        "portal.proposals",
        "portal.visits",
        "visits.forms",
        "proposals.forms",
        "reports.admin",
        "reports.admin_views",
    ):
        importlib.import_module(module)
    for app in PROJECT_APPS:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{app}.admin_steps")
    ours = [
        form
        for form in _subclasses(forms.Form)
        if form.__module__.split(".")[0] in (*PROJECT_APPS, "portal")
        and not issubclass(form, forms.ModelForm)
    ]
    # Django's own sign-in and password forms bring their limits with them.
    from django.contrib.auth import forms as auth_forms

    auth = tuple(
        c for c in vars(auth_forms).values() if isinstance(c, type) and issubclass(c, forms.Form)
    )
    unlimited = [
        f"{form.__module__}.{form.__qualname__}"
        for form in ours
        if not issubclass(form, limits.LimitedForm) and not issubclass(form, auth)
    ]
    assert len(ours) > 30
    assert unlimited == []
