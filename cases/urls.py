"""URLs of the cases app."""

from __future__ import annotations

from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.determination_list, name="list"),
    path("cases/<str:public_id>/", views.determination_detail, name="detail"),
]
