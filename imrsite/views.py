"""Site-wide files for browsers and crawlers: the OpenSearch description and robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def opensearch(request: HttpRequest) -> HttpResponse:
    """The OpenSearch description that lets a browser add the site as a search engine."""
    context = {"search_url": request.build_absolute_uri(reverse("cases:search")),
               "self_url": request.build_absolute_uri(reverse("opensearch"))}
    return render(request, "opensearch.xml", context,
                  content_type="application/opensearchdescription+xml; charset=utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the search page and case pages, not the admin, API or exports."""
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
