from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path(
        "proposals/<slug:office>/<int:year>/",
        public.public_proposal_list,
        name="proposals",
    ),
]
