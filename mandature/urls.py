from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Administration de Mandature"
admin.site.site_title = "Mandature"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mandature.web.urls")),
]
