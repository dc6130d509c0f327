"""One transition mechanism for every workflow in the system.

A workflow is a ``TextChoices`` status field plus a table of allowed moves. ``transition``
locks the row, checks the move against the table, writes the status and a
``StatusChange`` row in one transaction. An illegal move raises ``WorkflowError`` with a
sentence a person can read; the admin and portal show it instead of a 500.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import StatusChange


class WorkflowError(Exception):
    """An illegal or refused move. ``str(error)`` is shown to the user as is."""


@dataclass(frozen=True)
class Workflow:
    """``moves`` maps each status to the statuses it may move to."""

    status_enum: type[models.TextChoices]
    moves: dict[str, Iterable[str]]

    def allows(self, source: str, target: str) -> bool:
        return target in self.moves.get(source, ())

    def sources(self, target: str) -> tuple[str, ...]:
        """The statuses that may move to ``target``, in the table's order."""
        return tuple(source for source, targets in self.moves.items() if target in targets)

    def label(self, status: str) -> str:
        try:
            return str(self.status_enum(status).label)
        except ValueError:
            return status

    def refusal(self, source: str, target: str) -> str | None:
        """Why ``source`` may not move to ``target`` (None when the table allows it)."""
        if self.allows(source, target):
            return None
        return _("当前状态为“%(source)s”，不能变更为“%(target)s”。") % {
            "source": self.label(source),
            "target": self.label(target),
        }

    def check(self, source: str, target: str) -> None:
        refuse(self.refusal(source, target))


def refuse(reason: str | None) -> None:
    """Raise the refusal a guard returned (guards return the sentence, or None, so the
    actions tables can ask the same question without catching exceptions)."""
    if reason:
        raise WorkflowError(reason)


def lock(obj):
    """Re-read ``obj`` with a row lock: two people acting at once cannot both win."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def transition(
    obj,
    *,
    workflow: Workflow,
    target: str,
    actor=None,
    actor_label: str = "",
    note: str = "",
    expected: str | None = None,
    update_fields: Iterable[str] = (),
):
    """Move a locked ``obj`` to ``target``. Call inside ``transaction.atomic`` with an
    object from ``lock()``; other fields set on ``obj`` are saved with ``update_fields``.

    ``expected`` guards against a stale form: if the row moved since the page was drawn,
    the user is told rather than overwriting the other person's move.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic")
    source = obj.status
    if expected is not None and source != expected:
        raise WorkflowError(
            _("该记录已被他人处理，当前状态为“%(status)s”，请刷新后重试。")
            % {"status": workflow.label(source)}
        )
    workflow.check(source, target)
    obj.status = target
    obj.save(update_fields=["status", *update_fields])
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_status=source,
        to_status=target,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label,
        note=note,
    )
    return obj


def record_creation(obj, *, actor=None, actor_label: str = "", note: str = ""):
    """The first row of a record's timeline (created as a draft, or raised by a unit)."""
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_status="",
        to_status=obj.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label,
        note=note,
    )


def record_note(obj, *, note: str, actor=None, actor_label: str = ""):
    """A timeline entry that does not change the status (an extension, a unit's
    acknowledgement or request to return, a co-handling opinion)."""
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_status=obj.status,
        to_status=obj.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label,
        note=note,
    )


def history_for(obj):
    """The status timeline of ``obj``, oldest first, with actors loaded."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
