"""The territory pages, as a visitor sees them."""

import pytest
from django.urls import reverse


def test_home_has_search_box_and_counts(client, db):
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert 'href="#contenu"' in page  # skip link
    assert '<label for="q">' in page and 'hx-get="/recherche"' in page
    assert "34\xa0969" in page and "1\xa0255" in page
    assert "<title>Accueil · Mandature</title>" in page  # the tab's title is text only


def test_no_page_title_holds_markup(client, db):
    import re

    for url in [
        "/",
        "/recherche?q=lille",
        "/communes/59350/",
        "/departements/",
        "/regions/",
        "/mon-territoire/",
        "/donnees-personnelles/",
    ]:
        title = re.search(r"<title>(.*?)</title>", client.get(url).content.decode(), re.S)
        assert title and "<" not in title.group(1) and "\n" not in title.group(1), url


def test_search_page_works_without_javascript(client, db):
    page = client.get("/recherche", {"q": "lhay"}).content.decode()
    assert "<h1>Recherche</h1>" in page
    assert 'href="/communes/94038/"' in page and "L&#x27;Haÿ-les-Roses" in page


def test_search_as_you_type_returns_only_the_results(client, db):
    response = client.get("/recherche", {"q": "saint etienne"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.index("/communes/42218/") < html.index("/communes/76575/")


def test_search_without_match_says_so(client, db):
    assert "Aucun résultat pour « zzzqqq »" in client.get("/recherche?q=zzzqqq").content.decode()


def test_commune_page(client, db):
    page = client.get("/communes/42218/").content.decode()
    assert "<h1>Saint-Étienne</h1>" in page
    assert "42218" in page and "Saint-Étienne Métropole" in page
    assert "Loire (42)" in page and "Auvergne-Rhône-Alpes" in page
    assert "La Ricamarie" in page  # a neighbour within 10 km
    assert "habitants" in page


def test_commune_page_lists_communes_deleguees(client, db):
    page = client.get("/communes/50129/").content.decode()
    assert "Cherbourg-Octeville" in page and "commune déléguée" in page


def test_former_code_redirects_to_the_current_commune(client, db):
    response = client.get("/communes/13201/")  # Marseille 1er arrondissement
    assert response.status_code == 301 and response["Location"] == "/communes/13055/"


def test_unknown_commune_is_404(client, db):
    assert client.get("/communes/99999/").status_code == 404
    assert client.get("/epci/000000000/").status_code == 404
    assert client.get("/departements/00/").status_code == 404
    assert client.get("/regions/00/").status_code == 404


def test_epci_page_lists_members_by_population(client, db):
    page = client.get("/epci/200046977/").content.decode()
    assert "<h1>Métropole de Lyon</h1>" in page and "Métropole de Lyon" in page
    assert page.index("/communes/69123/") < page.index(
        "/communes/69266/"
    )  # Lyon before Villeurbanne
    assert 'aria-sort="descending"' in page


def test_departement_page_sorts_on_request(client, db):
    url = reverse("web:departement", args=["2A"])
    by_name = client.get(url).content.decode()
    assert "<h1>Corse-du-Sud (2A)</h1>" in by_name
    assert by_name.index("Afa") < by_name.index("Ajaccio")
    by_population = client.get(url, {"tri": "population", "ordre": "desc"}).content.decode()
    assert by_population.index("/communes/2A004/") < by_population.index("/communes/2A001/")
    assert "124 communes" in by_name.replace("<strong>", "").replace("</strong>", "")


@pytest.mark.parametrize(
    "url", ["/departements/", "/regions/", "/regions/84/", "/departements/971/"]
)
def test_lists_render(client, db, url):
    assert client.get(url).status_code == 200


def test_region_page_counts(client, db):
    page = client.get("/regions/94/").content.decode()
    assert "<h1>Corse</h1>" in page
    assert "/departements/2A/" in page and "/departements/2B/" in page
    assert 'aria-sort="ascending"' in page


def test_admin_logs_in_through_connexion(anonymous, client, personas):
    from tests.conftest import login

    response = anonymous.get("/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/connexion/?next=/admin/"
    assert client.get("/admin/", follow=True).status_code == 403  # a chargé de mission
    assert login(client, personas.admin).get("/admin/").status_code == 200
