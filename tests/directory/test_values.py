import pytest

from mandature.directory import values
from mandature.directory.services import mairie_title


def test_address_lines_keep_cedex_written_alike():
    assert values.address_lines(["Avenue Antoine-Serafini", "20304 Ajaccio cedex 1"]) == (
        "Avenue Antoine-Serafini\n20304 Ajaccio Cedex 1"
    )
    assert values.address_lines(["", "  "]) == ""
    with pytest.raises(ValueError, match="« 2700 Évreux » sans code postal à cinq chiffres"):
        values.address_lines(["Place du Général-de-Gaulle", "2700 Évreux"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0556102030", "05 56 10 20 30"), ("05.56.10.20.30", "05 56 10 20 30"), ("30 13", "30 13")],
)
def test_phones(raw, expected):
    assert values.phone(raw) == expected


@pytest.mark.parametrize("raw", ["milizac-guipronvel@bzh", "laferrièredeflée@segréenanjoubleu.fr"])
def test_invalid_emails_are_refused(raw):
    with pytest.raises(ValueError, match="invalide"):
        values.email(raw)


def test_websites():
    assert values.website("www.bajus.fr") == "https://www.bajus.fr"
    with pytest.raises(ValueError, match="adresse électronique, pas un site"):
        values.website("mairiedesavilly@orange.fr")
    with pytest.raises(ValueError, match="invalide"):
        values.website("https://https:/www.troussencourt.fr")


def test_accessibility_codes():
    assert values.accessibility("DEM") == "accessible sur demande préalable"
    with pytest.raises(ValueError, match="code « XYZ » inconnu"):
        values.accessibility("XYZ")


@pytest.mark.parametrize(
    ("kind", "name", "title"),
    [
        ("commune", "Ajaccio", "Mairie d'Ajaccio"),
        ("commune", "Le Havre", "Mairie du Havre"),
        ("commune", "Les Abymes", "Mairie des Abymes"),
        ("commune", "La Rochelle", "Mairie de La Rochelle"),
        ("commune", "L'Haÿ-les-Roses", "Mairie de L'Haÿ-les-Roses"),
        ("commune", "Étrez", "Mairie d'Étrez"),
        ("deleguee", "Arbignieu", "Mairie déléguée d'Arbignieu"),
        ("arrondissement", "Lyon 7e Arrondissement", "Mairie du 7e arrondissement de Lyon"),
    ],
)
def test_mairie_titles(kind, name, title):
    assert mairie_title(kind, name) == title
