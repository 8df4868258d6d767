"""What every page knows of the logged-in user: role, organisation, scope, allowed actions."""

from .access import RULES, can, profile_of, role_of
from .enums import Role
from .scope import scope_of


def account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"account": None}
    role = role_of(user)
    profile = profile_of(user)
    return {
        "account": {
            "role": Role(role).label if role else "aucun rôle",
            "organisation": profile.organisation if profile else None,
            "scope": scope_of(user),
            "can": {action: can(user, action) for action in RULES},
        }
    }
