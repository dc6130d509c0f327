"""The portal's one way to show and take a workflow action.

A detail page asks the record's actions table (``<app>/actions.py``) what the member may
do now and renders a button for each (``portal/_actions.html``); every button posts to
the record's one action URL, whose view calls ``take``: it checks the action is still
available (the page may be stale), validates the action's form, calls the service and
says what happened. A refused move is a message on the page, never a 500."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from liaison.actions import MEMBER, ActionTable, Actor
from liaison.workflow import WorkflowError

# The session key under which a refused action form's answers wait for the page it is
# drawn on again (post/redirect/get), so the member does not type them twice.
KEPT = "portal-kept-form"


@dataclass(frozen=True)
class Handler:
    """How the portal takes one member action: ``run(request, obj, cleaned_data)``
    calls the service; ``success`` is what the member is told then (or a function of
    the cleaned data, when the answer decides it); ``form`` is shown inline on the
    detail page (no two forms of one record share a field name), and ``submit`` is its
    button's words when they differ from the action's label; ``page`` names a URL of
    its own (an edit form); ``then`` names the page to go to once it is done, when the
    record's own page no longer shows it (a discarded draft)."""

    run: Callable[..., Any] | None = None
    success: Any = ""
    form: type | None = None
    page: str = ""
    submit: Any = ""
    then: str = ""


@dataclass(frozen=True)
class Button:
    action: Any
    url: str
    method: str  # "get" for a page of its own, "post" otherwise
    form: Any = None
    submit: Any = ""  # the form's button, when not the action's label


def buttons(obj, actions, handlers: dict, act_url: str, request=None) -> list[Button]:
    """The buttons for ``actions`` on ``obj``; ``act_url`` is the record's action URL
    name (taking the record's pk and the action name). With ``request``, a form the
    member just sent and was refused comes back filled in, its errors beside it."""
    kept = request.session.get(KEPT) if request is not None else None
    result = []
    for action in actions:
        handler = handlers[action.name]
        if handler.page:
            result.append(Button(action, reverse(handler.page, args=[obj.pk]), "get"))
            continue
        url = reverse(act_url, args=[obj.pk, action.name])
        form = None
        if handler.form and kept and kept["url"] == url:
            form = handler.form(MultiValueDict(kept["data"]))
            form.is_valid()  # its errors show beside the fields
            del request.session[KEPT]
        elif handler.form:
            form = handler.form()
        result.append(Button(action, url, "post", form, handler.submit))
    return result


def _keep(request) -> None:
    """Keep what the member typed for the form's next drawing (files cannot be kept)."""
    request.session[KEPT] = {
        "url": request.path,
        "data": {
            key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
        },
    }


def take(request, obj, *, table: ActionTable, handlers: dict, name: str, back: str):
    """Take the member action ``name`` on ``obj`` and go back to ``back`` (a URL)."""
    known = table.action(MEMBER, name)
    handler = handlers.get(name)
    if known is None or handler is None or handler.run is None:
        raise Http404
    reason = table.refusal(obj, Actor.of_member(request.member), name)
    if reason is not None:
        messages.error(request, reason)
        return redirect(back)
    data = {}
    if handler.form:
        form = handler.form(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            _keep(request)
            return redirect(back)
        data = form.cleaned_data
    try:
        handler.run(request, obj, data)
    except WorkflowError as error:
        messages.error(request, str(error))
        if handler.form:
            _keep(request)
    else:
        success = handler.success
        messages.success(request, success(data) if callable(success) else success)
        if handler.then:
            return redirect(handler.then)
    return redirect(back)
