from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("<str:token>/", views.unit_concern, name="unit_concern"),
]
