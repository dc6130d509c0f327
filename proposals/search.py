"""Search of past proposals, public-opinion reports and replies, and the similar-proposal
list while drafting (issue 20, items 1 and 2). Both read the precomputed columns of
proposals.textindex; who may see what comes from ``visible_proposals`` /
``visible_reports`` — the admin's office scope for staff, and for a member their own, what
they co-signed and what is public.

A search term must hold at least one gram (two Chinese characters or a word of two
letters or digits); the query is capped at ``MAX_QUERY`` characters and ``MAX_TERMS``
terms, and every term is an index lookup, so no input makes the database scan."""

from __future__ import annotations

import dataclasses
import re

from django.core.cache import cache
from django.db.models import (
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from liaison.scoping import scope_queryset
from members.models import Member

from . import textindex
from .models import (
    Assignment,
    OpinionReport,
    Proposal,
    ProposalCategory,
    Reply,
)
from .selectors import COUNTED_PROPOSAL_STATUSES, own_proposal_offices

MAX_QUERY = 50
MAX_TERMS = 5
# Results a page shows (a phone's screenful or two); ``?page=`` walks on through the
# candidates, up to MAX_PAGE.
PAGE = 10

_SEPARATORS = re.compile(r"[\s\W_]+")


class SearchInputError(ValueError):
    """The search text cannot be searched; the message says why, in words."""


def parse_query(text: str) -> list[str]:
    """The terms of a search: whitespace and punctuation separate them. Refuses, with a
    message, a query that is too long, empty, punctuation only or one character."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY:
        raise SearchInputError(
            _("搜索内容过长（%(n)s个字），请只输入关键词，不超过%(max)s个字。")
            % {"n": len(text), "max": MAX_QUERY}
        )
    terms = []
    for term in _SEPARATORS.split(text.lower()):
        # A lone Chinese character is a gram of its own but matches almost everything.
        if len(term) >= 2 and textindex.grams(term) and term not in terms:
            terms.append(term)
    if not terms:
        if not text:
            raise SearchInputError(_("请输入要搜索的关键词。"))
        raise SearchInputError(_("关键词至少要有两个字（如“电梯”“停车”），标点符号不参与搜索。"))
    if len(terms) > MAX_TERMS:
        raise SearchInputError(_("关键词最多%(max)s个，请删去一些再搜索。") % {"max": MAX_TERMS})
    return terms


# --- Who may see what ---------------------------------------------------------------------


def visible_proposals(*, user=None, member: Member | None = None) -> QuerySet[Proposal]:
    """Proposals the searcher may read. Staff: their offices' proposals (district staff:
    every office) once handed in. A member: their own and co-signed ones (drafts too),
    and the registered proposals of their office that are public (issue 20, item 6)."""
    if member is not None:
        # "Public" is a condition on the row, not a list of ids: the office's public
        # proposals are most of its proposals, and a list of them would be built whole
        # (a hashed subplan of every one) for each search. The member's own are few.
        public = Q(office_id=member.office_id, status__in=COUNTED_PROPOSAL_STATUSES, is_public=True)
        own = own_proposals(member)
        # Every row the member may read is in these offices (theirs, and any office their
        # own proposals were made in before they moved): named as a list, the condition
        # lets PostgreSQL read the term's index and the office's together rather than
        # every proposal of the district newest first (40 ms → 2 ms at 13,000).
        offices = sorted({member.office_id, *own.values()})
        # Their own as the ids already read: PostgreSQL tests a list of ids as one hashed
        # array, a third cheaper than running the UNION again as a subquery.
        return Proposal.objects.filter(Q(pk__in=list(own)) | public, office_id__in=offices).exclude(
            status=Proposal.Status.WITHDRAWN, submitted_at__isnull=True
        )
    return scope_queryset(Proposal.objects.all(), user).exclude(status=Proposal.Status.DRAFT)


def visible_reports(*, user=None, member: Member | None = None) -> QuerySet[OpinionReport]:
    """Opinion reports the searcher may read: a member only their own (reports are not
    disclosed), staff their offices' reports once handed in."""
    if member is not None:
        return OpinionReport.objects.filter(member=member)
    return scope_queryset(OpinionReport.objects.all(), user).exclude(
        status=OpinionReport.Status.DRAFT
    )


