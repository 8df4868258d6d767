"""Segments: filters over the officials in office, inside the user's scope; objections excluded;
a live count; list and export (logged)."""

import csv
import io
from datetime import date
from html import unescape

from mandature.campaigns.models import Segment
from mandature.campaigns.segments import evaluate
from mandature.core.french import function_title
from mandature.core.models import AuditLog
from mandature.movement.scope import scope_of
from mandature.officials.enums import ChangeType
from mandature.relations.models import Contact, Interaction, Tag
from mandature.relations.services import my_territory
from tests.conftest import login


def test_new_mayors_of_the_region_match_my_territory(personas):
    scope = scope_of(personas.regional)
    result = evaluate({"function": "maire", "status": "nouveau"}, scope)
    assert result.count == my_territory(personas.regional, scope).new_mayor_count > 0
    assert {m.entry.commune.region_id for m in result.members} == {"32"}
    first = evaluate({"function": "maire", "status": "premier-mandat"}, scope)
    assert 0 < first.count < result.count


def test_scope_always_applies_even_with_a_territory_outside(personas):
    outside = evaluate(
        {"function": "maire", "territory": "departement:33"}, scope_of(personas.regional)
    )
    assert outside.count == 0
    national = evaluate(
        {"function": "maire", "territory": "departement:33"}, scope_of(personas.national)
    )
    assert national.count > 500
    assert {m.entry.commune.departement_id for m in national.members} == {"33"}


def test_filters_population_contacted_tags_and_objections(personas):
    scope = scope_of(personas.national)
    base = {"function": "maire", "territory": "departement:59"}
    everyone = evaluate(base, scope)
    big = evaluate(base | {"population": "50000-et-plus"}, scope)
    assert 0 < big.count < everyone.count
    assert all(m.entry.commune.population >= 50000 for m in big.members)
    lille = next(m for m in big.members if m.entry.commune_id == "59350").entry.person
    interaction = Interaction.objects.create(kind="call", date=date(2026, 5, 1), summary="x")
    interaction.persons.add(lille)
    assert [m.entry.person for m in evaluate(base | {"contacted": "oui"}, scope).members] == [lille]
    assert evaluate(base | {"contacted": "non"}, scope).count == everyone.count - 1
    contact = Contact.objects.create(person=lille, email="maire@lille.test")
    contact.tags.add(Tag.objects.create(name="ANRU"))
    assert evaluate(base | {"tags": "ANRU, autre"}, scope).count == 1
    Contact.objects.filter(pk=contact.pk).update(objects_to_contact=True)
    after = evaluate(base, scope)
    assert after.count == everyone.count - 1 and after.objecting == 1


def test_builder_counts_saves_lists_and_exports(client, personas):
    login(client, personas.regional)
    count = client.get(
        "/segments/nouveau/",
        {"function": "maire", "status": "nouveau", "territory": "departement:62"},
        HTTP_HX_REQUEST="true",
    )
    assert "élus" in unescape(count.content.decode()) and "<html" not in count.content.decode()
    wrong = client.get(
        "/segments/nouveau/",
        {"function": "maire", "territory": "departement:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "Département « 00 » inconnu." in unescape(wrong.content.decode())
    response = client.post(
        "/segments/nouveau/",
        {
            "function": "maire",
            "status": "nouveau",
            "territory": "departement:62",
            "name": "Nouveaux maires du Pas-de-Calais",
        },
    )
    segment = Segment.objects.get()
    assert response["Location"] == segment.get_absolute_url()
    page = unescape(client.get(segment.get_absolute_url()).content.decode())
    assert "maires · nouveaux (maires ou présidents d'EPCI) · Pas-de-Calais (62)" in page
    export = client.get(f"/segments/{segment.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows and {r["departement"] for r in rows} == {"62"}
    assert "date_naissance" not in rows[0] and all(r["statut"] for r in rows)
    assert AuditLog.objects.filter(action="export d'un segment", user=personas.regional).exists()
    login(client, personas.reader)
    assert client.get(f"/segments/{segment.pk}/").status_code == 200  # same organisation
    assert client.get(f"/segments/{segment.pk}/export.csv").status_code == 403
    login(client, personas.organism)
    assert client.get(f"/segments/{segment.pk}/").status_code == 404  # another organisation


def test_sru_situation_filter(personas):
    from mandature.housing.services import commune_profile

    scope = scope_of(personas.national)
    base = {"function": "maire", "territory": "departement:59"}
    everyone = evaluate(base, scope).count
    counts = {
        key: evaluate(base | {"sru": key}, scope).count
        for key in ("deficitaire", "atteint", "soumise", "non-soumise", "incertaine")
    }
    assert sum(counts.values()) == everyone
    assert counts["deficitaire"] > 0 and counts["non-soumise"] > counts["deficitaire"]
    # the same verdict as the commune's brief
    for member in evaluate(base | {"sru": "deficitaire"}, scope).members[:10]:
        sru = commune_profile(member.entry.commune).sru
        assert sru.subject and sru.deficit > 0
    for member in evaluate(base | {"sru": "atteint"}, scope).members[:10]:
        sru = commune_profile(member.entry.commune).sru
        assert sru.subject and sru.deficit == 0


def test_the_download_has_the_members_in_order_with_their_contact_card(personas):
    """The export reads plain values (fast for all of France): the same people, in the same
    order and with the same columns as the members shown on the segment's page."""
    from mandature.campaigns.segments import EXPORT_HEADER, export_rows

    scope = scope_of(personas.regional)
    lille = evaluate({"function": "maire", "territory": "commune:59350"}, scope).members[0]
    Contact.objects.create(
        person=lille.entry.person,
        email="maire@lille.test",
        phone="03 20 49 50 00",
        salutation="Monsieur le Maire",
        postal_address="Place Augustin Laurent\n59000 Lille",
    )
    for filters in (
        {"function": "maire", "status": "nouveau"},
        {"function": "maire", "territory": "departement:59", "sru": "deficitaire"},
        {"function": "maire", "population": "50000-et-plus", "status": "reelu"},
    ):
        result = evaluate(filters, scope)
        rows = export_rows(filters, scope)
        assert len(rows) == result.count > 0, filters
        for row, member in zip(rows, result.members, strict=True):
            entry, commune = member.entry, member.entry.commune
            values = dict(zip(EXPORT_HEADER, row, strict=True))
            assert (values["nom"], values["prenom"]) == (
                entry.person.last_name,
                entry.person.first_name,
            )
            assert values["code_insee"] == (commune.code if commune else "")
            assert values["fonction"] == (
                function_title(entry.function, entry.person.sex == "F")
                or entry.mandate.get_kind_display()
            )
            assert values["statut"] == (ChangeType(member.status).label if member.status else "")
            assert values["epci"] == (commune.epci.name if commune and commune.epci else "")
    row = dict(
        zip(
            EXPORT_HEADER,
            export_rows({"function": "maire", "territory": "commune:59350"}, scope)[0],
            strict=True,
        )
    )
    assert row["courriel"] == "maire@lille.test" and row["formule_appel"] == "Monsieur le Maire"
    assert row["adresse_postale"] == "Place Augustin Laurent\n59000 Lille"
    assert row["departement"] == "59" and row["donnees_au"] == "2026-04-17"
    assert row["epci"] == "Métropole Européenne de Lille"
    assert row["statut"] in ("nouveau maire", "premier mandat de maire", "maire réélu")
