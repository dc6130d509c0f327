"""The members' self-service pages. Views stay thin: reads come from members.selectors
(always scoped to the signed-in member), writes from the services."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import roles
from liaison.password_reset import ResetRefused, password_reset_request
from liaison.ratelimit import client_address
from liaison.services import (
    notification_mark_read,
    notifications_mark_all_read,
    user_set_large_text,
)
from members.selectors import member_for_user, portal_notifications, portal_unread_notifications
from members.services import member_update_contact, member_update_delivery

from .forms import ContactForm, DeliveryForm, PortalAuthenticationForm
from .home import home_figures
from .services import (
    portal_sign_in_unlock,
)

NOTIFICATIONS_PER_PAGE = 20
DASHBOARD_LATEST = 5
# What the home page shows of a message (portal.home keeps the rest of the page).
LATEST_FIELDS = ("subject", "created_at", "read_at")


def member_required(view=None, *, frame=True):
    """Sign-in required, and the account must belong to a member. Staff and leaders who
    wander into the portal get a page telling them where to go, not an error.
    ``frame=False`` for a fragment without the page frame (no unread count to read)."""
    if view is None:
        return lambda view: member_required(view, frame=frame)

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = member_for_user(request.user, unread=frame)
        if member is None:
            if request.user.groups.filter(name=roles.COMMITTEE_LEADER).exists():
                return redirect("reports:index")  # leaders read the committee's documents
            return render(request, "portal/no_member.html", status=403)
        member.user = request.user  # the account already read: no query for member.user
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, template, **context):
    """Render a portal page with what the navigation bar needs: the unread count read
    with the member (``member_required``), counted again after a POST, whose action may
    have marked messages read."""
    if "unread_count" not in context:
        context["unread_count"] = unread_count(request)
    context["member"] = request.member
    return render(request, template, context)


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 11:
        return _("早上好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


# --- Sign-in, sign-out, password reset ------------------------------------------------


class LoginView(auth_views.LoginView):
    """The portal's sign-in page serves members and committee leaders alike; a leader
    (no member record) lands on the reports page rather than the members' dashboard."""

    template_name = "portal/login.html"
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if not hasattr(user, "member") and user.groups.filter(name=roles.COMMITTEE_LEADER).exists():
            return resolve_url("reports:index")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule since 5.0): a link cannot sign a member out."""


class PasswordResetView(auth_views.PasswordResetView):
    """Queues the e-mail in the outbox (liaison.password_reset) instead of sending it
    here: the answer is the same, in the same time, whether or not the address has an
    account. Over the rate limit the form comes back with the reason, alike for every
    address."""

    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form):
        try:
            password_reset_request(
                email=form.cleaned_data["email"], client=client_address(self.request)
            )
        except ResetRefused as refused:
            form.add_error(None, str(refused))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES * 60)
            return response
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Proving the mailbox is as good as asking the office: lift any lockout.
        portal_sign_in_unlock(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- Member pages ---------------------------------------------------------------------


def unread_count(request) -> int:
    """The member's unread portal messages, for the menu's badge."""
    if request.method in ("GET", "HEAD"):
        return request.member.unread_count
    return portal_unread_notifications(request.user).count()


@member_required
def dashboard(request):
    latest = list(portal_notifications(request.user).only(*LATEST_FIELDS)[:DASHBOARD_LATEST])
    return _page(
        request,
        "portal/dashboard.html",
        greeting=_greeting(),
        latest_notifications=latest,
        **home_figures(request.member),
    )


@member_required
def profile(request):
    member = request.member
    form = ContactForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            changed = member_update_contact(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            if changed:
                messages.success(request, _("联系方式已更新，谢谢！"))
            else:
                messages.info(request, _("没有需要保存的修改。"))
            return redirect("portal:profile")
    return _page(request, "portal/profile.html", form=form)


@member_required
def delivery(request):
    """How the member receives each kind of message: SMS, e-mail or the portal only."""
    member = request.member
    form = DeliveryForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            changed = member_update_delivery(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("消息接收方式已保存。"))
            else:
                messages.info(request, _("没有需要保存的修改。"))
            return redirect("portal:delivery")
    return _page(
        request, "portal/delivery.html", form=form, sms_daily_limit=settings.SMS_DAILY_LIMIT
    )


@member_required
def notifications(request):
    paginator = Paginator(portal_notifications(request.user), NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return _page(request, "portal/notifications.html", page=page)


def _back(request, fallback: str = "portal:notifications"):
    """To the page the form was on (``next``, this site only), else to ``fallback``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@member_required
def notification_read(request, pk):
    notification = get_object_or_404(portal_notifications(request.user), pk=pk)
    notification_mark_read(notification=notification, actor=request.user)
    return _back(request)


@require_POST
@member_required
def notifications_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return _back(request)


@require_POST
@member_required
def large_text(request):
    """Turn large-text mode on or off and stay on the page the member was reading."""
    user_set_large_text(user=request.user, on=request.POST.get("on") == "1")
    return _back(request, "portal:dashboard")
