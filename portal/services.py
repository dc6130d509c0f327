"""The portal's own small writes.

Marking messages read lives with the outbox (liaison.services).
"""

from axes.utils import reset as axes_reset

from members.selectors import member_for_user


def portal_sign_in_unlock(*, user) -> None:
    """Lift a sign-in lockout once the member has proved who they are by e-mail
    (password reset). Lockouts count per name typed, so clear every name the member
    signs in with: the account name, the member number and the mobile number."""
    names = {user.get_username()}
    member = member_for_user(user)
    if member is not None:
        names |= {member.member_no, member.mobile} - {""}
    for name in names:
        axes_reset(username=name)
