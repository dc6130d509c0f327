from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def ping(request):
    """Signed in, through the same middleware as every page, a few bytes back: the
    baseline each page's latency is divided by."""
    return HttpResponse(b"pong", content_type="text/plain")
