"""The scope walk (issue 22): every URL of the web interface and every API route, walked by
personas of different territories over objects their organisation shares (an event, a survey,
two campaigns, a segment, a publication's hand-overs). No page, export, PDF, JSON answer or
message may name an official (or a public registrant) outside the persona's territory, and no
write may touch one. A route that is neither walked nor exempted (with its reason) fails the
test: a new route cannot be forgotten."""

import csv
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from mandature.api.models import ApiToken
from mandature.api.views import api
from mandature.campaigns.letters import folder as letters_folder
from mandature.campaigns.models import Campaign, Recipient, Segment
from mandature.events.models import Event, Invitation, Registration, Session
from mandature.events.services import name_key
from mandature.movement.enums import Role
from mandature.officials.services import commune_team
from mandature.publications.models import Distribution, Publication
from mandature.publications.services import record
from mandature.relations.models import FollowUp, Interaction
from mandature.surveys import services as surveys
from mandature.surveys.models import Respondent, Survey
from mandature.territories.models import Commune
from tests.conftest import login, make_user

PLACES = {"lille": "59350", "arras": "62041", "marseille": "13055"}
EVERYWHERE = set(PLACES)
# persona → the places whose people it may see
SEES = {
    "admin": EVERYWHERE,
    "national": EVERYWHERE,
    "regional": {"lille", "arras"},  # Hauts-de-France (région 32)
    "regional_62": {"arras"},  # the same association, narrowed to the Pas-de-Calais
    "narrowed": {"lille"},  # an organism's user narrowed to the commune of Lille
    "reader": {"lille", "arras"},
    "organism": {"marseille"},  # Bouches-du-Rhône and Vaucluse
}


@dataclass
class Place:
    key: str
    commune: Commune
    mayor: object
    invitation: Invitation = None
    registration: Registration = None
    public: Invitation = None  # a request through the public form, placed by its commune
    interaction: Interaction = None
    follow_up: FollowUp = None

    @property
    def secrets(self) -> list[str]:
        """What would name this place's people: the mayor's first and last names close to
        each other, either way round (the last name alone has homonyms elsewhere), and the
        fixture's own strings."""
        first, last = (
            re.escape(n.casefold()) for n in (self.mayor.first_name, self.mayor.last_name)
        )
        return [
            f"{first}.{{0,20}}?{last}|{last}.{{0,20}}?{first}",
            *(
                re.escape(s)
                for s in (
                    f"maire.{self.key}@mairie.test",
                    f"fauteuil-{self.key}",
                    f"publique{self.key}",
                    f"public.{self.key}@exemple.test",
                    f"lettre-{self.key}",
                )
            ),
        ]


@dataclass
class World:
    places: dict
    users: dict
    event: Event
    survey: Survey
    campaign: Campaign  # letters, done: recipients in the three places
    draft: Campaign  # an e-mail draft on the segment: the preview of its first member
    segment: Segment
    publication: Publication
    meeting: Interaction
    tokens: dict = field(default_factory=dict)


