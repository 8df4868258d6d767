"""What each role may do. Territory is the scope's business (scope.py); this is about actions."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .enums import OrganisationKind, Role

# action → roles allowed
RULES: dict[str, set[str]] = {
    "edit": {Role.ADMIN, Role.CHARGE, Role.ORGANISM},  # contacts, notes, interactions, follow-ups
    "export": {Role.ADMIN, Role.CHARGE, Role.ORGANISM},  # exports holding personal data
    "campaigns": {Role.ADMIN, Role.CHARGE, Role.ORGANISM},  # write and send campaigns
    "events": {Role.ADMIN, Role.CHARGE, Role.ORGANISM},  # organise events, check people in
    "surveys": {Role.ADMIN, Role.CHARGE, Role.ORGANISM},  # build and send surveys
    "publications": {Role.ADMIN, Role.CHARGE},  # the movement's documents and their versions
    "override": {Role.ADMIN},  # send despite a « interdit » of the electoral-period check
    "brief_batches": {Role.ADMIN, Role.CHARGE},
    "invite": {Role.ADMIN, Role.CHARGE},  # a chargé de mission invites into their organisation
    "organisms": {Role.ADMIN, Role.CHARGE},  # edit the organisms of their territory
    "organisations": {Role.ADMIN},  # every organisation, the organisms import
    "snapshots": {Role.ADMIN, Role.CHARGE},
    "import_rne": {Role.ADMIN},
    "identities": {Role.ADMIN},
    "audit": {Role.ADMIN},
    "erase": {Role.ADMIN},  # GDPR erasure on request
}

ACTION_LABELS = {
    "edit": "modifier les fiches de contact et le suivi",
    "export": "exporter des données personnelles",
    "campaigns": "préparer et envoyer des campagnes",
    "events": "organiser des événements et accueillir les participants",
    "surveys": "préparer et envoyer des enquêtes, lire leurs résultats",
    "publications": "gérer les publications du Mouvement",
    "override": "passer outre un « interdit » de la période électorale",
    "brief_batches": "produire des fiches en lot",
    "invite": "inviter des utilisateurs",
    "organisms": "modifier les organismes",
    "organisations": "gérer les organisations",
    "snapshots": "consulter les imports du RNE",
    "import_rne": "importer un fichier du RNE",
    "identities": "vérifier les identités",
    "audit": "consulter les journaux (accès, tâches, synchronisations)",
    "erase": "effacer les données d'une personne",
}


def profile_of(user):
    """The user's Profile, or None (anonymous, or an account made without one)."""
    if not user.is_authenticated:
        return None
    return getattr(user, "profile", None)  # a missing one-to-one raises an AttributeError


def organisation_of(user):
    profile = profile_of(user)
    return profile.organisation if profile else None


def of_organisation(user, queryset):
    """The objects (segments, campaigns, events, surveys…) of the user's organisation; every
    organisation's for a national administrator."""
    if role_of(user) == Role.ADMIN:
        return queryset
    return queryset.filter(organisation=organisation_of(user))


def owns(user, obj) -> bool:
    """May the user change a shared object (a publication…)? Its organisation's users may;
    the movement's national objects (no organisation, or the Union's) are for national
    administrators only, who may change every object."""
    if role_of(user) == Role.ADMIN:
        return True
    organisation = obj.organisation
    if organisation is None or organisation.kind == OrganisationKind.UNION:
        return False
    mine = organisation_of(user)
    return mine is not None and mine.pk == organisation.pk


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    profile = profile_of(user)
    if profile is not None:
        return profile.role
    return Role.ADMIN if user.is_superuser else None


def can(user, action: str) -> bool:
    return role_of(user) in RULES[action]


def require(action: str):
    """View decorator: 403 for a logged-in user whose role does not allow the action."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can(request.user, action):
                raise PermissionDenied(f"Votre rôle ne permet pas de {ACTION_LABELS[action]}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
