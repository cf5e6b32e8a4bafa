"""The Atom feed of a search (``/feed/?`` the search's own parameters): its latest additions
to the archive, written by Django's syndication framework, with conditional GET."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import condition, require_safe

from cases.forms import SearchForm
from cases.presentation.feeds import FeedContents, FeedEntry, feed_contents
from cases.search.base import SearchError
from cases.selectors.feeds import FeedPage, find_feed_entries
from cases.views.errors import form_failure, search_failure, text_failure


class SearchFeed(Feed):
    """The entries of one feed page, as Atom 1.0; made per request, once the page is read."""

    feed_type = Atom1Feed
    author_name = "IMR precedents"  # Atom wants an author for each entry or the feed

    def __init__(self, page: FeedPage) -> None:
        super().__init__()
        self.page = page

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> FeedContents:
        return feed_contents(self.page, absolute=request.build_absolute_uri)

    def title(self, contents: FeedContents) -> str:
        return contents.title

    def subtitle(self, contents: FeedContents) -> str:
        return contents.subtitle

    def link(self, contents: FeedContents) -> str:
        return contents.link

    def feed_url(self, contents: FeedContents) -> str:
        return contents.url

    def feed_guid(self, contents: FeedContents) -> str:
        return contents.url

    def items(self, contents: FeedContents) -> list[FeedEntry]:
        return contents.entries

    def item_title(self, entry: FeedEntry) -> str:
        return entry.title

    def item_link(self, entry: FeedEntry) -> str:
        return entry.link

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.id

    def item_description(self, entry: FeedEntry) -> str:
        return entry.summary

    def item_pubdate(self, entry: FeedEntry) -> datetime:
        return entry.published

    def item_updateddate(self, entry: FeedEntry) -> datetime:
        return entry.updated


@require_safe
def search_feed(request: HttpRequest) -> HttpResponse:
    """``/feed/?…``: the latest determinations added that match the search, as Atom; 304
    when the reader's ``ETag`` or date is still current."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return text_failure(form_failure(form))
    try:
        page = find_feed_entries(form.search_query())
    except SearchError as exc:
        return text_failure(search_failure(exc))
    # The validators come from the page already read; the XML is written only if needed.
    conditional = condition(etag_func=lambda _: page.version,
                            last_modified_func=lambda _: page.updated)
    return conditional(SearchFeed(page))(request)