@pytest.fixture
def world(personas) -> World:
    regional = personas.regional.profile.organisation  # the organisation sharing everything
    users = {
        "admin": personas.admin,
        "national": personas.national,
        "regional": personas.regional,
        "regional_62": make_user(
            "rose.pasdecalais@arhlm-hdf.test", regional, Role.CHARGE, departements=["62"]
        ),
        "narrowed": make_user(
            "oscar.lille@arhlm-hdf.test", regional, Role.ORGANISM, communes=["59350"]
        ),
        "reader": personas.reader,
        "organism": personas.organism,
    }
    author = personas.regional
    segment = Segment.objects.create(
        name="Maires du Pas-de-Calais",
        organisation=regional,
        created_by=author,
        filters={"function": "maire", "territory": "departement:62"},
    )
    event = Event.objects.create(
        title="Rencontre des maires",
        kind="breakfast",
        organisation=regional,
        segment=segment,
        commune_id="59350",
        created_by=author,
        public_registration=True,
    )
    start = timezone.now() + timedelta(days=20)
    session = Session.objects.create(
        event=event,
        title="Matinée",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=50,
    )
    survey = surveys.copy_survey(Survey.objects.get(is_example=True), author)
    Survey.objects.filter(pk=survey.pk).update(status="open", anonymous=False, segment=segment)
    survey.refresh_from_db()
    text_key = survey.questions.filter(kind="text").values_list("key", flat=True).first()
    campaign = Campaign.objects.create(
        name="Courrier aux maires",
        channel=Campaign.Channel.LETTER,
        organisation=regional,
        segment=segment,
        status=Campaign.Status.DONE,
        subject="Courrier",
        body="Bonjour",
        created_by=author,
    )
    draft = Campaign.objects.create(
        name="Message aux maires",
        channel=Campaign.Channel.EMAIL,
        organisation=regional,
        segment=segment,
        subject="Bonjour",
        body="{{formule_appel}},\n\nBonjour.",
        created_by=author,
    )
    publication = Publication.objects.get(title__startswith="Hlm : les 12 questions")
    version = publication.current
    places = {}
    for key, code in PLACES.items():
        commune = Commune.objects.get(code=code)
        mayor = commune_team(commune).mayor.person
        place = Place(key, commune, mayor)
        place.invitation = Invitation.objects.create(
            event=event,
            person=mayor,
            commune=commune,
            name=str(mayor),
            search_name=name_key(str(mayor)),
            email=f"maire.{key}@mairie.test",
            answer="yes",
            answered_at=timezone.now(),
            accessibility=f"fauteuil-{key}",
        )
        place.registration = Registration.objects.create(
            invitation=place.invitation,
            session=session,
            status="confirmed",
            code=f"CODE{key.upper()}"[:10],
        )
        public_name = f"Zoé Publique{key.capitalize()}"
        place.public = Invitation.objects.create(
            event=event,
            commune=commune,
            name=public_name,
            search_name=name_key(public_name),
            email=f"public.{key}@exemple.test",
            source="public",
            approval="pending",
            answer="yes",
            answered_at=timezone.now(),
            answers={"_sessions": [session.pk]},
        )
        Respondent.objects.create(
            survey=survey,
            person=mayor,
            departement=commune.departement_id,
            region=commune.region_id,
            submitted_at=timezone.now(),
            answers={
                "q1": "Oui",
                **({text_key: f"Réponse de {mayor.last_name}"} if text_key else {}),
            },
        )
        Recipient.objects.create(
            campaign=campaign,
            person=mayor,
            commune=commune,
            name=str(mayor),
            email=f"maire.{key}@mairie.test",
            status=Recipient.Status.SENT,
            values={"fonction": "maire"},
            sent_at=timezone.now(),
        )
        distribution = record(
            version, mayor, Distribution.Channel.POST, user=author, organisation=regional
        )
        place.interaction = distribution.interaction
        place.follow_up = FollowUp.objects.create(
            title=f"Rappeler {mayor.last_name}",
            due_date=date.today(),
            person=mayor,
            assignee=users["narrowed"],
            created_by=author,
        )
        places[key] = place
    # A meeting in Lille with the three mayors: in the scope of whoever sees Lille, naming
    # the others too.
    meeting = Interaction.objects.create(
        kind="meeting",
        date=date(2026, 5, 4),
        commune=places["lille"].commune,
        summary="Réunion des trois maires",
        organisation=regional,
    )
    meeting.persons.add(*(p.mayor for p in places.values()))
    # The letters as the launch writes them: one file for all the recipients.
    files = letters_folder(campaign)
    files.mkdir(parents=True, exist_ok=True)
    (files / "imprimeur.csv").write_text(
        "nom;adresse\n" + "".join(f"{p.mayor};lettre-{k}\n" for k, p in places.items())
    )
    (files / "courriers.pdf").write_bytes(
        b"%PDF-1.4 " + b" ".join(f"lettre-{k} {p.mayor}".encode() for k, p in places.items())
    )
    world = World(places, users, event, survey, campaign, draft, segment, publication, meeting)
    world.tokens = {name: ApiToken.issue(user, "walk")[1] for name, user in users.items()}
    yield world
    shutil.rmtree(files, ignore_errors=True)


