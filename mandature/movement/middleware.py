"""Two-factor authentication is required of national administrators: until they have set it up
and entered a code in this session, they can only reach the account pages."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .access import role_of
from .enums import Role

OPEN_PREFIXES = ("/connexion/", "/deconnexion/", "/compte/double-authentification/", "/static/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and role_of(user) == Role.ADMIN
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('web:two-factor')}?{query}")
        return self.get_response(request)
