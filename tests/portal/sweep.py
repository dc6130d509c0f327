"""What the browser sweep checks on every portal page, and which pages it visits.

The pages come from the portal's URLconf, filled in with the member's own records, so a
page added later is swept too (or the sweep fails, naming the page it cannot fill)."""

from django.urls import URLPattern, get_resolver, reverse

from briefings.selectors import member_invitations
from consultations.selectors import member_consultations
from members.selectors import member_study_materials
from proposals.models import OpinionReport, Proposal
from proposals.selectors import member_opinion_reports, member_proposals, member_research_reports
from visits.selectors import member_concerns, member_visits

# Pages that are not a signed-in member's page to look at: posts, sign-in, sign-out
# and account activation, the password reset's steps (reached from an e-mail or a text
# message), a file download (an activity's material, a consultation's draft, a study
# material) and the sign-in code a member scans at the door, and the similar-proposal
# list the proposal form loads into itself (a fragment; the form's page is swept), and
# the co-signer picker's search (JSON the proposal form asks for).
NOT_PAGES = {
    "proposal_similar",
    "proposal_cosigner_pick",
    "login",
    "logout",
    "sms_login",
    "activate",
    "activate_code",
    "sms_password_reset",
    "sms_password_reset_set",
    "notification_read",
    "notifications_read_all",
    "large_text",
    "proposal_cosign",
    "activity_material",
    "activity_sign_in",
    "consultation_document",
    "study_file",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


# The pages before signing in (the password reset's later steps need a token or a code).
SIGNED_OUT = ["login", "sms_login", "activate", "password_reset", "sms_password_reset"]


def signed_out_pages() -> list[str]:
    return [reverse(f"portal:{name}") for name in SIGNED_OUT]


def _first(queryset):
    record = queryset.order_by("pk").first()
    assert record is not None, f"the member has no {queryset.model.__name__}"
    return record.pk


def _record_ids(member) -> dict:
    """The member's own record for each page that takes an id."""
    proposals = member_proposals(member)
    reports = member_opinion_reports(member)
    return {
        "proposal_detail": lambda: _first(proposals),
        "proposal_edit": lambda: _first(proposals.filter(status=Proposal.Status.DRAFT)),
        "opinion_detail": lambda: _first(reports),
        "opinion_edit": lambda: _first(reports.filter(status=OpinionReport.Status.DRAFT)),
        "research_detail": lambda: _first(member_research_reports(member)),
        "visit_detail": lambda: _first(member_visits(member)),
        "concern_detail": lambda: _first(member_concerns(member)),
        "activity_detail": lambda: member_invitations(member).order_by("pk")[0].activity_id,
        "consultation_detail": lambda: _first(member_consultations(member)),
        "study_detail": lambda: _first(member_study_materials(member)),
    }


def member_pages(member) -> list[str]:
    """Every page of the portal a member reads, with ``member``'s own ids."""
    ids = _record_ids(member)
    pages = []
    for pattern in get_resolver("portal.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        name = pattern.name
        if name in NOT_PAGES or pattern.default_args or "<str:name>" in str(pattern.pattern):
            continue
        if pattern.pattern.converters:
            assert name in ids, f"the sweep does not know which record to open for {name}"
            pages.append(reverse(f"portal:{name}", args=[ids[name]()]))
        else:
            pages.append(reverse(f"portal:{name}"))
    return pages


# Visible links, buttons and form controls smaller than min×min CSS px. A radio button
# or checkbox counts with its label (tapping either picks it), a visually hidden
# element not at all.
SMALL_TARGETS = """(min) => {
  const seen = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length && style.visibility !== 'hidden'
      && !el.closest('.visually-hidden') && style.clip !== 'rect(0px, 0px, 0px, 0px)';
  };
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      target = el.closest('label, .form-check') || el;
    }
    const box = target.getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      const text = (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '');
      seen.push(`${el.tagName.toLowerCase()} "${text.trim().slice(0, 20)}" `
        + `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return seen;
}"""

# How far the page scrolls sideways (0 when it fits the screen).
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Text on the page written smaller than ``min`` px.
SMALL_TEXT = """(min) => {
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.getClientRects().length) continue;
    if (el.closest('.visually-hidden, script, style')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const text = node.textContent.trim().slice(0, 20);
    if (size < min - 0.1) seen.add(`${el.tagName.toLowerCase()} "${text}" ${size}px`);
  }
  return [...seen];
}"""

# A date written the Chinese way (2026年6月6日, 6月6日, 2026年6月) in the page's own
# words; text marked as Chinese (messages, written once in Chinese) does not count.
CHINESE_DATES = r"""() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[lang^=zh], script, style').forEach((el) => el.remove());
  return copy.textContent.match(/\d{1,4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日/g) || [];
}"""
