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


API_PREFIX = "/api/"
NUL_REFUSED = "Cette demande contient un caractère nul : elle ne peut pas être traitée."


class NulRefusedMiddleware:
    """400 for a request to a page carrying a NUL character in its address, its query string, a
    form field or a JSON body. No person types one; PostgreSQL refuses it in text (an error 500 on
    whatever view would compare it with a column); the forms and imports drop the other control
    characters themselves (mandature.core.forms.CleanText, mandature.core.text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # the API validates each of its parameters by its schema (a NUL is a 422 there, its
        # documented answer to an invalid parameter): only the pages are guarded here
        if not request.path.startswith(API_PREFIX) and self._carries_nul(request):
            from django.shortcuts import render

            return render(request, "400.html", {"reason": NUL_REFUSED}, status=400)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return True
        if request.method != "POST":
            return False
        content_type = request.content_type or ""
        if content_type == "application/json":
            return b"\\u0000" in request.body or b"\x00" in request.body
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.POST.lists()
            )
        return False


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
