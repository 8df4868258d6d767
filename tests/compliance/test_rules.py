"""Electoral-period rules at the edges of each window, per territory and per rule."""

import json
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.compliance.models import Election
from mandature.compliance.rules import CheckError, check, six_months_before
from mandature.compliance.territory import TerritoryError, parse_territory

LILLE, BORDEAUX = "commune:59350", "commune:33063"  # Gironde votes for the Sénat in 2026, Nord not


def verdict(kind, day, territory=LILLE, audience=None, until=None):
    result = check(
        kind,
        date.fromisoformat(day),
        until and date.fromisoformat(until),
        parse_territory(territory),
        audience,
    )
    return str(result.verdict), {f.rule.key for f in result.findings}


@pytest.mark.parametrize(
    "kind, day, territory, audience, expected, rules",
    [
        # Municipales of 15 and 22 March 2026: L.52-1 from 1 September 2025.
        ("promotion", "2025-08-31", LILLE, None, "autorisé", set()),
        ("promotion", "2025-09-01", LILLE, None, "interdit", {"L.52-1 al. 1", "L.52-1 al. 2"}),
        ("promotion", "2026-03-14", LILLE, None, "interdit", {"L.49"}),  # the eve
        ("promotion", "2026-03-15", LILLE, None, "interdit", {"L.49"}),  # first round
        ("promotion", "2026-03-18", LILLE, None, "interdit", {"L.52-1 al. 2"}),  # between rounds
        ("promotion", "2026-03-22", BORDEAUX, None, "interdit", {"L.49"}),  # decisive round
        ("promotion", "2026-03-23", LILLE, None, "autorisé", set()),  # the day after
        ("information", "2026-03-14", LILLE, None, "précautions", {"L.49", "Période de réserve"}),
        ("information", "2026-01-10", LILLE, None, "précautions", {"L.52-1 al. 2"}),
        ("publication", "2026-03-10", LILLE, None, "précautions", {"L.48-2", "R.27"}),
        ("poster", "2026-02-01", BORDEAUX, None, "précautions", {"L.51", "R.27"}),
        # L.52-8: at any time.
        ("advantage", "2024-06-01", LILLE, "candidates", "interdit", {"L.52-8"}),
        ("advantage", "2024-06-01", LILLE, "public", "autorisé", set()),
        ("advantage", "2026-02-01", LILLE, "elected", "interdit", {"L.52-8"}),
        ("advantage", "2024-06-01", LILLE, "elected", "précautions", {"L.52-8"}),
        # Sénatoriales of 27 September 2026 (série 2: Gironde, not Nord nor Paris).
        ("invitation", "2026-09-26", "departement:33", "elected", "interdit", {"L.49"}),
        ("invitation", "2026-09-26", "departement:59", "elected", "précautions", {"L.52-8"}),
        ("invitation", "2026-09-26", "departement:75", "elected", "précautions", {"L.52-8"}),
        ("invitation", "2026-09-28", "departement:33", "elected", "précautions", {"L.52-8"}),
        (
            "promotion",
            "2026-09-10",
            "departement:33",
            None,
            "précautions",
            {"Période de réserve"},
        ),  # no L.52-1 for the sénatoriales
        # Présidentielle of April 2027: L.52-1 al. 2 for actions linked to it only.
        ("promotion", "2026-09-30", "france", None, "autorisé", set()),
        (
            "promotion",
            "2026-10-01",
            "france",
            None,
            "précautions",
            {"L.52-1 al. 1", "L.52-1 al. 2"},
        ),
        ("information", "2026-11-24", "region:32", None, "précautions", {"L.52-1 al. 2"}),
        ("survey", "2027-04-10", "france", "elected", "interdit", {"L.49"}),
        ("survey", "2027-04-26", "france", "elected", "autorisé", set()),
        # A period that reaches into a window.
        ("promotion", "2025-08-01", LILLE, None, "interdit", {"L.52-1 al. 2"}),
    ],
)
def test_verdicts_at_the_edges(db, kind, day, territory, audience, expected, rules):
    until = "2025-09-15" if day == "2025-08-01" else None
    got, keys = verdict(kind, day, territory, audience, until)
    assert got == expected
    assert rules <= keys


def test_presidential_promotion_is_a_precaution_not_a_ban(db):
    result = check("promotion", date(2027, 1, 10), None, parse_territory("france"))
    rule = next(f for f in result.findings if f.rule.key == "L.52-1 al. 2")
    assert str(rule.verdict) == "précautions" and "Présidentielle 2027" in str(rule.election)


def test_a_partial_election_concerns_its_commune_only(db):
    partial = Election.objects.create(
        kind="partielle",
        label="Municipale partielle de Lille",
        national=False,
        first_round=date(2027, 1, 17),
        second_round=date(2027, 1, 24),
    )
    partial.communes.add("59350")
    assert verdict("promotion", "2027-01-16", LILLE)[0] == "interdit"
    assert verdict("promotion", "2027-01-16", "departement:59")[0] == "interdit"
    from mandature.territories.models import Commune

    lille_epci = Commune.objects.get(code="59350").epci_id
    assert verdict("promotion", "2027-01-16", f"epci:{lille_epci}")[0] == "interdit"
    assert verdict("promotion", "2027-01-16", BORDEAUX)[0] == "précautions"  # the présidentielle
    # not a general election: no L.52-1 al. 2 for it
    keys = {
        (f.rule.key, str(f.election))
        for f in check("promotion", date(2026, 12, 1), None, parse_territory(LILLE)).findings
    }
    assert ("L.52-1 al. 2", "Municipale partielle de Lille") not in keys
    assert ("L.52-1 al. 1", "Municipale partielle de Lille") in keys