def own_proposals(member: Member) -> dict[int, int]:
    """The member's own proposals (``own_proposal_ids``: led or co-signed) as
    {id: office id}, read once a request (one query) and kept on ``member``: the
    search takes the offices to read from them, and marks its results ``is_own``."""
    if not hasattr(member, "_own_proposals"):
        member._own_proposals = dict(own_proposal_offices(member))
    return member._own_proposals


def mark_own(proposals, member: Member | None) -> None:
    """Set ``is_own`` on each of ``proposals`` (read already) for ``member``."""
    if member is not None:
        own = own_proposals(member)
        for proposal in proposals:
            proposal.is_own = proposal.pk in own


def years_between(*querysets: QuerySet[Proposal], limit: int = 30) -> list[int]:
    """The year filter's choices, newest first: every year from the first to the last
    year of the proposals in ``querysets`` (the searcher's offices, their own). The ends
    are read off the (office, year) index, two rows each, where listing the distinct
    years would read every proposal: one query each, whose MIN and MAX PostgreSQL
    answers as two index reads."""
    ends = []
    for queryset in querysets:
        span = queryset.order_by().aggregate(first=Min("year"), last=Max("year"))
        ends += [y for y in (span["first"], span["last"]) if y is not None]
    if not ends:
        return []
    return list(range(max(ends), min(ends) - 1, -1))[:limit]


# How long a searcher's filter lists are kept. They change a few times a year (a unit
# added, a new year's first proposal), and reading them is three of a search page's
# queries; a unit added shows in the filter within this time.
FILTER_LISTS_SECONDS = 60


def filter_lists(key: str, *, years, units) -> dict:
    """The search form's years (``years()``), categories and ``units`` as (id, name),
    kept FILTER_LISTS_SECONDS under ``key`` (whose lists: an office's, an account's)."""
    cache_key = f"search-filter-lists:{key}"
    lists = cache.get(cache_key)
    if lists is None:
        lists = {
            "years": years(),
            "categories": list(ProposalCategory.objects.values_list("pk", "name")),
            "units": list(units.values_list("pk", "name")),
        }
        cache.set(cache_key, lists, FILTER_LISTS_SECONDS)
    return lists


# --- Search ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Filters:
    year: int | None = None
    category: int | None = None
    statuses: tuple[str, ...] = ()
    unit: int | None = None
    grade: str = ""

    @property
    def proposal_only(self) -> bool:
        """Filters that only a proposal has (a report has no category, unit or grade,
        and statuses of its own)."""
        return bool(self.category or self.unit or self.grade or self.statuses)


# How many of the newest rows holding every gram of the terms are then checked for the
# exact words. The database stops after them however many rows hold the grams, so a word
# found in nearly every proposal (社区, 建议) costs what a rare one costs; the page says
# when there are more than it shows. (Checking the exact words in the same condition
# made PostgreSQL misjudge how many rows match and read them all.)
CANDIDATE_LIMIT = 200
MAX_PAGE = CANDIDATE_LIMIT // PAGE


def _has_grams(term: str) -> Q:
    term_grams = set(textindex.grams(term))
    return textindex.has_all("text_grams", term_grams) | textindex.has_all(
        "reply_grams", term_grams
    )


def _gram_is_word(term: str) -> bool:
    """Whether holding the term's grams is holding the term itself: a term that is
    one gram (two Chinese characters, or one whole word of letters or digits), which
    the text holds only where the term stands. Longer terms are checked word for word."""
    return textindex.grams(term) == [term.lower()]


def _has_words(term: str) -> Q:
    # Chinese characters have no case: a term without letters that have one is compared
    # as it is, sparing the database an UPPER() of each candidate's texts.
    lookup = "icontains" if term.upper() != term.lower() else "contains"
    return (
        Q(**{f"title__{lookup}": term})
        | Q(**{f"reasons__{lookup}": term})
        | Q(**{f"suggestions__{lookup}": term})
        | Q(
            Exists(Reply.objects.filter(proposal_id=OuterRef("pk"), **{f"content__{lookup}": term}))
        )
    )