# --- what is walked -------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    url: str
    data: dict | None = None
    place: str = ""  # the place of the object acted on (a write)
    touched: object = None  # () → True when the write reached the object


def _each_place(world, build):
    return [build(place) for place in world.places.values()]


def walked(world: World) -> dict[str, list[Call]]:
    """route → the calls that walk it (the objects of every place)."""
    e, s, c, g, p = (
        world.event.pk,
        world.survey.pk,
        world.campaign.pk,
        world.segment.pk,
        world.publication.pk,
    )
    question = world.survey.questions.first().pk
    session = world.event.sessions.first().pk

    def get(url):
        return Call("GET", url)

    def registration_touched(place):
        return lambda: Registration.objects.get(pk=place.registration.pk).status == "cancelled"

    def checked_in(place):
        return lambda: Registration.objects.get(pk=place.registration.pk).checked_in_at is not None

    def approved(place):
        return lambda: Invitation.objects.get(pk=place.public.pk).approval != "pending"

    def handed_over(place):
        return lambda: Distribution.objects.filter(person=place.mayor).count() > 1

    routes = {
        # relations
        "mon-territoire/": [get("/mon-territoire/")],
        "suivis/": [get("/suivis/"), get("/suivis/?format=csv")],
        "suivis/<int:pk>/fait/": _each_place(
            world,
            lambda pl: Call(
                "POST",
                f"/suivis/{pl.follow_up.pk}/fait/",
                {},
                pl.key,
                lambda: FollowUp.objects.get(pk=pl.follow_up.pk).done_at is not None,
            ),
        ),
        "elus/recherche/": _each_place(
            world, lambda pl: get(f"/elus/recherche/?q={pl.mayor.last_name}")
        ),
        "elus/<int:pk>/contact/": _each_place(
            world, lambda pl: get(f"/elus/{pl.mayor.pk}/contact/")
        ),
        "elus/<int:pk>/notes/": _each_place(world, lambda pl: get(f"/elus/{pl.mayor.pk}/notes/")),
        "elus/<int:pk>/echange/": _each_place(
            world, lambda pl: get(f"/elus/{pl.mayor.pk}/echange/")
        ),
        "elus/<int:pk>/suivi/": _each_place(world, lambda pl: get(f"/elus/{pl.mayor.pk}/suivi/")),
        "elus/<int:pk>/donnees.<str:fmt>": _each_place(
            world, lambda pl: get(f"/elus/{pl.mayor.pk}/donnees.json")
        ),
        "elus/<int:pk>/effacer/": _each_place(
            world, lambda pl: get(f"/elus/{pl.mayor.pk}/effacer/")
        ),
        "echanges/<int:pk>/": _each_place(world, lambda pl: get(f"/echanges/{pl.interaction.pk}/"))
        + [get(f"/echanges/{world.meeting.pk}/")],
        "elus/<int:pk>/": _each_place(world, lambda pl: get(f"/elus/{pl.mayor.pk}/")),
        # segments and campaigns
        "segments/": [get("/segments/")],
        "segments/<int:pk>/": [get(f"/segments/{g}/")],
        "segments/<int:pk>/modifier/": [get(f"/segments/{g}/modifier/")],
        "segments/<int:pk>/export.csv": [get(f"/segments/{g}/export.csv")],
        "segments/<int:pk>/export.xlsx": [get(f"/segments/{g}/export.xlsx")],
        "campagnes/": [get("/campagnes/")],
        "campagnes/<int:pk>/": [
            get(f"/campagnes/{c}/"),
            get(f"/campagnes/{c}/?format=csv"),
            get(f"/campagnes/{world.draft.pk}/"),
        ],
        "campagnes/<int:pk>/modifier/": [get(f"/campagnes/{world.draft.pk}/modifier/")],
        "campagnes/<int:pk>/essai/": [Call("POST", f"/campagnes/{world.draft.pk}/essai/", {})],
        "campagnes/<int:pk>/lancer/": [Call("POST", f"/campagnes/{c}/lancer/", {})],
        "campagnes/<int:pk>/arreter/": [Call("POST", f"/campagnes/{c}/arreter/", {})],
        "campagnes/<int:pk>/courriers.pdf": [get(f"/campagnes/{c}/courriers.pdf")],
        "campagnes/<int:pk>/imprimeur.csv": [get(f"/campagnes/{c}/imprimeur.csv")],
        # events
        "evenements/": [get("/evenements/")],
        "evenements/<int:pk>/": [get(f"/evenements/{e}/"), get(f"/evenements/{e}/?statut=")],
        "evenements/<int:pk>/modifier/": [get(f"/evenements/{e}/modifier/")],
        "evenements/<int:pk>/campagne/<str:audience>/": [
            Call("POST", f"/evenements/{e}/campagne/invited/", {})
        ],
        "evenements/<int:pk>/demandes/<int:invitation_id>/": _each_place(
            world,
            lambda pl: Call(
                "POST",
                f"/evenements/{e}/demandes/{pl.public.pk}/",
                {"decision": "accept"},
                pl.key,
                approved(pl),
            ),
        ),
        "evenements/<int:pk>/inscriptions/<int:registration_id>/annuler/": _each_place(
            world,
            lambda pl: Call(
                "POST",
                f"/evenements/{e}/inscriptions/{pl.registration.pk}/annuler/",
                {},
                pl.key,
                registration_touched(pl),
            ),
        ),
        "evenements/<int:pk>/inscriptions.<str:fmt>": [
            get(f"/evenements/{e}/inscriptions.csv"),
            get(f"/evenements/{e}/inscriptions.xlsx"),
        ],
        "evenements/<int:pk>/badges.pdf": [get(f"/evenements/{e}/badges.pdf")],
        "evenements/<int:pk>/accueil/": [get(f"/evenements/{e}/accueil/")]
        + _each_place(world, lambda pl: get(f"/evenements/{e}/accueil/?q={pl.mayor.last_name}")),
        "evenements/<int:pk>/accueil/compteurs/": [get(f"/evenements/{e}/accueil/compteurs/")],
        "evenements/<int:pk>/accueil/pointer/": _each_place(
            world,
            lambda pl: Call(
                "POST",
                f"/evenements/{e}/accueil/pointer/",
                {"code": pl.registration.code},
                pl.key,
                checked_in(pl),
            ),
        ),
        "evenements/<int:pk>/accueil/recherche.json": _each_place(
            world, lambda pl: get(f"/evenements/{e}/accueil/recherche.json?q={pl.mayor.last_name}")
        )
        + _each_place(
            world,
            lambda pl: get(f"/evenements/{e}/accueil/recherche.json?q={pl.registration.code}"),
        ),
        # surveys
        "enquetes/": [get("/enquetes/")],
        "enquetes/<int:pk>/": [get(f"/enquetes/{s}/")],
        "enquetes/<int:pk>/modifier/": [get(f"/enquetes/{s}/modifier/")],
        "enquetes/<int:pk>/copie/": [Call("POST", f"/enquetes/{s}/copie/", {})],
        "enquetes/<int:pk>/apercu/": [get(f"/enquetes/{s}/apercu/")],
        "enquetes/<int:pk>/questions/nouvelle/": [get(f"/enquetes/{s}/questions/nouvelle/")],
        "enquetes/<int:pk>/questions/<int:question_id>/": [
            get(f"/enquetes/{s}/questions/{question}/")
        ],
        "enquetes/<int:pk>/questions/<int:question_id>/supprimer/": [
            Call("POST", f"/enquetes/{s}/questions/{question}/supprimer/", {})
        ],
        "enquetes/<int:pk>/etat/<str:action>/": [Call("POST", f"/enquetes/{s}/etat/fermer/", {})],
        "enquetes/<int:pk>/campagne/<str:audience>/": [
            Call("POST", f"/enquetes/{s}/campagne/pending/", {})
        ],
        "enquetes/<int:pk>/resultats/": [get(f"/enquetes/{s}/resultats/")],
        "enquetes/<int:pk>/resultats.pdf": [get(f"/enquetes/{s}/resultats.pdf")],
        "enquetes/<int:pk>/reponses.<str:fmt>": [
            get(f"/enquetes/{s}/reponses.csv"),
            get(f"/enquetes/{s}/reponses.xlsx"),
        ],
        # publications
        "publications/": [get("/publications/")],
        "publications/<int:pk>/": [
            get(f"/publications/{p}/"),
            get(f"/publications/{p}/?format=csv"),
        ],
        "publications/<int:pk>/modifier/": [get(f"/publications/{p}/modifier/")],
        "publications/<int:pk>/versions/<int:version_id>/fichier": [
            get(f"/publications/{p}/versions/{world.publication.current.pk}/fichier")
        ],
        "elus/<int:person_id>/remise/": _each_place(
            world,
            lambda pl: Call(
                "POST",
                f"/elus/{pl.mayor.pk}/remise/",
                {"publication": p, "channel": "post", "date": "2026-06-01"},
                pl.key,
                handed_over(pl),
            ),
        ),
        "evenements/<int:pk>/remise/": [
            Call("POST", f"/evenements/{e}/remise/", {"publication": p})
        ],
        # territories, officials (their own pages are walked per persona by test_matrix.py
        # too; here with the three mayors)
        "": [get("/")],
        "recherche": _each_place(world, lambda pl: get(f"/recherche?q={pl.mayor.last_name}")),
        "communes/<str:code>/": _each_place(world, lambda pl: get(f"/communes/{pl.commune.code}/")),
        "communes/<str:code>/fiche": _each_place(
            world, lambda pl: get(f"/communes/{pl.commune.code}/fiche")
        ),
        "communes/<str:code>/fiche/": _each_place(
            world, lambda pl: get(f"/communes/{pl.commune.code}/fiche/")
        ),
        "epci/<str:siren>/": _each_place(world, lambda pl: get(f"/epci/{pl.commune.epci_id}/")),
        "elus/changements/": [get("/elus/changements/?type=new-mayor")],
        "elus/changements/export.<str:fmt>": [get("/elus/changements/export.csv")],
        "elus/identites/": [get("/elus/identites/")],
        "elus/instantanes/": [get("/elus/instantanes/")],
        # accounts and organisations: no official on these pages, walked for their people
        "utilisateurs/": [get("/utilisateurs/")],
        "utilisateurs/<int:pk>/": [get(f"/utilisateurs/{world.users['narrowed'].pk}/")],
        "journal/": [get("/journal/")],
        "organisations/": [get("/organisations/")],
        "organisations/<int:pk>/": [get(f"/organisations/{world.event.organisation_id}/")],
        "organisations/<int:pk>/modifier/": [
            get(f"/organisations/{world.event.organisation_id}/modifier/")
        ],
    }
    # The API, with each persona's token.
    routes |= {
        "api/v1/officials": _each_place(
            world, lambda pl: get(f"/api/v1/officials?commune={pl.commune.code}")
        ),
        "api/v1/officials/<person_id>": _each_place(
            world, lambda pl: get(f"/api/v1/officials/{pl.mayor.pk}")
        ),
        "api/v1/contacts": [get("/api/v1/contacts")],
        "api/v1/contacts/<person_id>": _each_place(
            world, lambda pl: get(f"/api/v1/contacts/{pl.mayor.pk}")
        ),
        "api/v1/interactions": [get("/api/v1/interactions")],
        "api/v1/interactions/<interaction_id>": _each_place(
            world, lambda pl: get(f"/api/v1/interactions/{pl.interaction.pk}")
        )
        + [get(f"/api/v1/interactions/{world.meeting.pk}")],
        "api/v1/changes": [get("/api/v1/changes")],
        "api/v1/events": [get("/api/v1/events")],
        "api/v1/events/<event_id>": [get(f"/api/v1/events/{e}")],
        "api/v1/events/<event_id>/registrations": [
            get(f"/api/v1/events/{e}/registrations"),
            get(f"/api/v1/events/{e}/registrations?status=confirmed"),
        ],
        "api/v1/communes/<code>": _each_place(
            world, lambda pl: get(f"/api/v1/communes/{pl.commune.code}")
        ),
        "api/v1/housing/<code>": _each_place(
            world, lambda pl: get(f"/api/v1/housing/{pl.commune.code}")
        ),
    }
    del session
    return routes


