from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("<str:token>/", views.unit_assignment, name="unit_assignment"),
]
