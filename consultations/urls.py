from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("<str:token>/", views.expert_consultation, name="expert"),
    path(
        "<str:token>/documents/<int:document_pk>/",
        views.expert_document,
        name="expert_document",
    ),
]
