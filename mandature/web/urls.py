from django.urls import path

from .views import briefs, officials, territories

app_name = "web"

urlpatterns = [
    path("", territories.home, name="home"),
    path("recherche", territories.search_page, name="search"),
    path("communes/<str:code>/", territories.commune_detail, name="commune"),
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
    path("elus/<int:pk>/", officials.person_detail, name="person"),
    path("elus/import/", officials.rne_upload, name="rne-import"),
    path("elus/import/<int:pk>/", officials.rne_upload_status, name="rne-upload"),
]
