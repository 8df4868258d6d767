"""The national union, its five federations and one regional association per région.

The regional associations are named after their région; national administrators correct names,
sigles and territories in the UI (some associations cover two régions or a group of
départements). Run by `load-data`; idempotent, never overwrites what a user edited.
"""

from mandature.territories.enums import Zone
from mandature.territories.models import Region

from .enums import Family, OrganisationKind
from .models import Organisation

UNION = ("L'Union sociale pour l'habitat", "USH")
FEDERATIONS = [
    ("Fédération des Offices publics de l'habitat", "FOPH", Family.OPH),
    ("Fédération des Entreprises sociales pour l'habitat", "Fédération des ESH", Family.ESH),
    ("Fédération des coopératives Hlm", "Coop'Hlm", Family.COOP),
    ("PROCIVIS", "PROCIVIS", Family.SACICAP),
    ("Fédération des associations régionales Hlm", "FNAR", ""),
]
REGIONAL_FEDERATION = "FNAR"


def seed_organisations() -> int:
    """Creates what is missing; returns the number of organisations created."""
    created = 0
    _, new = Organisation.objects.get_or_create(
        kind=OrganisationKind.UNION, defaults={"name": UNION[0], "short_name": UNION[1]}
    )
    created += new
    for name, short, _family in FEDERATIONS:
        _, new = Organisation.objects.get_or_create(
            kind=OrganisationKind.FEDERATION, short_name=short, defaults={"name": name}
        )
        created += new
    regional_federation = Organisation.objects.get(
        kind=OrganisationKind.FEDERATION, short_name=REGIONAL_FEDERATION
    )
    covered = set(
        Organisation.objects.filter(kind=OrganisationKind.REGIONAL).values_list(
            "regions", flat=True
        )
    )
    # The 18 régions; not the overseas collectivities (zone « com »), where the Hlm law and the
    # movement's regional associations do not apply.
    for region in Region.objects.exclude(zone=Zone.COM).order_by("code"):
        if region.code in covered:
            continue
        association = Organisation.objects.create(
            kind=OrganisationKind.REGIONAL,
            name=f"Association régionale Hlm {region.name}",
            short_name=f"AR Hlm {region.name}",
            federation=regional_federation,
        )
        association.regions.add(region)
        created += 1
    return created


def federation_for(family: str):
    """The federation an organism of this family belongs to by default."""
    short = {f: s for _n, s, f in FEDERATIONS if f}.get(family)
    if not short:
        return None
    return Organisation.objects.filter(kind=OrganisationKind.FEDERATION, short_name=short).first()
