"""Security headers Django does not set itself; the per-request memo."""

from . import memo

# The camera serves the check-in page (QR codes), from our own pages only; nothing else.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer Mandature builds, unless the view chose its own
    (the map's shapes, cached a day). Pages are built for one person (their scope, their
    organisation), exports and PDFs hold names, and the public pages are mostly personal links
    (an invitation, a survey answer, an unsubscribe, a publication, a shared brief): none may be
    kept by a browser's disk cache or a proxy. Static files are answered before this middleware
    (WhiteNoise, cached for a year)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
            response.setdefault("Pragma", "no-cache")  # HTTP/1.0 proxies
        return response


class RequestMemoMiddleware:
    """Opens the per-request memo (mandature.core.memo) and closes it after the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memo.begin_request()
        try:
            return self.get_response(request)
        finally:
            memo.end_request()
