"""The roster's work done by the worker with a progress bar (liaison/jobs.py): opening
portal accounts for many members, and importing a roster too large for a page request.

Above ``ROSTER_IMPORT_WORKER_ROWS`` data rows the admin's import page stores the file
and starts a job instead of previewing: the worker reads the file (within the same
bounds, liaison.imports), checks every row and writes all of them or none, as the
page's confirm step does, and the job's page lists what happened to each row.
"""

import hashlib

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult

from liaison.imports import IMPORT_FORMATS, UnreadableFileError
from liaison.jobs import JobRefused, job_kind, job_start

from .accounts import LEFT_OFFICE, member_account_disable
from .models import Member
from .resources import MemberResource
from .services import member_accounts_open

ACCOUNTS_OPEN = "members.accounts_open"
ROSTER_IMPORT = "members.roster_import"
_FORMATS = {fmt.__name__: fmt for fmt in IMPORT_FORMATS}


@job_kind(ACCOUNTS_OPEN, label=gettext_lazy("开通委员平台账号"))
def accounts_open(job):
    """Open accounts for ``job.params["member_ids"]``. Harmless to run again: members
    already invited are invited afresh (the earlier link void), active ones left alone."""
    member_ids = job.params["member_ids"]
    job.set_total(len(member_ids))
    report = member_accounts_open(
        member_ids=member_ids, actor=job.actor, progress=lambda done, total: job.advance(1)
    )
    return {
        "summary": _("已为 %(count)s 名委员开通账号并发送激活邀请。") % {"count": report.invited},
        "counts": _accounts_counts(report),
        "errors": report.refused,
    }


def _accounts_counts(report) -> list:
    return [
        [_("已发送激活邀请"), report.invited],
        [_("账号已激活，未重复发送"), report.already_active],
        [_("未开通"), len(report.refused)],
    ]


def import_summary(totals) -> str:
    return _("导入完成：新增 %(new)s 名委员，更新 %(update)s 名，%(skip)s 行无变化。") % {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": totals[RowResult.IMPORT_TYPE_SKIP],
    }


def roster_import_start(
    *, data: bytes, file_name: str, fmt, office, actor, show_office: bool, open_accounts=False
):
    """Queue the import of ``data`` (read with the format ``fmt``); the same file
    started again while it is being imported is the same job. ``open_accounts``: then
    open portal accounts for the members in the file (开通账号 on the import page)."""
    key = hashlib.sha256(data + (b"|office-column" if show_office else b"")).hexdigest()
    return job_start(
        kind=ROSTER_IMPORT,
        office=office,
        actor=actor,
        params={"format": fmt.__name__, "show_office": show_office, "open_accounts": open_accounts},
        upload=ContentFile(data, name=f"roster.{fmt().get_extension()}"),
        key=key,
        title=_("导入委员名册“%(name)s”") % {"name": file_name[:100]},
    )


@job_kind(ROSTER_IMPORT, label=gettext_lazy("导入委员名册"))
def roster_import(job) -> dict:
    try:
        dataset = _FORMATS[job.params["format"]]().create_dataset(job.upload.read())
    except UnreadableFileError as e:
        raise JobRefused(str(e)) from e
    job.set_total(len(dataset))
    resource = MemberResource(
        user=job.actor,
        office=job.office,
        show_office=job.params.get("show_office", False),
        progress=job.advance,
    )
    result = resource.import_data(dataset, dry_run=False, user=job.actor)
    if result.has_errors() or result.has_validation_errors():
        problems = [str(p) for p in result.problems]
        raise JobRefused(
            _("文件中有 %(n)s 处问题，没有导入任何委员。请修改后重新导入。") % {"n": len(problems)},
            result={"errors": problems},
        )
    labels = {
        RowResult.IMPORT_TYPE_NEW: _("新增"),
        RowResult.IMPORT_TYPE_UPDATE: _("更新"),
        RowResult.IMPORT_TYPE_SKIP: _("无变化"),
    }
    report = {
        "summary": import_summary(result.totals),
        "counts": [[label, result.totals[kind]] for kind, label in labels.items()],
        "link": [_("查看委员名册"), reverse("admin:members_member_changelist")],
        "columns": [_("行"), _("结果"), _("委员编号"), _("姓名")],
        "rows": [
            [row, labels.get(kind, kind), member_no, name]
            for row, kind, member_no, name in resource.outcomes
        ],
    }
    # As the import page does: members the file marks as no longer serving lose their
    # accounts, and 开通账号 opens accounts for the members in the file.
    in_file = Member.objects.filter(member_no__in=[o[2] for o in resource.outcomes])
    for member in in_file.exclude(status=Member.Status.SERVING).filter(user__isnull=False):
        member_account_disable(member=member, actor=job.actor, reason=LEFT_OFFICE)
    if job.params.get("open_accounts"):
        opened = member_accounts_open(
            member_ids=list(in_file.values_list("pk", flat=True)), actor=job.actor
        )
        report["counts"] += _accounts_counts(opened)
        report["errors"] = opened.refused
    return report
