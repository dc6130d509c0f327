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
