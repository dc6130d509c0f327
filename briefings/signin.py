"""The per-activity sign-in QR code (签到二维码).

The code holds a link to the portal's sign-in page with a token signed with SECRET_KEY.
The token names the activity and its start time: a code for another activity is refused,
and so is one printed before the activity was rescheduled. It is valid only around the
activity (from ``sign_in_opens_minutes`` before the start to ``sign_in_closes_minutes``
after the end, per office) — the window, not the token, expires, so a code projected in
the hall keeps working through a long meeting. Who signs in is the signed-in member, and
only an invited one (services.attendance_sign_in).
"""

import datetime

import segno
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.workflow import WorkflowError

from .models import Activity, ActivityConfig
from .notifications import absolute

SALT = "briefings.sign-in.v1"


def _stamp(activity: Activity) -> int:
    return int(activity.starts_at.timestamp())


def sign_in_token(activity: Activity) -> str:
    # No timestamp in the signature: the same code for the whole activity, so it can be
    # printed on a poster as well as projected.
    return signing.Signer(salt=SALT).sign_object({"a": activity.pk, "s": _stamp(activity)})


def sign_in_url(activity: Activity) -> str:
    return absolute(reverse("portal:activity_sign_in", args=[activity.pk, sign_in_token(activity)]))


def sign_in_window(
    activity: Activity, config: ActivityConfig | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    config = config or ActivityConfig.for_office(activity.office)
    return (
        activity.starts_at - datetime.timedelta(minutes=config.sign_in_opens_minutes),
        activity.ends_at + datetime.timedelta(minutes=config.sign_in_closes_minutes),
    )


def sign_in_check(activity: Activity, token: str, *, now: datetime.datetime | None = None):
    """Raise WorkflowError with a sentence for the member unless ``token`` is this
    activity's current code and the sign-in window is open."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature as error:
        raise WorkflowError(_("二维码无效，请扫描会场展示的签到二维码。")) from error
    if payload.get("a") != activity.pk:
        raise WorkflowError(_("这是其他活动的签到二维码，不能用于本次活动签到。"))
    if payload.get("s") != _stamp(activity):
        raise WorkflowError(_("二维码已失效（活动时间已调整），请扫描会场最新的签到二维码。"))
    if activity.status not in (Activity.Status.PUBLISHED, Activity.Status.HELD):
        raise WorkflowError(_("本次活动未发布或已取消，不能签到。"))
    now = now or timezone.now()
    opens, closes = sign_in_window(activity)
    if now < opens:
        raise WorkflowError(
            _("签到尚未开始，请于 %(time)s 后扫码签到。")
            % {"time": timezone.localtime(opens).strftime("%m月%d日 %H:%M")}
        )
    if now > closes:
        raise WorkflowError(_("签到二维码已过期。如需补登出勤，请联系联络处工作人员。"))


def qr_svg(url: str) -> str:
    """The QR code as inline SVG (no style attributes, so the CSP allows it). With a
    viewBox and no fixed size, the page's CSS scales it to the projector; the border is
    the four-module quiet zone scanners need."""
    return segno.make(url, error="m").svg_inline(border=4, omitsize=True, title=_("签到二维码"))
