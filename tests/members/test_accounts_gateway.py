"""Issue 13 end to end through a real gateway SDK: staff import a GBK roster with 开通账号
ticked, every member with a mobile gets the activation invitation through the Alibaba
backend (the real SDK, against the local stand-in of its API), and a member activates
the account with the link and the SMS code the gateway carried."""

import pytest
from django.urls import reverse

from liaison.models import Notification
from liaison.outbox import deliver_pending
from members.models import Member, VerificationCode
from members.verification import verification_code_send
from tests.liaison.test_sms_gateways import TEMPLATES, alibaba, noon  # noqa: F401 (fixtures)
from tests.members.test_accounts_admin import admin_preview_with_accounts
from tests.members.test_import_export import HEADERS, admin_confirm, csv_text, roster_row

pytestmark = pytest.mark.django_db

GATEWAY_TEMPLATES = {
    **TEMPLATES,
    "account-invitation": {"code": "SMS_400", "params": ["name", "code", "url"]},
    "verification-code": {"code": "SMS_401", "params": ["code"]},
}


def test_imported_members_are_invited_through_the_gateway_and_one_activates(
    staff_client,
    client,
    alibaba,  # noqa: F811 (the fixture imported above)
    noon,  # noqa: F811
    settings,
):
    settings.SMS_TEMPLATES = GATEWAY_TEMPLATES
    rows = [roster_row(i) for i in range(20)]
    rows[3]["手机号码"] = ""  # no phone: staff print a letter for this one
    preview = admin_preview_with_accounts(
        staff_client, csv_text(rows, headers=HEADERS).encode("gbk")
    )
    admin_confirm(staff_client, preview)

    deliver_pending()

    invitations = [m for m in alibaba.received if m["template"] == "SMS_400"]
    assert len(invitations) == 19
    assert all(m["sign"] == "韭菜园联络处" for m in invitations)
    sent = Notification.objects.filter(kind="account-invitation", channel="sms")
    assert sent.filter(status=Notification.Status.SENT).count() == 19
    assert all(row.gateway_message_id for row in sent)

    # One member opens the link and confirms the code the gateway carried.
    first = invitations[0]
    member = Member.objects.get(mobile=first["phone"])
    url = first["params"]["url"]
    assert client.get("/" + url.split("/", 3)[3]).status_code == 302
    client.post(reverse("portal:activate"), {"mobile": member.mobile, "send": "1"})
    for pk in VerificationCode.objects.filter(code_hash="").values_list("pk", flat=True):
        verification_code_send(code_id=pk)
    code = [m for m in alibaba.received if m["template"] == "SMS_401"][-1]["params"]["code"]
    done = client.post(
        reverse("portal:activate"),
        {
            "code": code,
            "new_password1": "Furong-river-2027",
            "new_password2": "Furong-river-2027",
            "activate": "1",
        },
    )

    assert done.status_code == 302 and done.url == reverse("portal:dashboard")
    member.user.refresh_from_db()
    assert member.user.is_active and member.user.check_password("Furong-river-2027")
