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
_STAFF_APPS = (
    "members",
    "proposals",
    "briefings",
    "visits",
    "consultations",
    "plans",
    "reports",
)
# (app_label, model, actions) beyond the apps above.
_STAFF_EXTRA = [
    ("liaison", "handlingunit", ALL_ACTIONS),
    ("liaison", "calendarday", ("view",)),
    ("liaison", "notification", ("view",)),
    ("liaison", "job", ("view",)),
    ("liaison", "office", ("view", "change")),
]
_DISTRICT_EXTRA = [
    # The levels above the offices: kept by the staff who see every district (a
    # district's staff bound to it only view them; liaison.admin.DistrictSharedAdmin).
    ("liaison", "city", ALL_ACTIONS),
    ("liaison", "district", ALL_ACTIONS),
    ("liaison", "office", ALL_ACTIONS),
    ("liaison", "user", ALL_ACTIONS),
    # The working-day calendar is district-wide: it moves every office's deadlines.
    ("liaison", "calendarday", ALL_ACTIONS),
]
_DISTRICT_CUSTOM = [("liaison", "view_all_offices")]

ROLES = (OFFICE_STAFF, DISTRICT_STAFF, COMMITTEE_LEADER, MEMBER)

# What each role may do in the admin, model by model, as the admin grants it (the groups'
# permissions above, narrowed by the admin classes): v view, a add, c change, d delete.
# Columns follow ROLES. Committee leaders read the leaders' /reports/ pages and members
# the portal: neither has any admin access. Record-level rules come on top (an office's
# staff reach only their office's rows; a district-shared handling unit is view-only for
# office staff; only superusers give roles, and nobody edits their own).
# tests/liaison/test_role_matrix.py checks every cell through HTTP and that every model
# registered in the admin has a row: a new admin model is added here first.
# fmt: off
ADMIN_MATRIX = {
    # model                        office   district  leader  member
    "auth.group":                  ("",     "",       "",     ""),
    "axes.accessattempt":          ("",     "",       "",     ""),
    "axes.accessfailurelog":       ("",     "",       "",     ""),
    "axes.accesslog":              ("",     "",       "",     ""),
    "liaison.user":                ("",     "vacd",   "",     ""),
    "liaison.office":              ("vc",   "vacd",   "",     ""),
    "liaison.city":                ("",     "vacd",   "",     ""),
    "liaison.district":            ("",     "vacd",   "",     ""),
    "liaison.handlingunit":        ("vacd", "vacd",   "",     ""),
    # District-wide: a calendar day moves every office's working-day deadlines.
    "liaison.calendarday":         ("v",    "vacd",   "",     ""),
    "liaison.notification":        ("v",    "v",      "",     ""),
    "liaison.job":                 ("v",    "v",      "",     ""),
    "members.member":              ("vacd", "vacd",   "",     ""),
    "members.contribution":        ("vacd", "vacd",   "",     ""),
    "members.activitygroup":       ("vacd", "vacd",   "",     ""),
    # Ledger entries are added by hand or by the apps, revoked with a reason, never
    # edited or deleted; a closed year is never deleted.
    "members.pointentry":          ("va",   "va",     "",     ""),
    "members.dutyyear":            ("vac",  "vac",    "",     ""),
    # Members report in the portal; staff approve or return (change), never add or delete.
    "members.dutyclaim":           ("vc",   "vc",     "",     ""),
    # The office publishes study materials; members read them and hand in reflections
    # in the portal, which staff read.
    "members.studymaterial":       ("vacd", "vacd",   "",     ""),
    "members.studyreflection":     ("v",    "v",      "",     ""),
    # District-wide: one rules table for every office.
    "members.pointrule":           ("v",    "vac",    "",     ""),
    # District-wide lists and terms: every office uses them, the district keeps them.
    "members.term":                ("v",    "vacd",   "",     ""),
    "members.sector":              ("v",    "vacd",   "",     ""),
    "members.affiliation":         ("v",    "vacd",   "",     ""),
    "briefings.activitykind":      ("v",    "vacd",   "",     ""),
    "plans.plancategory":          ("v",    "vacd",   "",     ""),
    "proposals.proposalcategory":  ("v",    "vacd",   "",     ""),
    "visits.concerncategory":      ("v",    "vacd",   "",     ""),
    "briefings.activity":          ("vacd", "vacd",   "",     ""),
    "briefings.activityconfig":    ("vacd", "vacd",   "",     ""),
    "briefings.invitation":        ("vc",   "vc",     "",     ""),
    "briefings.opinion":           ("vcd",  "vcd",    "",     ""),
    # Recorded by staff after the activity; a wrong one is deleted (its points with it).
    "briefings.speech":            ("vacd", "vacd",   "",     ""),
    "plans.planconfig":            ("vacd", "vacd",   "",     ""),
    "plans.workplan":              ("vacd", "vacd",   "",     ""),
    "plans.workreport":            ("vacd", "vacd",   "",     ""),
    "proposals.proposal":          ("vacd", "vacd",   "",     ""),
    "proposals.proposalconfig":    ("vacd", "vacd",   "",     ""),
    "proposals.opinionreport":     ("vacd", "vacd",   "",     ""),
    "proposals.reply":             ("vcd",  "vcd",    "",     ""),
    "proposals.followup":          ("v",    "v",      "",     ""),
    "proposals.researchreport":    ("vacd", "vacd",   "",     ""),
    "reports.document":            ("vad",  "vad",    "",     ""),
    "reports.committeereply":      ("vacd", "vacd",   "",     ""),
    "visits.visit":                ("vacd", "vacd",   "",     ""),
    "visits.visitconfig":          ("vacd", "vacd",   "",     ""),
    "visits.lifeevent":            ("vacd", "vacd",   "",     ""),
    "visits.concern":              ("vacd", "vacd",   "",     ""),
    "consultations.consultation":  ("vacd", "vacd",   "",     ""),
}

# The admin's own pages beyond the changelists and forms (url name under "admin:"),
# and which roles open them.
ADMIN_PAGES = {
    # page                               office  district  leader  member
    "members_member_roster":             (True,  True,     False,  False),
    "members_member_import":             (True,  True,     False,  False),
    "members_member_import_template":    (True,  True,     False,  False),
    "members_member_export":             (True,  True,     False,  False),
    "visits_visit_coverage":             (True,  True,     False,  False),
    "visits_concern_digest":             (True,  True,     False,  False),
    "briefings_activity_sign_in":        (True,  True,     False,  False),
    "briefings_activity_qr":             (True,  True,     False,  False),
    "briefings_activity_minutes":        (True,  True,     False,  False),
    "plans_workplan_progress":           (True,  True,     False,  False),
    "consultations_consultation_compilation": (True, True,  False,  False),
    "reports_document_add":              (True,  True,     False,  False),
    "reports_document_download":         (True,  True,     False,  False),
    "reports_statistics":                (True,  True,     False,  False),
    "reports_statistics_download":       (True,  True,     False,  False),
    "members_pointentry_revoke":         (True,  True,     False,  False),
}
# fmt: on


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