# What a result of the search or the similar list shows (templates/portal/search.html,
# portal/proposals/_similar.html, admin/proposals/proposal/search.html and similar.html),
# and no more: the gram columns are kilobytes a row, the proposer's roster row forty
# columns, and each column read is also one the query is built with.
SHOWN_PROPOSAL_FIELDS = (
    "office",
    "office__name",
    "office__code",
    "year",
    "number",
    "title",
    "reasons",
    "suggestions",
    "proposer_kind",
    "lead_member",
    "lead_member__name",
    "status",
    "is_public",
)
SHOWN_REPORT_FIELDS = (
    "office",
    "office__name",
    "member",
    "member__name",
    "year",
    "title",
    "situation",
    "analysis",
    "suggestion",
    "status",
)


def _as_shown(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """``proposals`` with what the result list and the similar list show of the row:
    the proposer and office (their replies: ``with_replies`` once read)."""
    return proposals.select_related("lead_member", "office").only(*SHOWN_PROPOSAL_FIELDS)


@dataclasses.dataclass(frozen=True)
class ShownReply:
    """A reply as a result shows it: the unit's name, the grade, the text."""

    unit: str
    grade: str
    content: str

    @property
    def grade_label(self) -> str:
        return str(Reply.Grade(self.grade).label)


def with_replies(proposals: list[Proposal]) -> list[Proposal]:
    """Set ``shown_replies`` on each of ``proposals`` (read already): their replies in
    order, one query of four columns, not Reply rows built as models with their
    assignment and unit for the three values a result shows."""
    by_proposal = {p.pk: [] for p in proposals}
    if by_proposal:
        rows = Reply.objects.filter(proposal_id__in=by_proposal).values_list(
            "proposal_id", "assignment__unit__name", "grade", "content"
        )
        for pk, *shown in rows.order_by("round", "pk"):
            by_proposal[pk].append(ShownReply(*shown))
    for proposal in proposals:
        proposal.shown_replies = by_proposal[proposal.pk]
    return proposals


def search_proposals(
    queryset: QuerySet[Proposal],
    terms: list[str],
    filters: Filters,
):
    """The proposals of ``queryset`` holding every term in their text or replies, newest
    first, with what the result list shows: the newest CANDIDATE_LIMIT rows holding the
    terms' grams (index lookups), then those holding the words themselves."""
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.unit:
        queryset = queryset.filter(
            Exists(
                Assignment.objects.filter(
                    proposal_id=OuterRef("pk"), unit_id=filters.unit, is_active=True
                )
            )
        )
    if filters.grade:
        queryset = queryset.filter(
            Exists(Reply.objects.filter(proposal_id=OuterRef("pk"), grade=filters.grade))
        )
    # One filter() each: every call copies the query built so far.
    queryset = queryset.filter(*(_has_grams(term) for term in terms))
    candidates = queryset.order_by("-pk").values("pk")[:CANDIDATE_LIMIT]
    words = [_has_words(term) for term in terms if not _gram_is_word(term)]
    found = Proposal.objects.filter(*words, pk__in=candidates)
    return _as_shown(found).order_by("-pk")


def search_reports(queryset: QuerySet[OpinionReport], terms: list[str], filters: Filters):
    if filters.proposal_only:
        return queryset.none()
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    for term in terms:
        queryset = queryset.filter(textindex.has_all("text_grams", textindex.grams(term)))
    candidates = queryset.order_by("-pk").values("pk")[:CANDIDATE_LIMIT]
    found = OpinionReport.objects.filter(pk__in=candidates)
    for term in terms:
        if _gram_is_word(term):
            continue
        found = found.filter(
            Q(title__icontains=term)
            | Q(situation__icontains=term)
            | Q(analysis__icontains=term)
            | Q(suggestion__icontains=term)
        )
    return found.select_related("member", "office").only(*SHOWN_REPORT_FIELDS).order_by("-pk")


def one_page(queryset, page: int = 1) -> tuple[list, bool]:
    """Page ``page`` (from 1) of PAGE rows and whether there are more: a LIMIT and
    OFFSET, never a count of every match (a common word matches thousands)."""
    size = PAGE
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return rows[:size], len(rows) > size


def page_number(value) -> int:
    """``?page=`` as a page of results: 1 unless a number from 1 to MAX_PAGE."""
    value = str(value or "")
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_PAGE else 1


# --- Highlighting ----------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern:
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with each match of a term in <mark>: the text is cut at the
    matches first and every piece escaped, so nothing the text holds becomes markup."""
    pattern = _pattern(terms)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: list[str], width: int = 60) -> SafeString | None:
    """About ``width`` characters either side of the first match, highlighted; None when
    the text holds no term."""
    match = _pattern(terms).search(text)
    if match is None:
        return None
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    piece = text[start:end].replace("\r", " ").replace("\n", " ")
    prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
    return mark_safe(prefix + highlight(piece, terms) + suffix)


def describe(proposal: Proposal, terms: list[str]) -> dict:
    """What a result shows: the highlighted 案由 and the first passage of the 理由,
    建议办法 or a reply where a term was found."""
    passages = []
    for label, text in (
        (_("理由"), proposal.reasons),
        (_("建议办法"), proposal.suggestions),
        *((_("%(u)s答复") % {"u": r.unit}, r.content) for r in proposal.shown_replies),
    ):
        found = snippet(text, terms)
        if found:
            passages.append((label, found))
    grades = sorted({r.grade for r in proposal.shown_replies})
    return {
        "object": proposal,
        "title": highlight(proposal.title, terms),
        "passages": passages[:2],
        "grades": grades,
    }


def describe_report(report: OpinionReport, terms: list[str]) -> dict:
    passages = []
    for label, text in (
        (_("基本情况"), report.situation),
        (_("问题分析"), report.analysis),
        (_("意见建议"), report.suggestion),
    ):
        found = snippet(text, terms)
        if found:
            passages.append((label, found))
    return {"object": report, "title": highlight(report.title, terms), "passages": passages[:2]}


# --- Similar proposals (item 2) -----------------------------------------------------------------

# How many proposals may be scored for one draft: candidates come from the draft's rarest
# grams until their proposals add up to this, so the work per keystroke stays the same at
# 1,000 proposals and at 100,000.
CANDIDATE_BUDGET = 400
MAX_CANDIDATE_GRAMS = 40
MIN_SCORE = 0.08
SIMILAR = 5


def similar_proposals(
    queryset: QuerySet[Proposal],
    *,
    title: str,
    suggestions: str,
    exclude: int | None = None,
    exclude_grams: str | None = None,
    own: Member | None = None,
) -> list[tuple[Proposal, float]]:
    """Up to five proposals of ``queryset`` most like a draft's 案由 and 建议办法, by
    the cosine of their TF-IDF vectors over grams, best first, with the score.
    ``exclude_grams``: the excluded proposal's ``similarity_grams`` when the caller holds
    the row already (else they are read). ``own``: a member, whose own proposals are
    marked ``is_own``."""
    terms = textindex.counts(textindex.similarity_text(title[:200], suggestions[:3000]))
    if not terms:
        return []
    df, total = textindex.frequencies(terms)
    if exclude:
        # A proposal already saved (edited, or at registration) counts in the
        # frequencies: its own grams would look rarest and fetch only itself.
        if exclude_grams is None:
            saved = Proposal.objects.filter(pk=exclude).values_list("similarity_grams", flat=True)
            exclude_grams = next(iter(saved), "")
        its_grams = textindex.stored(exclude_grams)
        df = {g: n - (g in its_grams) for g, n in df.items()}
        total -= bool(its_grams)
    known = sorted((n, g) for g, n in df.items() if n > 0)
    if not known:
        return []
    chosen, budget = [], 0
    for n, gram in known:
        if chosen and (budget + n > CANDIDATE_BUDGET or len(chosen) >= MAX_CANDIDATE_GRAMS):
            break
        chosen.append(gram)
        budget += n
    candidates = queryset.filter(textindex.has_any("similarity_grams", chosen))
    if exclude:
        candidates = candidates.exclude(pk=exclude)
    rows = candidates.order_by("-pk").values_list("pk", "similarity_grams", "similarity_norm")[
        :CANDIDATE_BUDGET
    ]
    idfs = {g: textindex.idf(df.get(g, 0), total) for g in terms}
    weights = {g: tf * idfs[g] for g, tf in terms.items()}
    draft_norm = sum(w * w for w in weights.values()) ** 0.5
    # The candidate's side of each shared gram is its IDF: stored vectors count a gram
    # once (textindex.vector_norm). Each shared gram adds weight × IDF to the dot
    # product, computed once here rather than per candidate.
    products = {g: w * idfs[g] for g, w in weights.items()}
    scored = []
    for pk, grams, norm in rows:
        if not norm:
            continue
        shared = products.keys() & grams.split()
        dot = sum(map(products.__getitem__, shared))
        score = dot / (draft_norm * norm)
        if score >= MIN_SCORE:
            scored.append((score, pk))
    scored.sort(reverse=True)
    best = dict((pk, score) for score, pk in scored[:SIMILAR])
    proposals = with_replies(list(_as_shown(Proposal.objects.filter(pk__in=best))))
    mark_own(proposals, own)
    return sorted(((p, best[p.pk]) for p in proposals), key=lambda item: -item[1])


# --- The search page, for the admin and the portal alike --------------------------------------


def _statuses(status: str, member: bool) -> tuple[str, ...]:
    """A member's status filter names what they read (办理中 is assigned or
    acknowledged): every status under the same label."""
    if not status:
        return ()
    if not member:
        return (status,)
    label = str(Proposal.MEMBER_LABELS.get(status, ""))
    return tuple(s for s, text in Proposal.MEMBER_LABELS.items() if str(text) == label)


def run_search(
    form,
    *,
    proposals: QuerySet[Proposal],
    reports: QuerySet[OpinionReport],
    member: bool = False,
    own: Member | None = None,
) -> dict:
    """What the search page shows for a bound ``SearchForm``: the error message, or the
    first page of proposals and of reports (each: rows, whether there are more)."""
    result = {"searched": False, "error": "", "proposals": [], "reports": [], "terms": []}
    result["limit"] = CANDIDATE_LIMIT
    if not form.is_bound or "q" not in form.data:
        return result
    result["searched"] = True
    if not form.is_valid():
        result["error"] = _("筛选条件有误，请重新选择。")
        return result
    data = form.cleaned_data
    try:
        terms = parse_query(data["q"])
    except SearchInputError as error:
        result["error"] = str(error)
        return result
    filters = Filters(
        year=data["year"],
        category=data["category"].pk if data["category"] else None,
        statuses=_statuses(data["status"], member),
        unit=data["unit"].pk if data["unit"] else None,
        grade=data["grade"],
    )
    result["terms"] = terms
    page = result["page"] = page_number(form.data.get("page"))
    more = full = False
    if data["kind"] != "reports":
        rows, more = one_page(search_proposals(proposals, terms, filters), page)
        with_replies(rows)
        mark_own(rows, own)
        result["proposals"] = [describe(p, terms) for p in rows]
        full = len(rows) == PAGE
    if data["kind"] != "proposals":
        rows, more_reports = one_page(search_reports(reports, terms, filters), page)
        result["reports"] = [describe_report(r, terms) for r in rows]
        more, full = more or more_reports, full or len(rows) == PAGE
    result["next_page"] = page + 1 if more and page < MAX_PAGE else None
    result["previous_page"] = page - 1 if page > 1 else None
    # The candidates end at the last page: a full last page may not be all there is.
    result["at_limit"] = full and page == MAX_PAGE
    return result
