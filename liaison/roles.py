"""Roles are Django groups with permissions, created by data migrations.

The table below is the one place that says what each role may do. Every app that adds
models adds a migration ending in ``sync_operation()`` so its new permissions reach the
groups; re-running it is harmless.
"""

from django.db import migrations

OFFICE_STAFF = "联络处工作人员"
DISTRICT_STAFF = "区政协工作人员"
COMMITTEE_LEADER = "委员会领导"
MEMBER = "政协委员"

ALL_ACTIONS = ("add", "change", "delete", "view")

# App labels whose every model office staff run in full.
_STAFF_APPS = ("members", "proposals", "briefings", "visits", "plans", "reports")
# (app_label, model, actions) beyond the apps above.
_STAFF_EXTRA = [
    ("liaison", "handlingunit", ALL_ACTIONS),
    ("liaison", "calendarday", ALL_ACTIONS),
    ("liaison", "notification", ("view",)),
    ("liaison", "office", ("view", "change")),
]
_DISTRICT_EXTRA = [
    ("liaison", "office", ALL_ACTIONS),
    ("liaison", "user", ALL_ACTIONS),
]
_DISTRICT_CUSTOM = [("liaison", "view_all_offices")]

ROLES = (OFFICE_STAFF, DISTRICT_STAFF, COMMITTEE_LEADER, MEMBER)


def _model_perm_filter(Permission, app_label, model, actions):
    return Permission.objects.filter(
        content_type__app_label=app_label,
        content_type__model=model,
        codename__in=[f"{action}_{model}" for action in actions],
    )


def sync_roles(apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}

    staff_perms = set(
        Permission.objects.filter(content_type__app_label__in=_STAFF_APPS).exclude(
            # History rows are written by the system, never by hand.
            content_type__model__startswith="historical"
        )
    )
    for app_label, model, actions in _STAFF_EXTRA:
        staff_perms |= set(_model_perm_filter(Permission, app_label, model, actions))
    district_perms = set(staff_perms)
    for app_label, model, actions in _DISTRICT_EXTRA:
        district_perms |= set(_model_perm_filter(Permission, app_label, model, actions))
    for app_label, codename in _DISTRICT_CUSTOM:
        district_perms |= set(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    groups[OFFICE_STAFF].permissions.set(staff_perms)
    groups[DISTRICT_STAFF].permissions.set(district_perms)


def _create_permissions_and_sync(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate finishes; create them now so the
    # groups can be given them in the same run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


def sync_operation():
    return migrations.RunPython(_create_permissions_and_sync, migrations.RunPython.noop)
