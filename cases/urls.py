"""URLs of the cases app: the search page, the permanent case pages, and the JSON API."""

from __future__ import annotations

from django.urls import path

from cases import api, report_views, views

app_name = "cases"

urlpatterns = [
    path("", views.search, name="search"),
    path("cases/<str:public_id>/", views.determination_detail, name="detail"),
    path("api/search", api.search, name="api-search"),
    path("api/cases/<str:public_id>", api.determination, name="api-detail"),
    path("export.csv", report_views.export_csv, name="export-csv"),
    path("export.json", report_views.export_json, name="export-json"),
    path("outcomes/", report_views.outcomes, name="outcomes"),
]
