"""Which offices a user may see. Staff see their own office; district staff (permission
``liaison.view_all_offices``) and superusers see every office."""

from django.db.models import Q, QuerySet

from .models import Office


def sees_all_offices(user) -> bool:
    return user.is_superuser or user.has_perm("liaison.view_all_offices")


def visible_offices(user) -> QuerySet[Office]:
    if sees_all_offices(user):
        return Office.objects.all()
    if user.office_id:
        return Office.objects.filter(pk=user.office_id)
    return Office.objects.none()


def scope_queryset(qs: QuerySet, user, office_field: str = "office", shared: bool = False):
    """Limit ``qs`` to the user's offices. ``shared`` also keeps rows whose office is
    empty (district-wide records such as higher-level handling units)."""
    if sees_all_offices(user):
        return qs
    if not user.office_id:
        return qs.none()
    # "id" scopes the Office table itself; otherwise the path names a foreign key.
    lookup = "pk" if office_field in ("id", "pk") else f"{office_field}_id"
    condition = Q(**{lookup: user.office_id})
    if shared:
        condition |= Q(**{f"{office_field}__isnull": True})
    return qs.filter(condition)


def office_count(request) -> int:
    """How many offices this installation has, counted once per request."""
    if not hasattr(request, "_office_count"):
        request._office_count = Office.objects.count()
    return request._office_count


def is_single_office(request) -> bool:
    return office_count(request) <= 1


def default_office(request) -> Office | None:
    """The office a new record belongs to when the user does not choose one."""
    if request.user.office_id:
        return request.user.office
    if is_single_office(request):
        return Office.objects.first()
    return None
