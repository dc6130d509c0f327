"""Which uploaded files exist and who may read them. Each app registers its file fields
in its AppConfig.ready() (as it registers its admin index panels), with the path from
the model to the office that owns the record and, where members may fetch the file,
the paths to their users; the /media/ view (liaison.views.protected_media) asks here
without importing the apps. tests/security/test_media.py fails when a file field of any
installed model is not registered."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.apps import apps
from django.db.models import Q

from .scoping import scope_queryset


@dataclass(frozen=True)
class ProtectedFile:
    model: str  # app label.ModelName
    field: str
    office_path: str
    owner_paths: tuple[str, ...] = ()


_files: dict[tuple[str, str], ProtectedFile] = {}


def protect(model: str, field: str, *, office: str, owners: tuple[str, ...] = ()) -> None:
    """Register ``model.field``: staff of the office at ``office`` and the users at
    ``owners`` may read its files."""
    _files[(model, field)] = ProtectedFile(model, field, office, tuple(owners))


def protected_files() -> list[ProtectedFile]:
    return list(_files.values())


def may_read(user, name: str) -> bool:
    """Whether ``user`` may read the uploaded file stored as ``name``: staff of the
    office that owns the record (the admin's scoping), or the member who owns it."""
    for entry in _files.values():
        model = apps.get_model(entry.model)
        records = model._default_manager.filter(**{entry.field: name})
        if user.is_staff and scope_queryset(records, user, entry.office_path).exists():
            return True
        if (
            entry.owner_paths
            and records.filter(
                reduce(operator.or_, (Q(**{path: user}) for path in entry.owner_paths))
            ).exists()
        ):
            return True
    return False
