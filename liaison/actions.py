"""What a person may do to a record now, answered once per workflow.

Each workflow app has an ``actions.py`` with one ``ActionTable``: its rules name an
action (label, style, whether it needs a form, a confirmation sentence), the persona
it is offered to (office staff in the admin, the member in the portal, a handling unit
on its signed page) and a refusal: the sentence saying why not, or None. Refusals are
built from the transition table (``moves_to``) and are the same guard functions the
services raise before they act (``<app>/workflows.py``), so a button is shown exactly
when the service would accept the move, and a stale click is told why in the
service's words. The admin change page, the portal detail page and the unit page
render their buttons from ``available_actions(obj, actor)`` and post to one handler per
surface, which checks the action is still available and calls the service; no screen
keeps flags of its own. (The shape of Wagtail's ``Task.get_actions`` ↔ ``on_action``.)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .workflow import WorkflowError

PRIMARY = "primary"  # the next step a clerk (or the member) would take: one per state
SECONDARY = "secondary"
DANGER = "danger"  # ends or discards something: withdraw, refuse, cancel

STAFF = "staff"  # office or district staff in the admin
MEMBER = "member"  # the signed-in member in the portal
UNIT = "unit"  # a handling unit on the page its signed link opens


@dataclass(frozen=True)
class Actor:
    """Who is looking at the record. ``unit`` is the unit's handle on the record (its
    assignment to the proposal or concern); ``member`` is the portal member."""

    persona: str
    user: Any = None
    member: Any = None
    unit: Any = None

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(STAFF, user=user)

    @classmethod
    def of_member(cls, member) -> "Actor":
        return cls(MEMBER, user=member.user, member=member)

    @classmethod
    def of_unit(cls, handle) -> "Actor":
        return cls(UNIT, unit=handle)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    style: str = SECONDARY
    form: bool = False  # opens a form to fill in; otherwise one click (after ``confirm``)
    confirm: str = ""  # asked before a one-click action that cannot be undone

    @property
    def is_primary(self) -> bool:
        return self.style == PRIMARY

    @property
    def is_danger(self) -> bool:
        return self.style == DANGER


# A refusal answers "why not?": the sentence a refused person reads, or None when the
# action may be taken. Services raise the same sentences (liaison.workflow.refuse), so a
# stale button's click and a service refusal read alike.
Refusal = Callable[[Any, Actor], str | None]


@dataclass(frozen=True)
class Rule:
    action: Action
    persona: str
    refusal: Refusal


class ActionTable:
    """The rules of one workflow, in the order the buttons are shown."""

    def __init__(self, *rules: Rule):
        self.rules = rules
        seen = set()
        for rule in rules:
            key = (rule.persona, rule.action.name)
            if key in seen:
                raise ValueError(f"action {key} listed twice")
            seen.add(key)

    def _rule(self, persona: str, name: str) -> Rule | None:
        return next((r for r in self.rules if r.persona == persona and r.action.name == name), None)

    def available(self, obj, actor: Actor) -> list[Action]:
        return [
            rule.action
            for rule in self.rules
            if rule.persona == actor.persona and rule.refusal(obj, actor) is None
        ]

    def action(self, persona: str, name: str) -> Action | None:
        """The action itself, available or not (for its label in a refusal)."""
        rule = self._rule(persona, name)
        return rule.action if rule else None

    def names(self, persona: str) -> set[str]:
        return {rule.action.name for rule in self.rules if rule.persona == persona}

    def refusal(self, obj, actor: Actor, name: str) -> str | None:
        """Why ``actor`` may not take ``name`` now (None: they may)."""
        rule = self._rule(actor.persona, name)
        if rule is None:
            return _("没有这项操作。")
        return rule.refusal(obj, actor)

    def find(self, obj, actor: Actor, name: str) -> Action | None:
        """``name`` if it is available to ``actor`` now, else None."""
        rule = self._rule(actor.persona, name)
        return rule.action if rule and rule.refusal(obj, actor) is None else None


# --- Refusal builders ------------------------------------------------------------------


def moves_to(workflow, target: str) -> Refusal:
    """The transition table allows the record's status to move to ``target``."""
    return lambda obj, actor: workflow.refusal(obj.status, target)


def in_states(states: Iterable[str]) -> Refusal:
    states = frozenset(states)

    def refusal(obj, actor):
        if obj.status in states:
            return None
        return _("当前状态为“%(status)s”，不能办理此事项。") % {"status": obj.get_status_display()}

    return refusal


def of_record(guard: Callable[[Any], str | None]) -> Refusal:
    """A guard that asks only about the record (``guard(obj)``), whoever is asking."""
    return lambda obj, actor: guard(obj)


def requires(predicate: Callable[[Any, Actor], bool], reason) -> Refusal:
    """A yes/no question with the sentence to give when the answer is no."""
    return lambda obj, actor: None if predicate(obj, actor) else str(reason)


def all_of(*refusals: Refusal) -> Refusal:
    """The first refusal that applies, in order."""

    def refusal(obj, actor):
        for check in refusals:
            reason = check(obj, actor)
            if reason is not None:
                return reason
        return None

    return refusal


# --- The unit page's one handler -------------------------------------------------------


@dataclass(frozen=True)
class UnitHandler:
    """How a unit's signed page takes one unit action: ``form`` (or None for one
    click) is validated, then ``run(record, handle, label, cleaned_data)`` calls the
    service as the unit (``handle`` is ``Actor.unit``, ``label`` the unit's name for the
    timeline) and ``thanks`` is said."""

    run: Callable[..., Any]
    thanks: Any
    form: type | None = None


def take_unit_action(
    request, record, *, table: ActionTable, actor: Actor, handlers: dict, label: str, forms: dict
):
    """Take the unit action the POST names (``action``) on ``record``: refused if it
    is not available now (the page may be stale), in the words of the refusal. Returns
    the redirect to the page, or None when the action's form has errors — it is then
    left in ``forms`` under the action's name, to be shown again."""
    name = request.POST.get("action", "")
    handler = handlers.get(name)
    if handler is None:
        messages.error(request, _("未知的操作。"))
        return redirect(request.path)
    reason = table.refusal(record, actor, name)
    if reason is not None:
        messages.error(request, reason)
        return redirect(request.path)
    form = handler.form(request.POST, request.FILES) if handler.form else None
    if form is not None and not form.is_valid():
        forms[name] = form
        return None
    try:
        handler.run(record, actor.unit, label, form.cleaned_data if form else {})
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, handler.thanks)
    return redirect(request.path)
