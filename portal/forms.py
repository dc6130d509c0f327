from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liaison.limits import LimitedForm
from members.models import DELIVERY_CHOICES, DELIVERY_FIELDS, Member
from members.selectors import mobile_taken
from members.services import CONTACT_FIELDS, normalize_mobile, validate_mobile


class PortalAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, worded for members: they type their mobile number or
    member number (members.backends.MemberSignInBackend)."""

    error_messages = {
        "invalid_login": _(
            "手机号码（或委员编号）与密码不匹配，请重新输入。连续输错 5 次账号将被暂时锁定。"
        ),
        "inactive": _("此账号已停用，请联系联络处。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("手机号码或委员编号")
        username.widget.attrs.update(
            {"autocomplete": "username", "inputmode": "text", "autocapitalize": "none"}
        )
        self.fields["password"].label = _("密码")


class ContactForm(LimitedForm):
    """The contact details a member may correct. Official fields are not on this form
    at all, so no crafted POST can change them."""

    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        help_text=_("11 位手机号码，也可用于登录。"),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    office_phone = forms.CharField(
        label=_("办公电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        help_text=_("找回密码的邮件会发送到这里。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    wechat = forms.CharField(label=_("微信号"), max_length=50, required=False)
    home_address = forms.CharField(
        label=_("家庭住址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    work_address = forms.CharField(label=_("单位地址"), max_length=200, required=False)

    def __init__(self, *args, member, **kwargs):
        kwargs.setdefault("initial", {name: getattr(member, name) for name in CONTACT_FIELDS})
        super().__init__(*args, **kwargs)
        self.member = member
        self.helper = FormHelper()
        self.helper.form_id = "contact-form"
        self.helper.add_input(Submit("save", _("保存联系方式"), css_class="w-100"))

    def clean_mobile(self):
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        if mobile_taken(mobile, exclude_member_id=self.member.pk):
            raise ValidationError(
                _("该手机号码已登记在其他委员名下，请核对；如有疑问请联系联络处。"),
                code="mobile_in_use",
            )
        return mobile

    def apply_service_error(self, error: ValidationError) -> None:
        """Show a ValidationError raised by the service (e.g. a lost race for the mobile
        number) on the form instead of a 500."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


def _mobile_field(**kwargs):
    return forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
        **kwargs,
    )


def _sms_code_field(*, required=False):
    return forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        required=required,
        error_messages={"min_length": _("验证码是 6 位数字。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class SmsCodeForm(LimitedForm):
    """A mobile number and, once one was sent, the SMS code: signing in and resetting
    the password by code. "send" asks for a code; the code is required only to go on."""

    mobile = _mobile_field()
    code = _sms_code_field()

    def __init__(self, *args, sending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending

    def clean_mobile(self):
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        if not mobile:
            raise ValidationError(_("请输入手机号码。"), code="required")
        validate_mobile(mobile)
        return mobile

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self.sending:
            return code
        if not code:
            raise ValidationError(_("请输入短信验证码。"), code="required")
        if not code.isdigit():
            raise ValidationError(_("验证码是 6 位数字。"), code="invalid")
        return code


class ActivationCodeForm(LimitedForm):
    """The activation code from the SMS or the letter, typed by hand."""

    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        help_text=_("10 位字母和数字，在短信或激活信上，例如 ABCDE-23456。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class ActivationMobileForm(SmsCodeForm):
    """Step 1 of activation: the mobile number the code goes to. It must be the
    member's own or nobody's."""

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, sending=True, **kwargs)
        self.member = member

    def clean_mobile(self):
        mobile = super().clean_mobile()
        if mobile_taken(mobile, exclude_member_id=self.member.pk):
            raise ValidationError(
                _("该手机号码已登记在其他委员名下，请核对；如有疑问请联系联络处。"),
                code="mobile_in_use",
            )
        return mobile


class NewPasswordForm(SetPasswordForm):
    """Django's set-password form, worded for members (activation, reset by code)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("设置密码")
        self.fields["new_password2"].label = _("再输入一次密码")


class ActivationForm(NewPasswordForm):
    """Step 2 of activation: the SMS code and the new password."""

    code = _sms_code_field(required=True)
    field_order = ["code", "new_password1", "new_password2"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("请输入短信里的 6 位验证码。"), code="required")
        return code

    def save(self, commit=True):
        # Activation is all or nothing (account, mobile, password, invitation used):
        # members.accounts.member_account_activate sets the password, never this form.
        raise TypeError("ActivationForm only checks; member_account_activate saves")


class DeliveryForm(LimitedForm):
    """How the member receives each kind of message (members/notifications.py)."""

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DELIVERY_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=Member._meta.get_field(name).verbose_name,
                choices=DELIVERY_CHOICES,
                initial=getattr(member, name),
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请选择短信、电子邮件或只在平台查看。"),
                    "invalid_choice": _("请选择短信、电子邮件或只在平台查看。"),
                },
            )
