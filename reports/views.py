"""The committee leaders' reports page (/reports/): the documents issued to them and
nothing else. Leaders are not staff; they sign in through the portal's sign-in page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from liaison import roles
from liaison.selectors import unread_inbox

from . import services
from .selectors import leader_issues


def is_leader(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=roles.COMMITTEE_LEADER).exists()


def leader_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_leader(request.user):
            return render(request, "reports/leaders/not_leader.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@leader_required
def index(request):
    issues = list(leader_issues(request.user)[:200])
    return render(
        request,
        "reports/leaders/index.html",
        {"issues": issues, "unread_count": unread_inbox(request.user).count()},
    )


@leader_required
def report_download(request, pk):
    issue = get_object_or_404(leader_issues(request.user), document_id=pk)
    document = issue.document
    if not document.file:
        raise Http404
    services.document_downloaded(issue=issue)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.download_name,
        content_type="application/pdf",
    )


@leader_required
def report_download_word(request, pk):
    """The editable Word copy of an issued document."""
    issue = get_object_or_404(leader_issues(request.user), document_id=pk)
    document = issue.document
    if not document.word_file:
        raise Http404
    services.document_downloaded(issue=issue)
    return FileResponse(
        document.word_file.open("rb"),
        as_attachment=True,
        filename=document.word_download_name,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
