"""Keep the search columns (proposals.textindex) in step with the text. Receivers rather
than service calls because every write path must refresh them — the services, the
admin's change form, imports, the demo and the tests' factories — and each goes through
``save()``; what is derived is not a business rule, and nothing here queues or sends."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import textindex
from .models import OpinionReport, Proposal, Reply

PROPOSAL_TEXT = {"title", "reasons", "suggestions"}


@receiver(post_save, sender=Proposal, dispatch_uid="proposal_text_index")
def _proposal_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not PROPOSAL_TEXT & set(update_fields)):
        return
    textindex.index_proposal(instance)


@receiver(post_save, sender=Reply, dispatch_uid="reply_text_index")
@receiver(post_delete, sender=Reply, dispatch_uid="reply_text_unindex")
def _reply_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "content" not in update_fields):
        return
    textindex.index_replies(instance.proposal_id)


REPORT_TEXT = {"title", "situation", "analysis", "suggestion"}


@receiver(post_save, sender=OpinionReport, dispatch_uid="opinion_report_text_index")
def _report_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not REPORT_TEXT & set(update_fields)):
        return
    textindex.index_opinion_report(instance)


@receiver(post_delete, sender=Proposal, dispatch_uid="proposal_text_unindex")
def _proposal_deleted(sender, instance, **kwargs):
    # The row is gone: a column not loaded with it cannot be read any more (the
    # frequencies are then a little high until textindex.rebuild()).
    old = textindex.stored(instance.__dict__.get("similarity_grams", ""))
    if old:
        textindex.move_frequencies(set(), old, -1)
