"""The per-activity sign-in QR code (签到二维码).

The code holds a link to the portal's sign-in page with a token signed with SECRET_KEY.
The token names the activity and its start time: a code for another activity is refused,
and so is one printed before the activity was rescheduled. It is valid only around the
activity (from ``sign_in_opens_minutes`` before the start to ``sign_in_closes_minutes``
after the end, per office) — the window, not the token, expires, so a code projected in
the hall keeps working through a long meeting. Who signs in is the signed-in member, and
only an invited one (workflows.sign_in_refusal, checked by services.attendance_sign_in).
"""

import datetime

import segno
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

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


def token_refusal(activity: Activity, token: str) -> str | None:
    """Why ``token`` is not this activity's current code (None: it is). Whether the
    member may sign in now is workflows.sign_in_refusal."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return _("二维码无效，请扫描会场展示的签到二维码。")
    if payload.get("a") != activity.pk:
        return _("这是其他活动的签到二维码，不能用于本次活动签到。")
    if payload.get("s") != _stamp(activity):
        return _("二维码已失效（活动时间已调整），请扫描会场最新的签到二维码。")
    return None


def qr_svg(url: str, *, title: str | None = None) -> str:
    """The QR code as inline SVG (no style attributes, so the CSP allows it). With a
    viewBox and no fixed size, the page's CSS scales it to the projector; the border is
    the four-module quiet zone scanners need."""
    return segno.make(url, error="m").svg_inline(
        border=4, omitsize=True, title=title or _("签到二维码")
    )