# Routes not walked here, each with its reason.
EXEMPT = {
    # public, by a token or a signed link (the token is the right, not a territory)
    "connexion/": "public: the login form",
    "connexion/code/": "public: the two-factor step of one's own login",
    "deconnexion/": "one's own session",
    "mot-de-passe-oublie/": "public: password reset",
    "mot-de-passe-oublie/envoye/": "public: password reset",
    "mot-de-passe/<uidb64>/<token>/": "public by token: password reset",
    "mot-de-passe/termine/": "public: password reset",
    "invitation/<str:token>/": "public by token: one's own account invitation",
    "desinscription/<str:token>/": "public by token: the recipient's own unsubscribe",
    "partage/fiche/<str:token>/": "public by token: the brief of the commune the link was signed for, naming its own mayor and EPCI president (the official it was sent to)",
    "partage/fiche/<str:token>/fiche.pdf": "public by token: a commune's brief",
    "invitation-evenement/<str:token>/": "public by token: the invitee's own answer",
    "invitation-evenement/<str:token>/<str:code>.ics": "public by token: the invitee's own",
    "evenements/<int:pk>/inscription/": "public form: shows the event, never a registrant",
    "enquete/public/<str:key>/": "public by token: a new anonymous answer",
    "enquete/<str:key>/": "public by token: the respondent's own answer",
    "publication/<str:token>/": "public by token: the official's own download link",
    # no object: one's own account, blank forms, notices
    "compte/": "no object: one's own account",
    "compte/mot-de-passe/": "no object: one's own password",
    "compte/double-authentification/": "no object: one's own two-factor device",
    "utilisateurs/inviter/": "no object: a blank invitation form",
    "journal/taches/": "no object: failed tasks, national administrators only",
    "organisations/nouvel-organisme/": "no object: a blank form",
    "organisations/import/": "no object: the organisms import (upload, item 2 of the issue)",
    "organisations/modele.csv": "no object: an empty template",
    "donnees-personnelles/": "no object: the privacy notice",
    "segments/nouveau/": "no object: a blank segment, evaluated in the user's scope as "
    "segments/<pk>/ (walked)",
    "campagnes/nouvelle/": "no object: a blank form",
    "evenements/nouveau/": "no object: a blank form",
    "enquetes/nouvelle/": "no object: a blank form",
    "publications/nouvelle/": "no object: a blank form",
    "elus/import/": "no object: the RNE upload form (national administrators)",
    "elus/import/<int:pk>/": "an upload's progress, national administrators only, no name",
    "periode-electorale/": "no person: the electoral calendar",
    "periode-electorale/verifier/": "no person: the rule check of a communication",
    "periode-electorale/note.pdf": "no person: the rules note",
    "fiches/": "a batch of briefs of communes of the user's scope (tests/briefs)",
    "fiches/<int:pk>/": "a batch's progress page (counts and communes' names only), its author's",
    "fiches/<int:pk>/archive.zip": "a batch's briefs, each naming its commune's mayor: communes chosen in the author's scope when the batch was made (tests/briefs)",
    # territories: figures and pages walked per persona by tests/movement/test_matrix.py
    "carte/": "figures by commune, no person; scope in test_matrix/test_dashboards",
    "carte/communes.topojson": "geometry, no person",
    "carte/donnees.json": "figures by commune, no person",
    "tableau-de-bord/": "figures, no person",
    "tableau-de-bord/<str:code>/": "figures, no person; 404 outside (tests/dashboards)",
    "communes/<str:code>/fiche.pdf": "the brief as PDF: walked per persona by test_matrix.py",
    "mairies/<int:pk>/corriger": "a mairie's institutional contact, no person; 404 outside the "
    "user's territory and 403 without the edit right (tests/directory/test_pages.py)",
    "departements/": "walked per persona by test_matrix.py",
    "departements/<str:code>/": "walked per persona by test_matrix.py",
    "regions/": "walked per persona by test_matrix.py",
    "regions/<str:code>/": "walked per persona by test_matrix.py",
    "elus/instantanes/<int:pk>/": "an RNE import report, national users only (test_matrix)",
    "elus/identites/fusion/": "merging two officials: national administrators only, 403 "
    "otherwise (tests/officials/test_identities.py)",
    "elus/identites/<int:pk>/separer/": "splitting a wrong match: national administrators only, "
    "403 otherwise (tests/officials/test_identities.py)",
    "elus/identites/operations/<int:pk>/annuler/": "undoing a merge or split (POST, then back "
    "to /elus/identites/): national administrators only (tests/officials/test_identities.py)",
    "elus/import-coordonnees/": "the upload form, no official on it; a file's rows outside the "
    "user's territory are listed apart and never applied (tests/relations/"
    "test_contacts_import_pages.py)",
    "elus/import-coordonnees/<int:pk>/": "one's own upload only (404 for anyone else), previewed "
    "and applied in one's territory (tests/relations/test_contacts_import_pages.py)",
    "elus/import-coordonnees/modele-<str:kind>.<str:fmt>": "the empty templates: headers and "
    "an example line, no data",
    "adresses-invalides/<int:pk>/verifiee/": "lifting an invalid mark (POST): 404 when the mark "
    "is tied to no official or commune of the user's territory (tests/campaigns/"
    "test_addresses.py)",
    # API
    "api/v1/openapi.json": "the schema, no data",
    "api/v1/": "the API's root, no data",
    "api/v1/regions": "territories, no person (test_api)",
    "api/v1/regions/<code>": "territories, no person (test_api)",
    "api/v1/departements": "territories, no person (test_api)",
    "api/v1/departements/<code>": "territories, no person (test_api)",
    "api/v1/communes": "territories, no person (test_api)",
    "api/v1/epci": "territories, no person (test_api)",
    "api/v1/epci/<siren>": "territories, no person (test_api)",
    "api/v1/snapshots": "RNE import reports, no person",
    "api/v1/housing": "figures by commune, no person (test_api)",
}


