from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose English with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC
    or phone set to English would get an English interface; the office works in Chinese
    (DOMAIN.md), and English is an explicit choice, kept in the language cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every page Django answers.

    The portal shows a member's own records, the admin everyone's, and a unit page is
    reached through a signed link that is itself a credential: none of it may be kept by
    a shared proxy or in a browser's cache on an office PC. Static files never get here
    (WhiteNoise answers them first, with its own far-future headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # patch_cache_control drops a conflicting "public" and keeps never_cache's extras.
        patch_cache_control(response, private=True, no_store=True)
        return response
