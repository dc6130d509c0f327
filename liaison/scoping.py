"""Which offices a user may see, at three levels:

- office staff see their own office (``User.office``);
- district staff (permission ``liaison.view_all_offices``) bound to a district
  (``User.district``) see that district's offices;
- the same role bound to no district — the city's staff, or in a one-district
  installation the district's — and superusers see every office.

Every office-owned query of the admin, the dashboards, the statistics and the
documents goes through ``visible_offices`` or ``scope_queryset``.
"""

from django.db.models import Q, QuerySet

from .models import Office


def sees_many_offices(user) -> bool:
    """District or city level: the account works above a single office."""
    return user.is_superuser or user.has_perm("liaison.view_all_offices")


def sees_all_offices(user) -> bool:
    """City level (or the district's in a one-district installation): every office,
    and the tables every district shares (terms, sectors, the calendar …)."""
    return user.is_superuser or (sees_many_offices(user) and not getattr(user, "district_id", None))


def district_of(user):
    """The district whose offices a district-level account sees, or ``None``."""
    district = getattr(user, "district_id", None)
    if district is None or user.is_superuser or not sees_many_offices(user):
        return None
    return district


def visible_offices(user) -> QuerySet[Office]:
    if sees_all_offices(user):
        return Office.objects.all()
    district = district_of(user)
    if district is not None:
        return Office.objects.filter(district_id=district)
    if user.office_id:
        return Office.objects.filter(pk=user.office_id)
    return Office.objects.none()


def visible_office_ids(user):
    """``visible_offices`` as a filter value for ``office_id__in``: the one id of an
    office's staff (no query), a subquery for a district's, ``None`` for every office."""
    if sees_all_offices(user):
        return None
    if district_of(user) is None:
        return [user.office_id] if getattr(user, "office_id", None) else []
    return visible_offices(user).values("pk")


def home_district_id(user):
    """The district an account belongs to: its own, or its office's."""
    if getattr(user, "district_id", None):
        return user.district_id
    office = user.office if getattr(user, "office_id", None) else None
    return office.district_id if office is not None else None


def scope_queryset(qs: QuerySet, user, office_field: str = "office", shared: bool = False):
    """Limit ``qs`` to the user's offices. ``shared`` also keeps the rows shared above an
    office (office empty; handling units): the city's (district empty too) and the
    user's district's."""
    if sees_all_offices(user):
        return qs
    # "id" scopes the Office table itself; otherwise the path names a foreign key.
    own = office_field in ("id", "pk")
    lookup = "pk" if own else f"{office_field}_id"
    district = district_of(user)
    if district is not None:
        offices = Office.objects.filter(district_id=district)
        condition = Q(district_id=district) if own else Q(**{f"{lookup}__in": offices.values("pk")})
    elif getattr(user, "office_id", None):
        condition = Q(**{lookup: user.office_id})
    else:
        return qs.none()
    if shared:
        home = home_district_id(user)
        above = Q(district__isnull=True)
        if home is not None:
            above |= Q(district_id=home)
        condition |= Q(**{f"{office_field}__isnull": True}) & above
    return qs.filter(condition)


def office_count(request) -> int:
    """How many offices this installation has, counted once per request."""
    if not hasattr(request, "_office_count"):
        request._office_count = Office.objects.count()
    return request._office_count


def is_single_office(request) -> bool:
    return office_count(request) <= 1


def has_districts(request) -> bool:
    """Whether offices belong to more than one district (else the level never shows)."""
    if not hasattr(request, "_has_districts"):
        request._has_districts = (
            Office.objects.exclude(district=None)
            .order_by()
            .values("district")
            .distinct()[:2]
            .count()
            > 1
        )
    return request._has_districts


def shows_districts(request) -> bool:
    """Whether per-office tables group their offices by district: the city's staff (or a
    superuser) in an installation of several districts."""
    return sees_all_offices(request.user) and has_districts(request)


def default_office(request) -> Office | None:
    """The office a new record belongs to when the user does not choose one."""
    if request.user.office_id:
        return request.user.office
    if is_single_office(request):
        return Office.objects.first()
    return None
