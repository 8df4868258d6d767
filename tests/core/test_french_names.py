"""« de » and « à » before a name, with the commune's official article (COG typeLiaison): the
table of real names of issue 27, read from the bundled territories."""

import pytest

from mandature.campaigns.compose import compile_template, with_articles
from mandature.core.french import function_title, merge, ordinal, with_preposition
from mandature.territories.models import Commune, Departement

COMMUNES = [
    # code, name, « de … », « à … »
    ("76351", "Le Havre", "du Havre", "au Havre"),
    ("97101", "Les Abymes", "des Abymes", "aux Abymes"),
    ("94038", "L'Haÿ-les-Roses", "de L'Haÿ-les-Roses", "à L'Haÿ-les-Roses"),
    ("33001", "Abzac", "d'Abzac", "à Abzac"),
    ("80829", "Y", "d'Y", "à Y"),
    ("72181", "Le Mans", "du Mans", "au Mans"),
    ("17300", "La Rochelle", "de La Rochelle", "à La Rochelle"),
    ("91692", "Les Ulis", "des Ulis", "aux Ulis"),
    ("33063", "Bordeaux", "de Bordeaux", "à Bordeaux"),
]


@pytest.mark.parametrize("code,name,of,at", COMMUNES)
def test_communes_take_their_official_article(db, code, name, of, at):
    commune = Commune.objects.get(code=code)
    assert commune.name == name
    assert with_preposition("de", commune.named) == of
    assert with_preposition("à", commune.named) == at
    assert with_preposition("De", commune.named) == of[0].upper() + of[1:]


def test_departements_take_the_article_their_name_is_written_without(db):
    assert with_preposition("de", Departement.objects.get(code="01").named) == "de l'Ain"
    assert with_preposition("de", Departement.objects.get(code="33").named) == "de la Gironde"
    assert (
        with_preposition("de", Departement.objects.get(code="13").named) == "des Bouches-du-Rhône"
    )
    assert with_preposition("de", Departement.objects.get(code="75").named) == "de Paris"


@pytest.mark.parametrize(
    "name,of",
    [
        ("Association régionale Hlm de Nouvelle-Aquitaine", "de l'Association régionale Hlm"),
        ("Union sociale pour l'habitat", "de l'Union sociale pour l'habitat"),
        ("Fédération des Offices Publics de l'Habitat", "de la Fédération des Offices"),
        ("Métropole européenne de Lille", "de la Métropole européenne de Lille"),
        ("CC Bugey Sud", "de la CC Bugey Sud"),
        ("Bordeaux Métropole", "de Bordeaux Métropole"),
        ("Habitat 76", "d'Habitat 76"),
        ("Hautes-Alpes Habitat", "de Hautes-Alpes Habitat"),  # an aspirated h
        ("Office public de l'habitat de Lille", "de l'Office public"),
    ],
)
def test_organisation_names_take_the_article_of_their_first_noun(name, of):
    assert with_preposition("de", name).startswith(of)


def test_a_merge_field_after_de_or_a_takes_the_preposition(db):
    havre = Commune.objects.get(code="76351").named
    abymes = Commune.objects.get(code="97101").named
    text, unknown = merge(
        "Madame la Maire de {commune}, la fiche de {commune} ; rendez-vous à {commune}. "
        "{commune} : « {commune} ». De {expediteur}.",
        {"commune": havre, "expediteur": "Association régionale Hlm de Normandie"},
    )
    assert not unknown
    assert text == (
        "Madame la Maire du Havre, la fiche du Havre ; rendez-vous au Havre. "
        "Le Havre : « Le Havre ». De l'Association régionale Hlm de Normandie."
    )
    assert merge("aux élus de {commune}", {"commune": abymes})[0] == "aux élus des Abymes"
    assert merge("Le maire de{commune}", {"commune": abymes})[0] == "Le maire deLes Abymes"


def test_a_campaign_message_keeps_the_article_through_the_stored_values(db):
    """A recipient's values are stored as JSON: the article travels with them."""
    compiled = compile_template(
        "La fiche de {commune}",
        "{formule_appel},\n\nvoici la fiche de {commune} et de {departement}.",
        email=True,
    )
    values = {
        "formule_appel": "Madame la Maire",
        "commune": "Les Abymes",
        "departement": "Guadeloupe",
        "fonction": "maire des Abymes",
        "expediteur": "Association régionale Hlm de Guadeloupe",
        "lien_desinscription": "https://exemple.fr/d",
        "_liaisons": {"commune": 4, "departement": 3},
    }
    message = compiled.render(values)
    assert message.subject == "La fiche des Abymes"
    assert "voici la fiche des Abymes et de la Guadeloupe." in message.text
    assert "voici la fiche des Abymes et de la Guadeloupe." in message.html
    assert "de la part de l'Association régionale Hlm de Guadeloupe" in message.text
    assert "de la part de l'Association régionale" in message.html
    for text in (message.subject, message.text, message.html):
        assert "de Les" not in text and "de Association" not in text and "{" not in text
    assert with_articles(values)["commune"].liaison == 4


def test_ordinals():
    assert [ordinal(1), ordinal(1, feminine=True), ordinal(2), ordinal(12)] == [
        "1er",
        "1re",
        "2e",
        "12e",
    ]


@pytest.mark.parametrize(
    "label,masculine,feminine",
    [
        ("1er adjoint au Maire", "1er adjoint au maire", "1re adjointe au maire"),
        ("12ème adjoint au Maire", "12e adjoint au maire", "12e adjointe au maire"),
        ("Premier adjoint au maire", "Premier adjoint au maire", "Première adjointe au maire"),
        (
            "4ème Vice-président du conseil départemental",
            "4e vice-président du conseil départemental",
            "4e vice-présidente du conseil départemental",
        ),
        (
            "Président du conseil communautaire",
            "Président du conseil communautaire",
            "Présidente du conseil communautaire",
        ),
        ("Maire délégué", "Maire délégué", "Maire déléguée"),
        ("conseiller municipal", "conseiller municipal", "conseillère municipale"),
        ("chargé de mission", "chargé de mission", "chargée de mission"),
        (
            "représentant au Parlement européen",
            "représentant au Parlement européen",
            "représentante au Parlement européen",
        ),
        ("Maire", "Maire", "Maire"),
    ],
)
def test_functions_as_people_read_them(label, masculine, feminine):
    assert function_title(label) == masculine
    assert function_title(label, feminine=True) == feminine


def test_a_campaign_template_gets_french_typography():
    compiled = compile_template(
        "Votre avis : la fiche", "Un prêt de 75 000 € ; « {commune} » ! 25 %", email=False
    )
    assert compiled.subject == "Votre avis\u00a0: la fiche"
    text = compiled.render({"commune": "Lille"}).text
    assert "75\u202f000\u00a0€\u202f; «\u00a0Lille\u00a0»\u202f! 25\u00a0%" in text
