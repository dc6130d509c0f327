"""The member's own duty record (履职档案) in the portal, and the duties they report.

Reads come from reports.duty, always for ``request.member``: there is no member id in the
URL to change."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.limits import TEXT, LimitedForm
from liaison.models import today
from liaison.uploads import validate_document
from liaison.workflow import WorkflowError
from members.models import Contribution, DutyClaim
from members.selectors import member_duty_claims
from members.services import duty_claim_submit
from reports import duty

from .views import _page, member_required

LEDGER_LIMIT = 300


def _years(member) -> list[int]:
    this_year = today().year
    first = min(member.term.start_year, this_year)
    return list(range(min(this_year, member.term.end_year), first - 1, -1)) or [this_year]


@member_required
def duty_record(request):
    member = request.member
    years = _years(member)
    try:
        year = int(request.GET.get("year", years[0]))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    standing = duty.standing_for(member, [year])
    rules = [row for row in duty.rule_rows(standing, [year]) if row["entries"]]
    entries = list(duty.ledger(member, [year])[:LEDGER_LIMIT])
    return _page(
        request,
        "portal/records/duty.html",
        standing=standing,
        rules=rules,
        entries=entries,
        year=year,
        years=years,
        **duty.speeches_and_study(member, [year]),
    )


# --- Duties the member reports (DutyClaim) ----------------------------------------------


class DutyClaimForm(LimitedForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("履职类别"), choices=DutyClaim.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=gettext_lazy("事项"),
        max_length=200,
        help_text=gettext_lazy("例如：随区人大代表视察背街小巷整治。"),
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=gettext_lazy("情况说明"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence = forms.FileField(
        label=gettext_lazy("证明材料"),
        help_text=gettext_lazy("照片、PDF、Word 或 Excel 文件，不超过 10 MB。"),
        validators=[validate_document],
    )
    contribution_kind = forms.ChoiceField(
        label=gettext_lazy("贡献类别（服务发展贡献填写）"),
        choices=[("", "—"), *Contribution.Kind.choices],
        required=False,
    )
    amount = forms.DecimalField(
        label=gettext_lazy("金额（元，可选）"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("提交联络处审核")))


@member_required
def duty_claims(request):
    return _page(
        request,
        "portal/records/claims.html",
        claims=list(member_duty_claims(request.member)),
    )


@member_required
def duty_claim_create(request):
    form = DutyClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            duty_claim_submit(member=request.member, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("已提交联络处审核。"))
            return redirect("portal:duty_claims")
    return _page(request, "portal/records/claim_form.html", form=form)
