"""Root URL configuration."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from imrsite import views as site_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("opensearch.xml", site_views.opensearch, name="opensearch"),
    path("robots.txt", site_views.robots_txt, name="robots"),
    path("", include("cases.urls")),
]
