"""The member's own way in: activating an account from an invitation, signing in by
SMS code, resetting a forgotten password by SMS code (members/accounts.py,
members/verification.py).

Pages that send a code answer alike whether or not the number is registered. A wrong
code counts twice: against the code (5 tries) and, when signing in or resetting, as a
failed sign-in of the account in django-axes (the code goes through ``authenticate``).
"""

import time

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from liaison import ratelimit
from liaison.ratelimit import client_address
from members.accounts import (
    ActivationError,
    invitation_for_code,
    member_account_activate,
    normalize_code,
)
from members.models import VerificationCode
from members.verification import CodeRefused, verification_code_check, verification_code_request

from .forms import (
    ActivationCodeForm,
    ActivationForm,
    ActivationMobileForm,
    NewPasswordForm,
    SmsCodeForm,
)
from .services import portal_sign_in_unlock

Purpose = VerificationCode.Purpose

ACTIVATION_CODE = "activation_code"
ACTIVATION_MOBILE = "activation_mobile"
RESET_USER = "sms_reset_user"
RESET_AT = "sms_reset_at"
# How long a member who proved the number by code has to choose the new password.
RESET_WINDOW_SECONDS = 10 * 60
# Activation codes tried from one client address per hour, right or wrong.
ACTIVATION_TRIES_PER_HOUR = 30
PASSWORD_BACKEND = "members.backends.MemberSignInBackend"


def masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def _ask_for_code(request, form, purpose: str) -> int:
    """Ask for a code to the form's number; the same sentence whoever has the number.
    Returns the status for the page (429 over a limit)."""
    mobile = form.cleaned_data["mobile"]
    try:
        verification_code_request(mobile=mobile, purpose=purpose, client=client_address(request))
    except CodeRefused as refused:
        form.add_error(None, str(refused))
        return 429
    messages.info(
        request,
        _(
            "如果 %(mobile)s 是联络处登记的号码，验证码短信马上就到，5 分钟内有效。"
            "收不到请核对号码，或联系联络处。"
        )
        % {"mobile": masked(mobile)},
    )
    return 200


def _code_page(request, *, purpose: str, template: str, on_success):
    """Signing in and resetting by code share this page's flow: "send" asks for a code,
    the other button checks it through ``authenticate`` (so django-axes counts it)."""
    sending = "send" in request.POST
    form = SmsCodeForm(request.POST or None, sending=sending)
    status = 200
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if sending:
            status = _ask_for_code(request, form, purpose)
        else:
            user = authenticate(
                request, username=mobile, sms_code=form.cleaned_data["code"], sms_purpose=purpose
            )
            if user is not None:
                return on_success(user)
            form.add_error(
                "code",
                _("验证码不正确或已过期，请重新获取。连续输错 5 次账号将被暂时锁定。"),
            )
    return render(request, template, {"form": form}, status=status)


def sms_login(request):
    def sign_in(user):
        login(request, user)
        return redirect("portal:dashboard")

    return _code_page(
        request, purpose=Purpose.SIGN_IN, template="portal/sms_login.html", on_success=sign_in
    )


def sms_password_reset(request):
    def proved(user):
        request.session[RESET_USER] = user.pk
        request.session[RESET_AT] = time.time()
        return redirect("portal:sms_password_reset_set")

    return _code_page(
        request, purpose=Purpose.RESET, template="portal/sms_reset.html", on_success=proved
    )


def sms_password_reset_set(request):
    """The new password, for the member who just proved the number by code."""
    user_id = request.session.get(RESET_USER)
    fresh = time.time() - request.session.get(RESET_AT, 0) < RESET_WINDOW_SECONDS
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if fresh else None
    if user is None:
        messages.warning(request, _("验证已超时，请重新获取验证码。"))
        return redirect("portal:sms_password_reset")
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        for key in (RESET_USER, RESET_AT):
            request.session.pop(key, None)
        portal_sign_in_unlock(user=user)
        login(request, user, backend=PASSWORD_BACKEND)
        messages.success(request, _("新密码已设置，您已登录。"))
        return redirect("portal:dashboard")
    return render(request, "portal/sms_reset_set.html", {"form": form})


