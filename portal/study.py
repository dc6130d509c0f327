"""The materials library (参阅资料) in the portal: what the office published to the
member, each marked read when they open it, and the reflection (学习体会) they may
hand in. Every material is found through ``member_study_materials``: one published to
someone else is a 404, whatever id is typed."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.limits import TEXT, LimitedForm
from liaison.uploads import validate_document
from liaison.workflow import WorkflowError
from members.models import StudyReflection
from members.selectors import member_study_materials
from members.services import study_material_read, study_reflection_submit

from .views import _page, member_required


class ReflectionForm(LimitedForm):
    text = forms.CharField(
        label=gettext_lazy("学习体会"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("写下您学习后的体会和建议。"),
    )
    file = forms.FileField(
        label=gettext_lazy("附件（可选）"),
        required=False,
        help_text=gettext_lazy("已写成文件的，可上传 PDF、Word 文件或照片，不超过 10 MB。"),
        validators=[validate_document],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "reflection-form"
        self.helper.add_input(Submit("save", _("提交学习体会")))


def _material_or_404(request, pk):
    material = member_study_materials(request.member).filter(pk=pk).first()
    if material is None:
        raise Http404
    return material


@member_required
def study_list(request):
    return _page(
        request,
        "portal/study/list.html",
        materials=list(member_study_materials(request.member)),
    )


@member_required
def study_detail(request, pk):
    material = _material_or_404(request, pk)
    if material.read_at is None:
        material.read_at = study_material_read(material=material, member=request.member).read_at
    reflection = StudyReflection.objects.filter(material=material, member=request.member).first()
    initial = {"text": reflection.text} if reflection else None
    form = ReflectionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            study_reflection_submit(
                material=material,
                member=request.member,
                actor=request.user,
                text=form.cleaned_data["text"],
                file=form.cleaned_data.get("file"),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("学习体会已提交联络处。"))
            return redirect("portal:study_detail", pk=material.pk)
    return _page(
        request,
        "portal/study/detail.html",
        material=material,
        reflection=reflection,
        form=form,
    )


@member_required
def study_file(request, pk):
    """The material's file; opening it marks it read too."""
    material = _material_or_404(request, pk)
    if not material.file:
        raise Http404
    study_material_read(material=material, member=request.member)
    name = material.file.name
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    filename = f"{material.title}.{extension}" if extension else material.title
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=filename)
