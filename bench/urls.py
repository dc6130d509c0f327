"""The site's URLs plus the trivial view the pages are measured against."""

from django.conf import settings
from django.urls import path

from liaison.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = list(site_urlpatterns)
if getattr(settings, "BENCH", False):
    urlpatterns.append(path("bench/ping", views.ping, name="bench_ping"))
