"""Root URL configuration."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from imrsite import accounts
from imrsite import views as site_views

# The admin's sign-in is limited as the site's is.
admin.site.login = accounts.limit_sign_in(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("admin/", admin.site.urls),
    # Signing in and out only: accounts are made by an administrator, there is no sign-up.
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("opensearch.xml", site_views.opensearch, name="opensearch"),
    path("robots.txt", site_views.robots_txt, name="robots"),
    path("", include("cases.urls")),
]
