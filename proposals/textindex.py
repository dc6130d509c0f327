"""The precomputed text representation behind proposal search and the similar-proposal
list (issue 20, items 1 and 2).

Chinese has no spaces between words, so the text is cut into overlapping pairs of
characters (bigrams: 老旧小区 → 老旧 旧小 小区); runs of Latin letters and digits are kept
whole (5g, wifi). Each proposal keeps, in columns of its own row:

- ``text_grams``: the distinct grams of 案由, 理由 and 建议办法, space-separated;
- ``reply_grams``: the distinct grams of its replies' text;
- ``similarity_grams`` and ``similarity_norm``: the grams of 案由 and 建议办法 — what a
  member writes while drafting — and the length of their TF-IDF vector.

On PostgreSQL the migration ``proposals.0007_search_and_followup`` indexes
``string_to_array(<column>, ' ')`` (GIN), so "has every gram of the term" and "shares
one of these grams" are index lookups whatever the table's size: the same approach as the
roster search (members.selectors.search_members), with pairs instead of single characters
because a proposal's text holds most common characters. pg_trgm is no use here: it
extracts no trigram from a one- or two-character term. SQLite finds the same rows with
``LIKE '% gram %'`` (scanned; development and tests only).

``GramFrequency`` counts, per gram, the proposals whose similarity grams hold it (the
document frequency of TF-IDF): it picks the rarest grams of a draft to fetch candidates
and weighs the shared grams when scoring them.

The columns are refreshed by the post_save handlers in ``proposals.signals`` — every write
path (services, admin, imports, factories) goes through ``save()``; bulk writes call
``index_proposals`` themselves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains as ArrayContains
from django.contrib.postgres.lookups import Overlap
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value

# Runs of CJK ideographs, and runs of Latin letters / digits.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")
MAX_WORD = 20


def grams(text: str) -> list[str]:
    """The grams of ``text`` in order, repeats kept (term frequencies count them)."""
    text = (text or "").lower()
    out: list[str] = []
    for run in _CJK.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    out.extend(word[:MAX_WORD] for word in _WORD.findall(text) if len(word) >= 2)
    return out


def gram_column(values: Iterable[str]) -> str:
    """Distinct grams as stored: space-separated, with a space at each end so that
    ``LIKE '% gram %'`` finds whole grams (SQLite's path)."""
    distinct = sorted(set(values))
    return f" {' '.join(distinct)} " if distinct else ""


def stored(column: str) -> set[str]:
    return set(column.split()) if column else set()


# --- PostgreSQL expressions (the SQL must stay identical to the migration's indexes) ---


class _GramArray(Func):
    template = "string_to_array(%(expressions)s, ' ')"
    output_field = ArrayField(TextField())


def _array(values) -> Value:
    return Value(sorted(values), ArrayField(TextField()))


def has_all(field: str, values: Iterable[str]) -> Q:
    """Rows whose gram column ``field`` holds every one of ``values``."""
    values = set(values)
    if connection.vendor == "postgresql":
        contains = Q(ArrayContains(_GramArray(F(field)), _array(values)))
        if len(values) != 1:
            return contains
        # One gram (a two-character word, the usual search): the index answers the
        # array condition when the planner reads it; when it walks the newest rows
        # instead (a common word), each row is checked here, and the LIKE first spares
        # most rows the array built from their text (a fifth of the cost). With more
        # grams the LIKEs would make the planner expect almost no row and read them all.
        return Q(**{f"{field}__contains": f" {next(iter(values))} "}) & contains
    condition = Q()
    for value in sorted(values):
        condition &= Q(**{f"{field}__contains": f" {value} "})
    return condition


def has_any(field: str, values: Iterable[str]) -> Q:
    """Rows whose gram column ``field`` holds at least one of ``values``."""
    values = set(values)
    if connection.vendor == "postgresql":
        return Q(Overlap(_GramArray(F(field)), _array(values)))
    condition = Q(pk__in=[])
    for value in sorted(values):
        condition |= Q(**{f"{field}__contains": f" {value} "})
    return condition


# --- Indexing ---------------------------------------------------------------------------


TOTAL = ""  # GramFrequency.TOTAL: the row that counts the proposals


def idf(df: int, total: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's default)."""
    return math.log((1 + total) / (1 + df)) + 1


def similarity_text(title: str, suggestions: str) -> list[str]:
    # The 案由 names the issue in a dozen characters, the 建议办法 runs to hundreds: the
    # title's grams count three times so that a short title is not drowned.
    return grams(title) * 3 + grams(suggestions)


def frequencies(values: Iterable[str]) -> tuple[dict[str, int], int]:
    """The document frequency of each of ``values`` (grams not yet seen are left out)
    and the number of proposals: one query."""
    from .models import GramFrequency

    values = list(values)
    rows = dict(
        GramFrequency.objects.filter(gram__in=[*values, GramFrequency.TOTAL]).values_list(
            "gram", "documents"
        )
    )
    total = rows.pop(GramFrequency.TOTAL, 0)
    return rows, total


def vector_norm(terms: dict[str, int], df: dict[str, int], total: int) -> float:
    """The length of the TF-IDF vector of ``terms`` (gram → term frequency). A stored
    proposal's vector counts each of its grams once (``similarity_grams`` keeps no
    frequencies); the draft's side weighs them (search.similar_proposals)."""
    return math.sqrt(sum((tf * idf(df.get(g, 0), total)) ** 2 for g, tf in terms.items()))


def counts(values: Iterable[str]) -> dict[str, int]:
    """Term frequencies: how often each gram occurs."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def move_frequencies(added: set[str], removed: set[str], documents: int) -> None:
    """Adjust the document frequencies: ``documents`` is +1 for a proposal entering the
    similarity index, -1 for one leaving it, 0 for a changed text."""
    from .models import GramFrequency

    if added:
        GramFrequency.objects.bulk_create(
            [GramFrequency(gram=g, documents=0) for g in added], ignore_conflicts=True
        )
        GramFrequency.objects.filter(gram__in=added).update(documents=F("documents") + 1)
    if removed:
        GramFrequency.objects.filter(gram__in=removed).update(documents=F("documents") - 1)
    if documents:
        GramFrequency.objects.bulk_create(
            [GramFrequency(gram=GramFrequency.TOTAL, documents=0)], ignore_conflicts=True
        )
        GramFrequency.objects.filter(gram=GramFrequency.TOTAL).update(
            documents=F("documents") + documents
        )


def index_proposal(proposal) -> None:
    """Refresh the proposal's text and similarity columns (and the document
    frequencies) from its text: an UPDATE when the text changed, no query when not."""
    from .models import Proposal

    if proposal.get_deferred_fields() & {"text_grams", "similarity_grams"}:
        proposal.refresh_from_db(fields=["text_grams", "similarity_grams"])
    text = gram_column(grams(f"{proposal.title} {proposal.reasons} {proposal.suggestions}"))
    terms = counts(similarity_text(proposal.title, proposal.suggestions))
    similarity = gram_column(terms)
    if (text, similarity) == (proposal.text_grams, proposal.similarity_grams):
        return
    old, new = stored(proposal.similarity_grams), set(terms)
    move_frequencies(new - old, old - new, bool(new) - bool(old))
    df, total = frequencies(terms)
    norm = vector_norm(dict.fromkeys(terms, 1), df, total)
    Proposal.objects.filter(pk=proposal.pk).update(
        text_grams=text, similarity_grams=similarity, similarity_norm=norm
    )
    proposal.text_grams, proposal.similarity_grams, proposal.similarity_norm = (
        text,
        similarity,
        norm,
    )


def index_replies(proposal_id: int) -> None:
    """Refresh the proposal's reply column from its replies' text."""
    from .models import Proposal, Reply

    contents = Reply.objects.filter(proposal_id=proposal_id).values_list("content", flat=True)
    Proposal.objects.filter(pk=proposal_id).update(
        reply_grams=gram_column(grams(" ".join(contents)))
    )


def index_opinion_report(report) -> None:
    from .models import OpinionReport

    text = gram_column(
        grams(f"{report.title} {report.situation} {report.analysis} {report.suggestion}")
    )
    if text != report.text_grams:
        OpinionReport.objects.filter(pk=report.pk).update(text_grams=text)
        report.text_grams = text


def rebuild(batch: int = 500, apps=None) -> int:
    """Recompute every gram column and the document frequencies from scratch: the
    migration (with its historical ``apps``) and the benchmark after its bulk writes."""
    if apps is None:
        from .models import GramFrequency, OpinionReport, Proposal, Reply
    else:
        GramFrequency, OpinionReport, Proposal, Reply = (
            apps.get_model("proposals", name)
            for name in ("GramFrequency", "OpinionReport", "Proposal", "Reply")
        )

    GramFrequency.objects.all().delete()
    replies: dict[int, list[str]] = {}
    for proposal_id, content in Reply.objects.values_list("proposal_id", "content"):
        replies.setdefault(proposal_id, []).append(content)
    df: dict[str, int] = {}
    total = 0
    terms_of: dict[int, dict[str, int]] = {}
    rows = Proposal.objects.only("pk", "title", "reasons", "suggestions").order_by("pk")
    changed = []
    for proposal in rows.iterator(chunk_size=batch):
        terms = counts(similarity_text(proposal.title, proposal.suggestions))
        terms_of[proposal.pk] = terms
        if terms:
            total += 1
        for gram in terms:
            df[gram] = df.get(gram, 0) + 1
        proposal.text_grams = gram_column(
            grams(f"{proposal.title} {proposal.reasons} {proposal.suggestions}")
        )
        proposal.similarity_grams = gram_column(terms)
        proposal.reply_grams = gram_column(grams(" ".join(replies.get(proposal.pk, []))))
        changed.append(proposal)
    for proposal in changed:
        proposal.similarity_norm = vector_norm(dict.fromkeys(terms_of[proposal.pk], 1), df, total)
    Proposal.objects.bulk_update(
        changed,
        ["text_grams", "similarity_grams", "similarity_norm", "reply_grams"],
        batch_size=batch,
    )
    GramFrequency.objects.bulk_create(
        [GramFrequency(gram=g, documents=n) for g, n in df.items()]
        + [GramFrequency(gram=TOTAL, documents=total)],
        batch_size=1000,
    )
    reports = list(OpinionReport.objects.only("pk", "title", "situation", "analysis", "suggestion"))
    for report in reports:
        report.text_grams = gram_column(
            grams(f"{report.title} {report.situation} {report.analysis} {report.suggestion}")
        )
    OpinionReport.objects.bulk_update(reports, ["text_grams"], batch_size=batch)
    return len(changed)
