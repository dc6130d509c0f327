"""The roster's work done by the worker with a progress bar (liaison/jobs.py)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.jobs import job_kind

from .services import member_accounts_open

ACCOUNTS_OPEN = "members.accounts_open"


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
        "counts": [
            [_("已发送激活邀请"), report.invited],
            [_("账号已激活，未重复发送"), report.already_active],
            [_("未开通"), len(report.refused)],
        ],
        "errors": report.refused,
    }
