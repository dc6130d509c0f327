from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import Member


class MemberSignInBackend(ModelBackend):
    """Members sign in to the portal with their mobile number or member number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        username = username.strip()
        member = (
            Member.objects.select_related("user")
            .filter(Q(mobile=username) | Q(member_no=username), user__isnull=False)
            .exclude(status=Member.Status.DECEASED)
            .first()
        )
        if member is None:
            # Spend the same time as a real check so timing does not reveal who exists.
            get_user_model()().set_password(password)
            return None
        user = member.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """The name django-axes counts failures under (AXES_USERNAME_CALLABLE).

    A member may type a mobile number or a member number; both map to the account, so
    five wrong passwords lock the account however it is named, not five per spelling.
    """
    typed = ((credentials or {}).get("username") or "").strip()
    if not typed:
        return typed
    username = (
        Member.objects.filter(Q(mobile=typed) | Q(member_no=typed), user__isnull=False)
        .values_list("user__username", flat=True)
        .first()
    )
    return username or typed