# --- Activation -----------------------------------------------------------------------


def _activation_allowed(request) -> bool:
    """Counts one activation attempt from this client; False over the hourly limit."""
    return ratelimit.hit(
        "activation-client",
        client_address(request) or "unknown",
        limit=ACTIVATION_TRIES_PER_HOUR,
        window=60 * 60,
    )


# An unknown code names nothing (404); a used, void or expired one is gone (410).
REFUSAL_STATUS = {"unknown": 404}


def _refused(request, message: str, status: int = 410):
    context = {"form": ActivationCodeForm(), "error": message}
    return render(request, "portal/activate_code.html", context, status=status)


def _too_many(request):
    return _refused(request, _("尝试次数太多，请一小时后再试，或联系联络处。"), status=429)


def activate_code(request, code):
    """The link in the invitation: remember the code in the session and go on without
    it in the address bar (it would otherwise travel on in Referer headers)."""
    if not _activation_allowed(request):
        return _too_many(request)
    try:
        invitation_for_code(code)
    except ActivationError as error:
        return _refused(request, error.message, REFUSAL_STATUS.get(error.code, 410))
    request.session[ACTIVATION_CODE] = normalize_code(code)
    request.session.pop(ACTIVATION_MOBILE, None)
    return redirect("portal:activate")


def activate(request):
    code = request.session.get(ACTIVATION_CODE)
    if code is None:
        return _activate_enter_code(request)
    try:
        invitation = invitation_for_code(code)
    except ActivationError as error:
        request.session.pop(ACTIVATION_CODE, None)
        return _refused(request, error.message, REFUSAL_STATUS.get(error.code, 410))
    member = invitation.member
    if "change" in request.POST:
        request.session.pop(ACTIVATION_MOBILE, None)
        return redirect("portal:activate")
    mobile = request.session.get(ACTIVATION_MOBILE)
    if mobile is None or "send" in request.POST:
        return _activate_mobile(request, member)
    return _activate_confirm(request, code, member, mobile)


def _activate_enter_code(request):
    form = ActivationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return activate_code(request, form.cleaned_data["code"])
    return render(request, "portal/activate_code.html", {"form": form})


def _activate_mobile(request, member):
    """Step 1: the number the code goes to, the roster's by default."""
    form = ActivationMobileForm(
        request.POST if "send" in request.POST else None,
        member=member,
        initial={"mobile": member.mobile},
    )
    status = 200
    if form.is_bound:
        if not _activation_allowed(request):
            return _too_many(request)
        if form.is_valid():
            status = _ask_for_code(request, form, Purpose.ACTIVATE)
            if status == 200:
                request.session[ACTIVATION_MOBILE] = form.cleaned_data["mobile"]
                return redirect("portal:activate")
    context = {"form": form, "invited": member, "step": 1}
    return render(request, "portal/activate.html", context, status=status)


def _activate_confirm(request, code, member, mobile):
    """Step 2: the SMS code and the password; then the member is signed in."""
    form = ActivationForm(member.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not verification_code_check(
            mobile=mobile, purpose=Purpose.ACTIVATE, code=form.cleaned_data["code"]
        ):
            form.add_error(
                "code",
                _("验证码不正确、已过期或不是发给 %(mobile)s 的，请核对或重新获取。")
                % {"mobile": masked(mobile)},
            )
        else:
            try:
                user = member_account_activate(
                    code=code, mobile=mobile, password=form.cleaned_data["new_password1"]
                )
            except ActivationError as error:
                form.add_error(None, error.message)
            else:
                for key in (ACTIVATION_CODE, ACTIVATION_MOBILE):
                    request.session.pop(key, None)
                login(request, user, backend=PASSWORD_BACKEND)
                messages.success(request, _("账号已激活，欢迎使用委员服务平台！"))
                return redirect("portal:dashboard")
    context = {
        "form": form,
        "invited": member,
        "mobile": masked(mobile),
        "raw_mobile": mobile,
        "step": 2,
    }
    return render(request, "portal/activate.html", context)