def all_routes() -> list[str]:
    """Every route of the web interface and of the API, as written in their URL patterns."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "web":
            walk(pattern.url_patterns, "")
    walk(api.urls[0], "api/v1/")
    return found


# --- reading what came back -------------------------------------------------------------------
def text_of(response) -> str:
    """Everything a person could read in the answer: HTML, JSON, CSV, XLSX or PDF."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True)
        if done.returncode == 0:
            return done.stdout.decode()
        # not a PDF that poppler reads (the fixture's stand-in for the letters): its bytes
    text = content.decode("utf-8-sig", errors="replace")
    if "json" in kind:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def leaks(text: str, world: World, persona: str) -> list[str]:
    folded = text.casefold()
    return [
        found.group(0)
        for key, place in world.places.items()
        if key not in SEES[persona]
        for secret in place.secrets
        if (found := re.search(secret, folded, re.DOTALL))
    ]


def call(client, world, persona: str, request: Call):
    """The request, and the messages it left for the next page (« Inscription de … annulée »);
    a write is undone (the next persona finds the same world)."""
    from django.contrib.messages import get_messages

    headers = {}
    if request.url.startswith("/api/"):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[persona]}"
    with transaction.atomic():
        if request.method == "GET":
            response = client.get(request.url, **headers)
        else:
            response = client.post(request.url, request.data or {}, **headers)
        touched = bool(request.touched and request.touched())
        transaction.set_rollback(True)
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    client.cookies.pop("messages", None)  # read here, not on the next page walked
    return response, said, touched


