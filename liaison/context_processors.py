from django.conf import settings


def site(request):
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES}
