"""Kept figures marked for recounting when a write touches what they count: an
office's AccountReach when one of its members, their account or their invitation
changes (members.selectors.account_reach recounts it on the next view). Bulk writes
that bypass signals are caught up by the worker's count every ten minutes.

A member's deletion also takes their read marks and reflections with it: the counts
the materials they read keep are recomputed once the member is gone."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import AccountInvitation, AccountReach, Member, StudyRead
from .services import refresh_study_counts


def _mark_office(office_id) -> None:
    if office_id is not None:
        AccountReach.objects.filter(office_id=office_id, stale=False).update(stale=True)


@receiver([post_save, post_delete], sender=Member, dispatch_uid="reach_member")
def _member_changed(sender, instance, **kwargs):
    _mark_office(instance.office_id)


@receiver([post_save, post_delete], sender=AccountInvitation, dispatch_uid="reach_invitation")
def _invitation_changed(sender, instance, **kwargs):
    AccountReach.objects.filter(office__members=instance.member_id, stale=False).update(stale=True)


@receiver(post_save, sender=get_user_model(), dispatch_uid="reach_account")
def _account_changed(sender, instance, **kwargs):
    # A member's account: activated, disabled, signed in (no longer dormant).
    AccountReach.objects.filter(office__members__user=instance, stale=False).update(stale=True)


@receiver(pre_delete, sender=Member, dispatch_uid="study_counts_member_read")
def _member_deleting(sender, instance, **kwargs):
    instance._study_materials = list(
        StudyRead.objects.filter(member=instance).values_list("material_id", flat=True)
    )


@receiver(post_delete, sender=Member, dispatch_uid="study_counts_member_gone")
def _member_deleted(sender, instance, **kwargs):
    refresh_study_counts(getattr(instance, "_study_materials", ()))
