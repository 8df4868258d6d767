from functools import wraps
from pathlib import Path

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import include, path, reverse
from django.views.generic import RedirectView
from ninja.openapi.docs import Swagger

from mandature.api.views import api
from mandature.core.health import health

admin.site.site_header = "Administration de Mandature"
admin.site.site_title = "Mandature"


class AdminLogin(RedirectView):
    """The admin has no login of its own: /connexion/ (with two-factor) for everyone."""

    def get_redirect_url(self, *args, **kwargs):
        if self.request.user.is_authenticated:  # logged in, but not a national administrator
            raise PermissionDenied("L'administration est réservée aux administrateurs nationaux.")
        return f"{reverse('web:login')}?next=/admin/"


def _french_405(view):
    """django-ninja answers a method it does not serve with an English text: the API's JSON."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = JsonResponse(
                {
                    "detail": f"Méthode {request.method} non permise à cette adresse ; "
                    f"permise(s) : {allowed}."
                },
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped


def _api_urls():
    """/api/v1/…: the API authenticates each call itself (a token, or the session)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _french_405(pattern.callback)
        pattern.callback.login_required = False
    return patterns, app_name, namespace


@login_not_required
def api_docs(request):
    """/api/docs: the interactive documentation (Swagger UI served from our static files)."""
    return Swagger({"persistAuthorization": False}).render_page(request, api)


@login_not_required
def healthz(request):
    """For the load balancer and the monitoring: 200 when the database answers and a task
    worker was seen in the last minute, else 503; JSON either way (no personal data)."""
    report = health()
    response = JsonResponse(report, status=200 if report["ok"] else 503)
    response["Cache-Control"] = "no-store"
    return response


FAVICON = Path(__file__).resolve().parent / "web" / "static" / "web" / "favicon.ico"


@login_not_required
def favicon(request):
    """/favicon.ico, which browsers ask for on their own."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", _api_urls()),
    path("api/docs", api_docs, name="api-docs"),
    path("admin/login/", login_not_required(AdminLogin.as_view())),
    path("admin/", admin.site.urls),
    path("", include("mandature.web.urls")),
]
