from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.views.generic import RedirectView

admin.site.site_header = "Administration de Mandature"
admin.site.site_title = "Mandature"


class AdminLogin(RedirectView):
    """The admin has no login of its own: /connexion/ (with two-factor) for everyone."""

    def get_redirect_url(self, *args, **kwargs):
        if self.request.user.is_authenticated:  # logged in, but not a national administrator
            raise PermissionDenied("L'administration est réservée aux administrateurs nationaux.")
        return f"{reverse('web:login')}?next=/admin/"


urlpatterns = [
    path("admin/login/", login_not_required(AdminLogin.as_view())),
    path("admin/", admin.site.urls),
    path("", include("mandature.web.urls")),
]
