"""Run in a child process on a fresh database (DATABASE_URL): migrate to the first release's
schema (officials before the contact cards moved to `relations`), write data as that release
did, then migrate to today's schema and print what came out, as JSON."""

import json
import os
import sys
from datetime import UTC, date, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
sys.path.insert(0, os.getcwd())

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

FIRST_RELEASE = [
    ("territories", "0001_initial"),
    ("officials", "0002_faster_imports"),
    ("core", "0001_initial"),
]


def main() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(FIRST_RELEASE)
    old = executor.loader.project_state(FIRST_RELEASE).apps
    Region, Departement = (
        old.get_model("territories", "Region"),
        old.get_model("territories", "Departement"),
    )
    Commune = old.get_model("territories", "Commune")
    Person, Mandate = old.get_model("officials", "Person"), old.get_model("officials", "Mandate")
    region = Region.objects.create(code="32", name="Hauts-de-France", zone="metro")
    departement = Departement.objects.create(code="59", name="Nord", zone="metro", region=region)
    lille = Commune.objects.create(
        code="59350",
        name="Lille",
        zone="metro",
        region=region,
        departement=departement,
        population=238246,
    )
    now = datetime(2026, 4, 20, tzinfo=UTC)
    mayor = Person.objects.create(
        last_name="DESLANDES",
        first_name="Arnaud",
        sex="M",
        birth_date=date(1980, 5, 1),
        match_key="deslandes|arnaud|m|1980-05-01",
        email="cabinet@lille.test",
        phone="03 20 49 50 00",
        salutation="Monsieur le Maire",
        notes="Très attentif au logement des jeunes.",
        created_at=now,
    )
    Mandate.objects.create(
        person=mayor,
        kind="municipal",
        territory_key="59350",
        commune=lille,
        start_date=date(2026, 3, 27),
        office_address="Place Augustin-Laurent, 59000 Lille",
        notes="Rendez-vous pris en mai.",
    )
    plain = Person.objects.create(
        last_name="MARTIN",
        first_name="Claire",
        sex="F",
        birth_date=date(1975, 1, 2),
        match_key="martin|claire|f",
        created_at=now,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from mandature.officials.models import Mandate as NewMandate
    from mandature.officials.models import Person as NewPerson
    from mandature.relations.models import Contact, Note
    from mandature.territories.models import Commune as NewCommune

    contact = Contact.objects.get(person_id=mayor.pk)
    after = MigrationExecutor(connection)  # what the database says is applied now
    print(
        json.dumps(
            {
                "persons": sorted(NewPerson.objects.values_list("last_name", flat=True)),
                "commune": NewCommune.objects.get(code="59350").name,
                "mandate_commune": NewMandate.objects.get(person_id=mayor.pk).commune_id,
                "contact": [
                    contact.email,
                    contact.phone,
                    contact.salutation,
                    contact.postal_address,
                ],
                "notes": sorted(
                    Note.objects.filter(person_id=mayor.pk).values_list("text", flat=True)
                ),
                "plain_has_contact": Contact.objects.filter(person_id=plain.pk).exists(),
                "pending": len(after.migration_plan(after.loader.graph.leaf_nodes())),
            }
        )
    )


if __name__ == "__main__":
    main()
