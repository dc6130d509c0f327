"""Activation letters (激活信): one A4 page per member who cannot be reached by SMS, with
the QR code of the activation link, the code to type, and how to go on
(members/accounts.py makes the invitations)."""

from django.utils import timezone

from briefings.signin import qr_svg
from liaison.models import today
from members.accounts import activation_url, format_code

from .pdf import chinese_date, render_pdf

TEMPLATE = "reports/activation_letters.html"


def activation_letters_pdf(letters, office) -> bytes:
    """``letters``: (invitation, code) pairs from members.accounts.member_account_letters."""
    pages = []
    for invitation, code in letters:
        url = activation_url(code)
        pages.append(
            {
                "member": invitation.member,
                "office": invitation.member.office,
                "url": url,
                "qr": qr_svg(url, title="激活二维码"),
                "code": format_code(code),
                "expires_text": chinese_date(timezone.localdate(invitation.expires_at)),
            }
        )
    context = {"pages": pages, "office": office, "date_text": chinese_date(today())}
    _html, rendered = render_pdf(TEMPLATE, context, estimated_pages=len(pages))
    return rendered.content
