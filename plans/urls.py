from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.reports, name="reports"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
]