# --- the tests -------------------------------------------------------------------------------
def test_every_route_is_walked_or_exempted_with_a_reason(world):
    routes = all_routes()
    walked_routes = set(walked(world))
    forgotten = [r for r in routes if r not in walked_routes and r not in EXEMPT]
    assert not forgotten, f"routes neither walked nor exempted: {forgotten}"
    stale = (walked_routes | set(EXEMPT)) - set(routes)
    assert not stale, f"walked or exempted routes that no longer exist: {stale}"


@pytest.mark.parametrize("persona", list(SEES))
def test_no_route_names_anyone_outside_the_persona_territory(client, world, persona):
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) reads the PDFs"
    login(client, world.users[persona])
    failures = []
    for calls in walked(world).values():
        for request in calls:
            response, said, touched = call(client, world, persona, request)
            assert response.status_code < 500, f"{request.method} {request.url}"
            found = leaks(text_of(response) + said, world, persona)
            if found:
                failures.append(f"{request.method} {request.url}: {sorted(set(found))}")
            if touched and request.place not in SEES[persona]:
                failures.append(f"{request.method} {request.url}: changed {request.place}")
    assert not failures, f"{persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona", ["narrowed", "regional_62"])
def test_the_people_outside_are_counted_never_named(client, world, persona):
    login(client, world.users[persona])
    outside = len(EVERYWHERE - SEES[persona])
    page = client.get(f"/evenements/{world.event.pk}/").content.decode()
    # two people of each other place: the mayor invited, the public request
    assert f"{2 * outside}\xa0personnes hors de votre territoire" in page
    inside = world.places[next(iter(SEES[persona]))]
    assert inside.mayor.last_name in page
    export = client.get(f"/evenements/{world.event.pk}/inscriptions.csv")
    assert export.streaming  # a national list is sent while it is written
    rows = list(
        csv.reader(
            io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [row[0] for row in rows[1:]] == [str(inside.mayor)]
    assert re.search(
        rf"{outside}\xa0personnes hors de votre territoire",
        client.get(f"/campagnes/{world.campaign.pk}/").content.decode(),
    )


def test_reminders_name_only_the_officials_of_the_assignee_territory(world, mailoutbox):
    from mandature.relations.reminders import send_reminders

    send_reminders()
    (message,) = [m for m in mailoutbox if m.to == [world.users["narrowed"].email]]
    assert world.places["lille"].mayor.last_name in message.body
    assert not leaks(message.subject + message.body, world, "narrowed")
    assert "1 suivi(s)" in message.subject


def test_one_person_outside_is_said_in_the_singular(client, world):
    login(client, world.users["regional"])  # Hauts-de-France: only Marseille's mayor is outside
    page = client.get(f"/campagnes/{world.campaign.pk}/").content.decode()
    assert "Et 1\xa0personne hors de votre territoire" in page
    # the others counted are those of the list shown: none among the failures (there are none)
    failed = client.get(f"/campagnes/{world.campaign.pk}/?statut=failed").content.decode()
    assert "hors de votre territoire" not in failed
    meeting = client.get(f"/echanges/{world.meeting.pk}/").content.decode()
    assert "1\xa0personne hors de votre territoire" in meeting
    assert world.places["arras"].mayor.last_name in meeting
    assert client.get(f"/campagnes/{world.campaign.pk}/courriers.pdf").status_code == 403
    segment = client.get(f"/segments/{world.segment.pk}/").content.decode()
    assert "dans votre territoire (Hauts-de-France)" in segment  # evaluated in the viewer's
    login(client, world.users["admin"])  # who sees every recipient downloads the letters
    assert client.get(f"/campagnes/{world.campaign.pk}/courriers.pdf").status_code == 200


def test_another_organisation_cannot_change_the_shared_objects(client, world):
    """Events, surveys, campaigns and segments are fetched through their organisation before
    any change: a federation's chargé de mission (all of France) gets 404 on those of the
    Hauts-de-France association, and nothing changes."""
    login(client, world.users["national"])
    e, s, c, g = world.event.pk, world.survey.pk, world.draft.pk, world.segment.pk
    for url in (
        f"/evenements/{e}/modifier/",
        f"/enquetes/{s}/modifier/",
        f"/campagnes/{c}/modifier/",
        f"/segments/{g}/modifier/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "détourné", "name": "détourné"}).status_code == 404
    lille = world.places["lille"]
    assert (
        client.post(
            f"/evenements/{e}/demandes/{lille.public.pk}/", {"decision": "accept"}
        ).status_code
        == 404
    )
    assert client.post(f"/enquetes/{s}/etat/fermer/").status_code == 404
    assert client.post(f"/campagnes/{c}/lancer/").status_code == 404
    assert Event.objects.get(pk=e).title == "Rencontre des maires"
    assert Survey.objects.get(pk=s).status == "open"
    assert Campaign.objects.get(pk=c).status == "draft"
    assert Invitation.objects.get(pk=lille.public.pk).approval == "pending"
