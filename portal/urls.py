from django.urls import path

from . import accounts, briefings, consultations, proposals, records, views, visits

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/sms/", accounts.sms_login, name="sms_login"),
    path("activate/", accounts.activate, name="activate"),
    path("activate/<str:code>/", accounts.activate_code, name="activate_code"),
    path("password-reset/sms/", accounts.sms_password_reset, name="sms_password_reset"),
    path(
        "password-reset/sms/new/",
        accounts.sms_password_reset_set,
        name="sms_password_reset_set",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/messages/", views.delivery, name="delivery"),
    path("large-text/", views.large_text, name="large_text"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/new/", proposals.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/act/<str:name>/", proposals.proposal_act, name="proposal_act"),
    # Named shortcuts to the one action handler (links in e-mails and older pages).
    path(
        "proposals/<int:pk>/submit/",
        proposals.proposal_act,
        {"name": "submit"},
        name="proposal_submit",
    ),
    path(
        "proposals/<int:pk>/withdraw/",
        proposals.proposal_act,
        {"name": "withdraw"},
        name="proposal_withdraw",
    ),
    path("proposals/<int:pk>/cosign/", proposals.proposal_cosign, name="proposal_cosign"),
    path(
        "proposals/<int:pk>/feedback/",
        proposals.proposal_act,
        {"name": "feedback"},
        name="proposal_feedback",
    ),
    path("opinions/", proposals.opinion_list, name="opinions"),
    path("opinions/new/", proposals.opinion_create, name="opinion_create"),
    path("opinions/<int:pk>/", proposals.opinion_detail, name="opinion_detail"),
    path("opinions/<int:pk>/edit/", proposals.opinion_edit, name="opinion_edit"),
    path("opinions/<int:pk>/act/<str:name>/", proposals.opinion_act, name="opinion_act"),
    path(
        "opinions/<int:pk>/submit/",
        proposals.opinion_act,
        {"name": "submit"},
        name="opinion_submit",
    ),
    path("research/", proposals.research_list, name="research"),
    path("research/<int:pk>/", proposals.research_detail, name="research_detail"),
    path("visits/", visits.visit_list, name="visits"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("life-events/new/", visits.life_event_create, name="life_event_create"),
    path("concerns/", visits.concern_list, name="concerns"),
    path("concerns/new/", visits.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", visits.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/act/<str:name>/", visits.concern_act, name="concern_act"),
    # A named shortcut to the one action handler (pages drawn before it existed).
    path(
        "concerns/<int:pk>/confirm/",
        visits.concern_act,
        {"name": "confirm"},
        name="concern_confirm",
    ),
    path("activities/", briefings.activity_list, name="activities"),
    path("activities/calendar/", briefings.activity_calendar, name="activity_calendar"),
    path("activities/<int:pk>/", briefings.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/act/<str:name>/", briefings.activity_act, name="activity_act"),
    # Named shortcuts to the one action handler (older pages and bookmarks).
    path(
        "activities/<int:pk>/reply/",
        briefings.activity_act,
        {"name": "reply"},
        name="activity_reply",
    ),
    path(
        "activities/<int:pk>/opinion/",
        briefings.activity_act,
        {"name": "opinion"},
        name="activity_opinion",
    ),
    path(
        "activities/<int:pk>/materials/<int:material_pk>/",
        briefings.activity_material,
        name="activity_material",
    ),
    path(
        "activities/<int:pk>/sign-in/<str:token>/",
        briefings.activity_sign_in,
        name="activity_sign_in",
    ),
    path("consultations/", consultations.consultation_list, name="consultations"),
    path(
        "consultations/<int:pk>/",
        consultations.consultation_detail,
        name="consultation_detail",
    ),
    path(
        "consultations/<int:pk>/documents/<int:document_pk>/",
        consultations.consultation_document,
        name="consultation_document",
    ),
    path("records/", records.duty_record, name="duty_record"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
