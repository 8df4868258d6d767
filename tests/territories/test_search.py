"""Search as people type it: accents, hyphens, apostrophes, abbreviations, codes."""

import pytest

from mandature.territories.search import search


def first(query):
    results = search(query)
    assert results, f"aucun résultat pour {query!r}"
    return results[0]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("saint etienne", "42218"),
        ("Saint-Étienne", "42218"),
        ("SAINT ÉTIENNE", "42218"),
        ("st etienne", "42218"),
        ("L'Haÿ", "94038"),
        ("lhay", "94038"),
        ("l hay les roses", "94038"),
        ("lhaylesroses", "94038"),
        ("bourg en bresse", "01053"),
        ("Bourg-en-Bresse", "01053"),
        ("paris", "75056"),
        ("marseille", "13055"),
        ("les abymes", "97101"),
        ("ajaccio", "2A004"),
    ],
)
def test_communes_by_name(db, query, code):
    assert first(query).code == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("2A004", "2A004"),
        ("2a004", "2A004"),
        ("97101", "97101"),
        ("75056", "75056"),
        ("33000", "33063"),
        ("42000", "42218"),
        ("13001", "13055"),
    ],
)
def test_communes_by_code_insee_or_postal_code(db, query, code):
    assert first(query).code == code


def test_postal_code_shared_by_several_communes_lists_them_all(db):
    codes = {r.code for r in search("01400")}
    assert {"01001", "01093"} <= codes  # L'Abergement-Clémenciat, Châtillon-sur-Chalaronne


def test_partial_postal_code_ranks_by_population(db):
    results = search("33")
    assert results[0].code == "33063"  # Bordeaux
    populations = [r.population for r in results]
    assert populations == sorted(populations, reverse=True)


def test_epci_by_name_and_siren(db):
    assert first("Métropole de Lyon").code == "200046977"
    assert first("metropole de lyon").kind == "epci"
    assert first("200046977").label == "Métropole de Lyon"
    assert "243300316" in {r.code for r in search("bordeaux metropole")}


def test_exact_name_comes_before_longer_names_then_population(db):
    labels = [r.label for r in search("bordeaux")]
    assert labels[0] == "Bordeaux"
    saint_denis = search("saint-denis")
    assert {r.code for r in saint_denis[:2]} == {"93066", "97411"}
    assert all(r.label == "Saint-Denis" for r in saint_denis[:4])


def test_former_commune_name_finds_the_commune_nouvelle(db):
    result = first("Cherbourg-Octeville")
    assert result.code == "50129" or result.url.endswith("/communes/50129/")
    assert "Cherbourg-en-Cotentin" in result.detail
    assert first("annecy le vieux").url == "/communes/74010/"


@pytest.mark.parametrize("query", ["Œuilly", "oeuilly", "OEUILLY"])
def test_ligatures(db, query):
    assert {"02565", "51410"} <= {r.code for r in search(query)}  # two communes named Œuilly


def test_nothing_found_and_empty_query(db):
    assert search("zzzqqq") == []
    assert search("   ") == []
    assert search("'-") == []
