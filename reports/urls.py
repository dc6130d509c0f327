from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/download/word/", views.report_download_word, name="report_download_word"),
]