def test_six_months_before_the_month_of_the_election(db):
    march_2032 = Election(kind="municipales", first_round=date(2032, 3, 14))
    assert six_months_before(march_2032) == date(2031, 9, 1)
    assert six_months_before(Election(kind="x", first_round=date(2026, 9, 27))) == date(2026, 3, 1)


def test_bad_input_is_refused_clearly(db):
    with pytest.raises(CheckError, match="type de communication « flyer » inconnu"):
        check("flyer", date(2026, 1, 1), None, parse_territory("france"))
    with pytest.raises(CheckError, match="se termine .* avant de commencer"):
        check("promotion", date(2026, 2, 1), date(2026, 1, 1), parse_territory("france"))
    with pytest.raises(TerritoryError, match="commune « 99999 » inconnue"):
        parse_territory("commune:99999")
    with pytest.raises(TerritoryError, match="illisible"):
        parse_territory("canton:12")


def test_command_json_contract(db, capsys):
    call_command(
        "check_communication", kind="promotion", date="2026-03-14", territory=LILLE, json=True
    )
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "interdit"
    eve = next(r for r in data["rules"] if r["rule"] == "L.49")
    assert eve == {
        "rule": "L.49",
        "verdict": "interdit",
        "why": eve["why"],
        "basis": "Code électoral, article L.49",
        "election": "Municipales et communautaires 2026",
        "window_start": "2026-03-14",
        "window_end": "2026-03-15",
    }
    assert set(data["rules"][0]) == {
        "rule",
        "verdict",
        "why",
        "basis",
        "election",
        "window_start",
        "window_end",
    }


@pytest.mark.parametrize(
    "options, message",
    [
        ({"kind": "flyer", "date": "2026-01-01", "territory": "france"}, "« flyer » inconnu"),
        (
            {
                "kind": "promotion",
                "date": "2026-02-01",
                "until": "2026-01-01",
                "territory": "france",
            },
            "avant de commencer",
        ),
        (
            {"kind": "promotion", "date": "2026-02-01", "territory": "departement:00"},
            "département « 00 » inconnu",
        ),
        ({"kind": "promotion", "date": "01/02/2026", "territory": "france"}, "AAAA-MM-JJ"),
    ],
)
def test_command_refuses_bad_input_with_status_2(db, options, message):
    with pytest.raises(CommandError) as error:
        call_command("check_communication", **options)
    assert error.value.returncode == 2 and message in str(error.value)


def test_command_text_and_elections_list(db, capsys):
    call_command(
        "check_communication",
        kind="advantage",
        date="2026-05-01",
        territory="france",
        audience="candidates",
    )
    out = capsys.readouterr().out
    assert "INTERDIT" in out and "L.52-8" in out
    call_command("elections")
    out = capsys.readouterr().out
    assert "Municipales et communautaires 2026 : 15 mars 2026 et 22 mars 2026, décret" in out
    assert "Présidentielle 2027 : 11 avril 2027 et 25 avril 2027 (provisoire)" in out


def test_pages_and_the_printable_note(client, tmp_path):
    page = client.get("/periode-electorale/?territoire=region:32").content.decode()
    assert "Présidentielle 2027" in page and "L.52-1 al. 2" in page
    checked = client.get(
        "/periode-electorale/verifier/",
        {"kind": "promotion", "date": "2026-03-14", "territory": LILLE},
    ).content.decode()
    assert "Verdict : interdit" in checked
    wrong = client.get(
        "/periode-electorale/verifier/",
        {
            "kind": "promotion",
            "date": "2026-03-14",
            "until": "2026-03-01",
            "territory": "commune:00000",
        },
    ).content.decode()
    assert "La période se termine avant de commencer." in wrong and "inconnue" in wrong
    pdf = client.get("/periode-electorale/note.pdf")
    assert pdf.content[:4] == b"%PDF"
    if shutil.which("pdftotext"):
        path = tmp_path / "note.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "Règles et précautions de communication en période électorale" in text
        assert "L.52-8" in text and "Présidentielle 2027" in text


def test_a_provisional_date_is_said_once_in_the_note(db):
    from mandature.compliance.models import Election
    from mandature.compliance.note import note_data

    labels = [e["label"] for e in note_data(Election.objects.all(), date(2026, 12, 7))["elections"]]
    assert "Législatives 2029 (au plus tard, date provisoire)" in labels
    assert not any(") (" in label for label in labels)


def test_the_checker_opens_with_the_territory_one_was_viewing(client):
    commune = client.get("/communes/33063/").content.decode()
    assert "/periode-electorale/verifier/?territoire=commune:33063" in commune
    page = client.get("/periode-electorale/verifier/?territoire=commune:33063").content.decode()
    assert 'name="territory" value="commune:33063"' in page
    assert "errorlist" not in page and "Ce champ est obligatoire" not in page  # nothing judged
    calendar = client.get("/periode-electorale/?territoire=region:32").content.decode()
    assert "/periode-electorale/verifier/?territoire=region%3A32" in calendar
