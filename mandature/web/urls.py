from django.urls import path

from .views import territories

app_name = "web"

urlpatterns = [
    path("", territories.home, name="home"),
    path("recherche", territories.search_page, name="search"),
    path("communes/<str:code>/", territories.commune_detail, name="commune"),
    path("epci/<str:siren>/", territories.epci_detail, name="epci"),
    path("departements/", territories.departement_list, name="departements"),
    path("departements/<str:code>/", territories.departement_detail, name="departement"),
    path("regions/", territories.region_list, name="regions"),
    path("regions/<str:code>/", territories.region_detail, name="region"),
]
