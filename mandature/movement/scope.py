"""The territorial scope of a user: the one place that says what a user may see.

Every page, list, search, export and API call filters through `scope_of(user)`. A scope is all of
France, or a union of régions, départements and communes. It comes from the user's organisation
(a regional association's région, an organism's départements and communes) and can be narrowed
user by user. National administrators, the union and the federations see all of France.

The objects an organisation shares among its users (events, surveys, campaigns, segments,
publications' hand-overs, follow-ups) are fetched by organisation, but the people in them are
filtered by the viewer's scope, never by the organisation alone: `Scope.shared_q` says who may
be named, `visible` splits a queryset into the rows shown and the number of the others, and
`outside_text` counts those others (« 3 personnes hors de votre territoire ») without naming
them.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from mandature.core.french import NBSP, number
from mandature.core.memo import national
from mandature.officials.models import Mandate
from mandature.territories.models import Commune, Departement, Epci, Region

from .access import profile_of
from .enums import OrganisationKind, Role
from .models import Organisation, Profile


@dataclass(frozen=True)
class Scope:
    national: bool = False
    regions: frozenset[str] = field(default_factory=frozenset)
    departements: frozenset[str] = field(default_factory=frozenset)
    communes: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.national or self.regions or self.departements or self.communes)

    # --- communes -------------------------------------------------------------------------
    def commune_q(self, prefix: str = "") -> Q:
        """A filter on Commune (prefix "") or on a model with a commune (prefix "commune__")."""
        if self.national:
            return Q()
        q = Q(pk__in=[])  # nothing
        if self.regions:
            q |= Q(**{f"{prefix}region_id__in": sorted(self.regions)})
        if self.departements:
            q |= Q(**{f"{prefix}departement_id__in": sorted(self.departements)})
        if self.communes:
            q |= Q(**{f"{prefix}code__in": sorted(self.communes)})
        return q

    def filter_communes(self, queryset: QuerySet) -> QuerySet:
        return queryset if self.national else queryset.filter(self.commune_q())

    def has_commune(self, commune: Commune) -> bool:
        return (
            self.national
            or commune.code in self.communes
            or commune.departement_id in self.departements
            or commune.region_id in self.regions
        )

    # --- larger territories (seen when any part of them is in scope) ----------------------
    @cached_property
    def departement_codes(self) -> frozenset[str] | None:
        """Départements wholly or partly in scope (None: all)."""
        if self.national:
            return None
        codes = set(self.departements)
        if self.regions:
            codes |= set(
                Departement.objects.filter(region_id__in=self.regions).values_list("pk", flat=True)
            )
        if self.communes:
            codes |= set(
                Commune.objects.filter(code__in=self.communes).values_list(
                    "departement_id", flat=True
                )
            )
        return frozenset(codes)

    @cached_property
    def region_codes(self) -> frozenset[str] | None:
        if self.national:
            return None
        return (
            frozenset(
                Departement.objects.filter(code__in=self.departement_codes).values_list(
                    "region_id", flat=True
                )
            )
            | self.regions
        )

    def has_departement(self, code: str) -> bool:
        return self.national or code in self.departement_codes

    def has_region(self, code: str) -> bool:
        return self.national or code in self.region_codes

    def _epcis(self) -> QuerySet:
        """SIREN of the EPCI with a member commune in scope, as a subquery."""
        return Commune.objects.filter(self.commune_q()).exclude(epci=None).values("epci_id")

    @cached_property
    def epci_codes(self) -> frozenset[str] | None:
        """SIREN of the EPCI with a member commune in scope (None: all)."""
        if self.national:
            return None

        return national(
            ("scope-epcis", self.regions, self.departements, self.communes),
            lambda: frozenset(self._epcis().values_list("epci_id", flat=True)),
        )

    def epci_q(self, prefix: str = "") -> Q:
        """A filter on Epci (prefix "") or a model with an EPCI: any member commune in scope."""
        if self.national:
            return Q()
        return Q(**{f"{prefix}siren__in": self._epcis()})

    def has_epci(self, epci: Epci) -> bool:
        return self.national or epci.communes.filter(self.commune_q()).exists()

    # --- officials --------------------------------------------------------------------------
    def mandate_q(self, prefix: str = "") -> Q:
        """A filter on Mandate (prefix "") or on a model with a mandate ("mandate__"): the seat's
        commune, EPCI, département or région is in scope."""
        if self.national:
            return Q()
        p = prefix
        q = self.commune_q(f"{p}commune__") | Q(**{f"{p}epci_id__in": self._epcis()})
        if self.departements:
            q |= Q(**{f"{p}departement_id__in": sorted(self.departements)})
        if self.regions:
            q |= Q(**{f"{p}region_id__in": sorted(self.regions)})
            q |= Q(**{f"{p}departement__region_id__in": sorted(self.regions)})
        return q

    def person_q(self, prefix: str = "") -> Q:
        """A filter on Person: one of their mandates is in scope."""
        if self.national:
            return Q()

        return Q(
            **{f"{prefix}pk__in": Mandate.objects.filter(self.mandate_q()).values("person_id")}
        )

    def has_person(self, person) -> bool:
        if self.national:
            return True
        return person.mandates.filter(self.mandate_q()).exists()

    # --- the people in what an organisation shares --------------------------------------------
    def shared_q(self, person: str = "person", commune: str = "", unplaced: Q | None = None) -> Q:
        """A filter on a row about someone (an invitation, a respondent, a recipient, a
        hand-over, a follow-up): may the viewer see who it is?

        - an official (the row's `person` path set): when one of their mandates is in scope,
          exactly as their own page (404 elsewhere);
        - no official (a public registrant, a person erased since): by the row's `commune`
          path when it has one and it is given;
        - neither: `unplaced` decides (default: shown, the row names no official of any
          territory — an anonymous answer to a public link, a task about no one).
        """
        if self.national:
            return Q()
        q = Q(**{f"{person}__isnull": False}) & self.person_q(f"{person}__")
        placed = Q(**{f"{person}__isnull": True})
        if commune:
            q |= placed & Q(**{f"{commune}__isnull": False}) & self.commune_q(f"{commune}__")
            placed &= Q(**{f"{commune}__isnull": True})
        return q | (placed & (Q() if unplaced is None else unplaced))

    def invitation_q(self, prefix: str = "") -> Q:
        """Who may be named among an event's invitees: Invitation (prefix "") or Registration
        ("invitation__"). An official by their mandates; someone else (a request through the
        public form) by the commune they gave; with none, by the event's venue commune (they
        are coming there); an event with no venue shows them to whoever sees the event (they
        are the organiser's own correspondents, of no territory)."""
        if self.national:
            return Q()
        venue = Q(**{f"{prefix}event__commune__isnull": True}) | self.commune_q(
            f"{prefix}event__commune__"
        )
        return self.shared_q(f"{prefix}person", f"{prefix}commune", unplaced=venue)

    def describe(self) -> str:
        if self.national:
            return "France entière"
        parts = []
        if self.regions:
            names = Region.objects.filter(pk__in=self.regions).order_by("name")
            parts += [r.name for r in names]
        if self.departements:
            names = Departement.objects.filter(pk__in=self.departements).order_by("code")
            parts += [f"{d.name} ({d.code})" for d in names]
        if self.communes:
            names = Commune.objects.filter(pk__in=self.communes).order_by("name")
            parts += [c.name for c in names[:10]]
            if len(self.communes) > 10:
                parts.append(f"et {len(self.communes) - 10} autres communes")
        return ", ".join(parts) or "aucun territoire"


NATIONAL = Scope(national=True)
NOTHING = Scope()


def organisation_scope(organisation) -> Scope:
    if organisation.kind in (OrganisationKind.UNION, OrganisationKind.FEDERATION):
        return NATIONAL
    regions = frozenset(organisation.regions.values_list("pk", flat=True))
    departements = frozenset(organisation.departements.values_list("pk", flat=True))
    communes = set(organisation.communes.values_list("pk", flat=True))
    if not (regions or departements or communes) and organisation.head_office_id:
        communes.add(organisation.head_office_id)
    return Scope(False, regions, departements, frozenset(communes))


def profile_scope(profile) -> Scope:
    """The profile's narrowed territory, else its organisation's: the six territory links read
    in one query (this runs on every page)."""
    if profile.role == Role.ADMIN:
        return NATIONAL

    parts, params = [], []
    for model, owner, owner_id in (
        (Profile, "P", profile.pk),
        (Organisation, "O", profile.organisation_id),
    ):
        for kind, name in (("r", "regions"), ("d", "departements"), ("c", "communes")):
            field_ = model._meta.get_field(name)
            through = field_.remote_field.through._meta
            parts.append(
                f"SELECT '{owner}', '{kind}', {field_.m2m_reverse_name()} FROM {through.db_table} "
                f"WHERE {field_.m2m_column_name()} = %s"
            )
            params.append(owner_id)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        links = cursor.fetchall()
    found = {"P": {"r": set(), "d": set(), "c": set()}, "O": {"r": set(), "d": set(), "c": set()}}
    for owner, kind, code in links:
        found[owner][kind].add(code)
    mine = found["P"]
    narrowed = Scope(False, frozenset(mine["r"]), frozenset(mine["d"]), frozenset(mine["c"]))
    if not narrowed.empty:
        return narrowed
    organisation = profile.organisation
    if organisation.kind in (OrganisationKind.UNION, OrganisationKind.FEDERATION):
        return NATIONAL
    theirs = found["O"]
    communes = set(theirs["c"])
    if not (theirs["r"] or theirs["d"] or communes) and organisation.head_office_id:
        communes.add(organisation.head_office_id)
    return Scope(False, frozenset(theirs["r"]), frozenset(theirs["d"]), frozenset(communes))


def scope_of(user) -> Scope:
    """The user's scope, computed once per request (kept on the user object)."""
    if not user.is_authenticated:
        return NOTHING
    cached = getattr(user, "_mandature_scope", None)
    if cached is None:
        profile = profile_of(user)
        if profile is not None:
            cached = profile_scope(profile)
        else:
            cached = NATIONAL if user.is_superuser else NOTHING
        user._mandature_scope = cached
    return cached


def visible(queryset: QuerySet, q: Q, person: str = "") -> tuple[QuerySet, int]:
    """The rows of a shared object the viewer may see (`q` from `Scope.shared_q`…), and how
    many others there are: counted, never named. With `person` (the path to the person of a
    row, when one person may have several rows), the others are counted by person."""
    if not q:  # all of France
        return queryset, 0
    inside = queryset.filter(q)
    if not person:
        return inside, queryset.count() - inside.count()
    others = queryset.exclude(pk__in=inside.values("pk"))
    return inside, others.order_by().values(person).distinct().count()


def outside_text(count: int) -> str:
    """« 3 personnes hors de votre territoire », « 1 personne … » (empty for none)."""
    if not count:
        return ""

    return f"{number(count)}{NBSP}personne{'s' if count > 1 else ''} hors de votre territoire"


def commune_or_404(user, commune: Commune) -> Commune:
    """The commune if it lies in the user's territory; otherwise « not found », as for a commune
    that does not exist (a page must not tell what lies outside one's territory)."""
    if not scope_of(user).has_commune(commune):
        raise Http404("commune hors de votre territoire")
    return commune


def narrowing_fits(organisation_scope_: Scope, narrowed: Scope) -> list[str]:
    """What of a narrowed scope lies outside the organisation's (empty: it fits)."""
    if organisation_scope_.national:
        return []
    outside = []
    for code in narrowed.regions:
        if code not in organisation_scope_.regions:
            outside.append(f"région {code}")
    for code in narrowed.departements:
        if not (
            code in organisation_scope_.departements
            or Departement.objects.filter(
                pk=code, region_id__in=organisation_scope_.regions
            ).exists()
        ):
            outside.append(f"département {code}")
    for commune in Commune.objects.filter(pk__in=narrowed.communes):
        if not organisation_scope_.has_commune(commune):
            outside.append(f"commune {commune.code}")
    return outside
