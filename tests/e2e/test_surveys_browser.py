"""A regional association copies the example survey, sends it to the new mayors of a
département, a mayor answers it through their personal link, and the association reads the
results crossed by région, where groups of fewer than five people are hidden. The pages pass
axe-core."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mandature.campaigns.models import Segment
from mandature.campaigns.segments import evaluate
from mandature.movement.scope import scope_of
from mandature.surveys.models import Respondent, Survey
from tests.campaigns.test_campaigns import give_emails
from tests.conftest import PASSWORD, make_personas
from tests.e2e.test_brief_browser import accessibility_violations
from tests.surveys.test_surveys import LINK, NEW_MAYORS_62

pytestmark = pytest.mark.e2e


def test_build_send_answer_and_read_the_cross_tabulated_results(
    anonymous_page, smtp_sink, browser, live_server
):
    page = anonymous_page
    page.on("dialog", lambda dialog: dialog.accept())
    regional = make_personas().regional
    segment = Segment.objects.create(
        name="Nouveaux maires du Pas-de-Calais",
        filters=NEW_MAYORS_62,
        organisation=regional.profile.organisation,
    )
    give_emails(evaluate(NEW_MAYORS_62, scope_of(regional)).members[:2])

    page.goto("/enquetes/")
    page.get_by_label("Adresse électronique").fill("remi.regional@arhlm-hdf.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Copier ce modèle").first.click()
    expect(page.locator("body")).to_contain_text("Copie du modèle créée")
    expect(page.locator(".question-list > li")).to_have_count(15)
    page.get_by_role("link", name="Réglages").click()
    page.get_by_label("Public (segment)").select_option(label=segment.name)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Ouvrir l'enquête").click()
    expect(page.locator("body")).to_contain_text("ses questions sont désormais figées")
    assert accessibility_violations(page) == []
    survey_url = page.url

    page.get_by_role("button", name=re.compile("Envoyer l'enquête au segment")).click()
    page.get_by_label("Messages par minute").fill("0")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    expect(page.locator("#preview")).to_contain_text("/enquete/")
    page.get_by_role("button", name="Envoyer 2 courriels").click()
    expect(page.locator("body")).to_contain_text("Campagne lancée")
    assert len(smtp_sink.messages) == 2
    link = LINK.search(smtp_sink.messages[0].get_body(("plain",)).get_content()).group(1)

    mayor_context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    mayor = mayor_context.new_page()
    mayor.set_default_timeout(10_000)
    mayor.goto(link)
    expect(mayor.locator("body")).to_contain_text("Page 1 sur 4")
    mayor.get_by_role("group", name=re.compile("Avez-vous déjà exercé")).get_by_label("Non").check()
    mayor.get_by_role("group", name=re.compile("Quelle importance")).get_by_label("8").check()
    mayor.get_by_role("button", name="Page suivante").click()
    expect(mayor.locator("#question-q3 .errorlist")).to_contain_text("Réponse obligatoire")
    mayor.get_by_role("group", name=re.compile("l'offre de logements sociaux")).get_by_label(
        "Plutôt insuffisante"
    ).check()
    assert accessibility_violations(mayor) == []
    mayor.get_by_role("button", name="Page suivante").click()
    expect(mayor.locator("body")).to_contain_text("Page 2 sur 4")
    for item in (
        "La qualité des logements",
        "L'entretien des immeubles",
        "La qualité de vie des quartiers",
        "La mixité sociale",
        "Les performances énergétiques",
    ):
        mayor.get_by_label(f"{item} : 4").check()
    mayor.get_by_role("group", name=re.compile("attractivité")).get_by_label(
        "Plutôt d'accord"
    ).check()
    mayor.get_by_role("group", name=re.compile("en projet")).get_by_label("Non").check()
    mayor.get_by_role("button", name="Enregistrer et finir plus tard").click()
    expect(mayor.locator("body")).to_contain_text("Vos réponses sont enregistrées")
    mayor.goto(link)  # later, with the same link: back on page 2, answers kept
    expect(mayor.locator("body")).to_contain_text("Page 2 sur 4")
    mayor.get_by_role("button", name="Page suivante").click()
    # q8 = « Non »: why there is no project is asked, what holds projects back is not.
    expect(mayor.locator("#question-q10")).to_be_visible()
    expect(mayor.locator("#question-q9")).to_be_hidden()
    mayor.get_by_role("group", name=re.compile("obligations de votre commune")).get_by_label(
        "Dans les grandes lignes"
    ).check()
    mayor.get_by_role("button", name="Page suivante").click()
    mayor.get_by_role("group", name=re.compile("rencontrer l'association")).get_by_label(
        "Oui, rapidement"
    ).check()
    mayor.get_by_role("button", name="Envoyer mes réponses").click()
    expect(mayor.locator("body")).to_contain_text("Merci pour vos réponses")
    mayor_context.close()

    survey = Survey.objects.get(pk=int(survey_url.rstrip("/").split("/")[-1]))
    for n in range(6):  # other answers: five more in Hauts-de-France, one in Île-de-France
        Respondent.objects.create(
            survey=survey,
            region="32" if n < 5 else "11",
            submitted_at=timezone.now(),
            source="public",
            answers={"q7": "Plutôt d'accord" if n < 4 else "Tout à fait d'accord"},
        )
    page.goto(survey_url)
    expect(page.locator("#taux")).to_contain_text("1 réponse sur 2")
    page.get_by_role("link", name="Résultats").click()
    page.get_by_label("Croiser par").select_option(label="région")
    page.get_by_role("button", name="Afficher").click()
    q7 = page.locator("section.result", has=page.locator("#r-q7"))
    table = q7.locator("table.crosstab")
    expect(table).to_contain_text("Hauts-de-France")
    expect(table).to_contain_text("83 %")  # 5 « Plutôt d'accord » of 6 in Hauts-de-France
    expect(table.locator("td.hidden-cell").first).to_have_text("—")  # 1 « Tout à fait »…
    expect(table).to_contain_text("moins de 5")  # …and Île-de-France, a group of 1
    expect(q7.locator("svg")).to_be_visible()
    assert accessibility_violations(page) == []
