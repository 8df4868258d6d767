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
