from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from mandature.core.ratelimit import rate_limited

from .views import (
    accounts,
    briefs,
    campaigns,
    compliance,
    contacts_import,
    dashboards,
    directory,
    events,
    movement,
    officials,
    publications,
    relations,
    surveys,
    territories,
)

app_name = "web"

RESET = {
    "password_reset": rate_limited("login")(
        auth_views.PasswordResetView.as_view(
            template_name="web/accounts/reset_form.html",
            email_template_name="web/accounts/reset_email.txt",
            subject_template_name="web/accounts/reset_subject.txt",
            success_url=reverse_lazy("web:password-reset-done"),
        )
    ),
    "done": auth_views.PasswordResetDoneView.as_view(template_name="web/accounts/reset_done.html"),
    "confirm": rate_limited("login")(
        accounts.ResetConfirm.as_view(
            template_name="web/accounts/reset_confirm.html",
            success_url=reverse_lazy("web:password-reset-complete"),
        )
    ),
    "complete": auth_views.PasswordResetCompleteView.as_view(
        template_name="web/accounts/reset_complete.html"
    ),
    "change": auth_views.PasswordChangeView.as_view(
        template_name="web/accounts/password_change.html",
        success_url=reverse_lazy("web:account"),
    ),
}

urlpatterns = [
    # accounts
    path("connexion/", accounts.login_view, name="login"),
    path("connexion/code/", accounts.login_code, name="login-code"),
    path("deconnexion/", accounts.logout_view, name="logout"),
    path("mot-de-passe-oublie/", RESET["password_reset"], name="password-reset"),
    path("mot-de-passe-oublie/envoye/", RESET["done"], name="password-reset-done"),
    path("mot-de-passe/<uidb64>/<token>/", RESET["confirm"], name="password-reset-confirm"),
    path("mot-de-passe/termine/", RESET["complete"], name="password-reset-complete"),
    path("invitation/<str:token>/", accounts.invitation, name="invitation"),
    path("compte/", accounts.account, name="account"),
    path("compte/mot-de-passe/", RESET["change"], name="password-change"),
    path("compte/double-authentification/", accounts.two_factor, name="two-factor"),
    path("utilisateurs/", accounts.users, name="users"),
    path("utilisateurs/inviter/", accounts.invite_user, name="invite"),
    path("utilisateurs/<int:pk>/", accounts.user_edit, name="user-edit"),
    path("journal/", accounts.audit_log, name="audit-log"),
    path("journal/taches/", accounts.task_failures, name="task-failures"),
    # the movement
    path("organisations/", movement.organisation_list, name="organisations"),
    path("organisations/nouvel-organisme/", movement.organisation_edit, name="organism-new"),
    path("organisations/import/", movement.organisms_import, name="organisms-import"),
    path("organisations/modele.csv", movement.organisms_template, name="organisms-template"),
    path("organisations/<int:pk>/", movement.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/modifier/", movement.organisation_edit, name="organisation-edit"),
    # relations
    path("mon-territoire/", relations.my_territory_page, name="my-territory"),
    path("suivis/", relations.follow_ups, name="follow-ups"),
    path("suivis/<int:pk>/fait/", relations.follow_up_done, name="follow-up-done"),
    path("elus/recherche/", relations.officials_search, name="officials-search"),
    path("elus/import-coordonnees/", contacts_import.contacts_import, name="contacts-import"),
    path(
        "elus/import-coordonnees/<int:pk>/",
        contacts_import.contacts_import_preview,
        name="contacts-import-preview",
    ),
    path(
        "elus/import-coordonnees/modele-<str:kind>.<str:fmt>",
        contacts_import.contacts_import_template,
        name="contacts-import-template",
    ),
    path("elus/<int:pk>/contact/", relations.contact_edit, name="contact-edit"),
    path("elus/<int:pk>/notes/", relations.note_add, name="note-add"),
    path("elus/<int:pk>/echange/", relations.interaction_new, name="interaction-new"),
    path("elus/<int:pk>/suivi/", relations.follow_up_new, name="follow-up-new"),
    path("elus/<int:pk>/donnees.<str:fmt>", relations.person_export, name="person-export"),
    path("elus/<int:pk>/effacer/", relations.person_erase, name="person-erase"),
    path("echanges/<int:pk>/", relations.interaction_detail, name="interaction"),
    path("donnees-personnelles/", relations.privacy_notice, name="privacy"),
    # segments (campaigns)
    path("segments/", campaigns.segment_list, name="segments"),
    path("segments/nouveau/", campaigns.segment_edit, name="segment-new"),
    path("segments/<int:pk>/", campaigns.segment_detail, name="segment"),
    path("segments/<int:pk>/modifier/", campaigns.segment_edit, name="segment-edit"),
    path("segments/<int:pk>/export.csv", campaigns.segment_export, name="segment-export"),
    path(
        "segments/<int:pk>/export.xlsx",
        campaigns.segment_export,
        {"fmt": "xlsx"},
        name="segment-export-xlsx",
    ),
    path("campagnes/", campaigns.campaign_list, name="campaigns"),
    path("campagnes/nouvelle/", campaigns.campaign_edit, name="campaign-new"),
    path("campagnes/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/modifier/", campaigns.campaign_edit, name="campaign-edit"),
    path("campagnes/<int:pk>/essai/", campaigns.campaign_test, name="campaign-test"),
    path("campagnes/<int:pk>/lancer/", campaigns.campaign_launch, name="campaign-launch"),
    path("campagnes/<int:pk>/arreter/", campaigns.campaign_stop, name="campaign-stop"),
    path(
        "campagnes/<int:pk>/courriers.pdf",
        campaigns.campaign_file,
        {"name": "courriers.pdf"},
        name="campaign-letters",
    ),
    path(
        "campagnes/<int:pk>/imprimeur.csv",
        campaigns.campaign_file,
        {"name": "imprimeur.csv"},
        name="campaign-printer",
    ),
    path(
        "adresses-invalides/<int:pk>/verifiee/",
        campaigns.address_verified,
        name="address-verified",
    ),
    # public: unsubscribe (RFC 8058) and the brief shared by a campaign's link
    path("desinscription/<str:token>/", campaigns.unsubscribe, name="unsubscribe"),
    path("partage/fiche/<str:token>/", campaigns.public_brief, name="public-brief"),
    path(
        "partage/fiche/<str:token>/fiche.pdf",
        campaigns.public_brief,
        {"pdf": True},
        name="public-brief-pdf",
    ),
    # events
    path("evenements/", events.event_list, name="events"),
    path("evenements/nouveau/", events.event_edit, name="event-new"),
    path("evenements/<int:pk>/", events.event_detail, name="event"),
    path("evenements/<int:pk>/modifier/", events.event_edit, name="event-edit"),
    path(
        "evenements/<int:pk>/campagne/<str:audience>/", events.event_campaign, name="event-campaign"
    ),
    path(
        "evenements/<int:pk>/demandes/<int:invitation_id>/",
        events.event_approve,
        name="event-approve",
    ),
    path(
        "evenements/<int:pk>/inscriptions/<int:registration_id>/annuler/",
        events.registration_cancel,
        name="registration-cancel",
    ),
    path("evenements/<int:pk>/inscriptions.<str:fmt>", events.event_export, name="event-export"),
    path("evenements/<int:pk>/badges.pdf", events.event_badges, name="event-badges"),
    path("evenements/<int:pk>/accueil/", events.checkin_page, name="event-checkin"),
    path("evenements/<int:pk>/accueil/compteurs/", events.checkin_counts, name="checkin-counts"),
    path("evenements/<int:pk>/accueil/pointer/", events.checkin_mark, name="checkin-mark"),
    path(
        "evenements/<int:pk>/accueil/recherche.json",
        events.checkin_lookup_json,
        name="checkin-lookup",
    ),
    # public: the invitee's personal link, the public registration form
    path("invitation-evenement/<str:token>/", events.rsvp, name="rsvp"),
    path(
        "invitation-evenement/<str:token>/<str:code>.ics",
        events.rsvp_calendar,
        name="rsvp-calendar",
    ),
    path("evenements/<int:pk>/inscription/", events.public_registration, name="event-public"),
    # surveys
    path("enquetes/", surveys.survey_list, name="surveys"),
    path("enquetes/nouvelle/", surveys.survey_edit, name="survey-new"),
    path("enquetes/<int:pk>/", surveys.survey_detail, name="survey"),
    path("enquetes/<int:pk>/modifier/", surveys.survey_edit, name="survey-edit"),
    path("enquetes/<int:pk>/copie/", surveys.survey_copy, name="survey-copy"),
    path("enquetes/<int:pk>/apercu/", surveys.survey_preview, name="survey-preview"),
    path("enquetes/<int:pk>/questions/nouvelle/", surveys.question_edit, name="question-new"),
    path(
        "enquetes/<int:pk>/questions/<int:question_id>/",
        surveys.question_edit,
        name="question-edit",
    ),
    path(
        "enquetes/<int:pk>/questions/<int:question_id>/supprimer/",
        surveys.question_delete,
        name="question-delete",
    ),
    path("enquetes/<int:pk>/etat/<str:action>/", surveys.survey_status, name="survey-status"),
    path(
        "enquetes/<int:pk>/campagne/<str:audience>/",
        surveys.survey_campaign,
        name="survey-campaign",
    ),
    path("enquetes/<int:pk>/resultats/", surveys.survey_results, name="survey-results"),
    path("enquetes/<int:pk>/resultats.pdf", surveys.survey_report, name="survey-report"),
    path("enquetes/<int:pk>/reponses.<str:fmt>", surveys.survey_export, name="survey-export"),
    # public: the respondent's link (personal, or a visit of the public link)
    path("enquete/public/<str:key>/", surveys.survey_public, name="survey-public"),
    path("enquete/<str:key>/", surveys.survey_answer, name="survey-answer"),
    # publications
    path("publications/", publications.publication_list, name="publications"),
    path("publications/nouvelle/", publications.publication_edit, name="publication-new"),
    path("publications/<int:pk>/", publications.publication_detail, name="publication"),
    path("publications/<int:pk>/modifier/", publications.publication_edit, name="publication-edit"),
    path(
        "publications/<int:pk>/versions/<int:version_id>/fichier",
        publications.version_file,
        name="publication-file",
    ),
    path("elus/<int:person_id>/remise/", publications.hand_over, name="hand-over"),
    path("evenements/<int:pk>/remise/", publications.hand_over_at_event, name="event-hand-over"),
    path("publication/<str:token>/", publications.personal_link, name="publication-link"),
    # map and dashboards
    path("carte/", dashboards.map_page, name="map"),
    path("carte/communes.topojson", dashboards.map_geometry, name="map-geometry"),
    path("carte/donnees.json", dashboards.map_data, name="map-data"),
    path("tableau-de-bord/", dashboards.dashboard_page, name="dashboard"),
    path("tableau-de-bord/<str:code>/", dashboards.dashboard_page, name="dashboard-region"),
    # electoral-period rules
    path("periode-electorale/", compliance.calendar_page, name="compliance"),
    path("periode-electorale/verifier/", compliance.check_page, name="compliance-check"),
    path("periode-electorale/note.pdf", compliance.note, name="compliance-note"),
    path("", territories.home, name="home"),
    path("recherche", territories.search_page, name="search"),
    path("communes/<str:code>/", territories.commune_detail, name="commune"),
    path("mairies/<int:pk>/corriger", directory.mairie_correct, name="mairie-correct"),
    path("communes/<str:code>/fiche", briefs.brief_page, name="brief"),
    path("communes/<str:code>/fiche/", briefs.brief_page),
    path("communes/<str:code>/fiche.pdf", briefs.brief_pdf, name="brief-pdf"),
    path("epci/<str:siren>/", territories.epci_detail, name="epci"),
    path("departements/", territories.departement_list, name="departements"),
    path("departements/<str:code>/", territories.departement_detail, name="departement"),
    path("regions/", territories.region_list, name="regions"),
    path("regions/<str:code>/", territories.region_detail, name="region"),
    path("fiches/", briefs.batch_page, name="brief-batches"),
    path("fiches/<int:pk>/", briefs.batch_status, name="brief-batch"),
    path("fiches/<int:pk>/archive.zip", briefs.batch_archive, name="brief-batch-archive"),
    path("elus/changements/", officials.changes_page, name="changes"),
    path("elus/changements/export.<str:fmt>", officials.changes_export, name="changes-export"),
    path("elus/instantanes/", officials.snapshot_list, name="snapshots"),
    path("elus/instantanes/<int:pk>/", officials.snapshot_detail, name="snapshot"),
    path("elus/identites/", officials.identity_review, name="identities"),
    path("elus/identites/fusion/", officials.identity_merge, name="identity-merge"),
    path("elus/identites/<int:pk>/separer/", officials.identity_split, name="identity-split"),
    path(
        "elus/identites/operations/<int:pk>/annuler/",
        officials.identity_undo,
        name="identity-undo",
    ),
    path("elus/<int:pk>/", officials.person_detail, name="person"),
    path("elus/import/", officials.rne_upload, name="rne-import"),
    path("elus/import/<int:pk>/", officials.rne_upload_status, name="rne-upload"),
]
