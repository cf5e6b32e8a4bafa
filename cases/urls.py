"""URLs of the cases app: the search page, the permanent case pages, the JSON API, the
search's exports and feed, and following a search (saved searches and their alerts)."""

from __future__ import annotations

from django.urls import path, re_path

from cases.views import api, feeds, following, like, pages, reports, telling

app_name = "cases"

urlpatterns = [
    path("", pages.search, name="search"),
    path("cases/<str:public_id>/", pages.determination_detail, name="detail"),
    path("api/search", api.search, name="api-search"),
    path("api/cases/<str:public_id>", api.determination, name="api-detail"),
    path("api/cases/<str:public_id>/", api.determination),  # as the page's address ends
    path("export.csv", reports.export_csv, name="export-csv"),
    path("export.json", reports.export_json, name="export-json"),
    path("feed/", feeds.search_feed, name="feed"),
    path("follow/", following.follow, name="follow"),
    path("saved/", following.saved_searches, name="saved-searches"),
    path("saved/<int:pk>/", following.saved_search, name="saved-search"),
    path("saved/<int:pk>/edit", following.saved_search_edit, name="saved-search-edit"),
    path("saved/<int:pk>/delete", following.saved_search_delete, name="saved-search-delete"),
    path("alerts/unsubscribe/<str:token>/", following.unsubscribe, name="unsubscribe"),
    path("outcomes/", reports.outcomes, name="outcomes"),
    path("guidelines/", reports.guidelines, name="guidelines"),
    path("offer/", pages.offer, name="offer"),
    path("facets/<str:name>/", pages.facet, name="facet"),
    path("like/", like.like, name="like"),
    path("api/like", like.like_api, name="api-like"),
    path("telling/", telling.telling, name="telling"),
    path("api/telling", telling.telling_api, name="api-telling"),
    re_path(r"^api/", api.not_found),  # last: any other address under /api/, a JSON 404
]
