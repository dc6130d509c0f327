from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

handler500 = views.server_error

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("admin/inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("admin/", admin.site.urls),
    path("portal/", include("portal.urls")),
    # Committee leaders read the documents issued to them.
    path("reports/", include("reports.urls")),
    # Handling units act through signed links, without accounts.
    path("units/proposals/", include("proposals.urls")),
    path("units/concerns/", include("visits.urls")),
    # Read without signing in: each office's public proposals and replies per year.
    path("public/", include("proposals.public_urls")),
    # Invited experts have no accounts either: their signed links live beside the units'
    # (liaison/logs.py masks the signature in log lines under /units/).
    path("units/consultations/", include("consultations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Uploaded files, in every environment, only to those allowed to see them (behind nginx
# with MEDIA_ACCEL_REDIRECT the file itself is sent by nginx).
urlpatterns.append(
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.protected_media, name="media")
)
