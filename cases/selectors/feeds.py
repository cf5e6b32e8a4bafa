"""The feed of a search: its latest additions to the archive, with what a reader needs to
ask whether anything changed (a version for ``ETag``, the last change for
``Last-Modified``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from cases.forms import query_string
from cases.models import Determination
from cases.search import get_backend
from cases.search.base import Hit, IndexUnavailableError, SearchQuery

FEED_SIZE = 50  # entries in a feed: the latest additions, as the issue asks
# Changed when the entries are written differently, so that readers holding the old
# version's ETag get the new text.
FEED_FORMAT = "1"


@dataclass(frozen=True)
class FeedPage:
    """The newest matches of a search as a feed lists them, each hit with its letter."""

    query: SearchQuery  # the feed's query: latest added first, the first ``FEED_SIZE``
    rows: list[tuple[Hit, Determination]]
    matching_only: bool  # item-level: only the items meeting the conditions are counted

    @property
    def updated(self) -> datetime | None:
        """When the latest of the entries was added or changed; None when there are none."""
        return max((d.updated_at for _, d in self.rows), default=None)

    @property
    def version(self) -> str:
        """A digest of what the feed shows: the search, and each entry's letter, version and
        matching items. A new match, a changed letter or a new order changes it."""
        parts = [FEED_FORMAT, query_string(self.query)]
        parts += [f"{d.public_id} {d.updated_at.isoformat()} {hit.items}" for hit, d in self.rows]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def feed_query(query: SearchQuery) -> SearchQuery:
    """The query of the feed of ``query``: its conditions, the latest added first."""
    return replace(query, sort="added", page=1, page_size=FEED_SIZE)


def find_feed_entries(query: SearchQuery) -> FeedPage:
    """The latest additions matching ``query`` (added to the archive, then decided), with
    their letters. No snippets and no respellings: a feed shows neither."""
    wanted = feed_query(query)
    try:
        results = get_backend().search(wanted)
    except IndexUnavailableError:
        if Determination.objects.exists():
            raise
        # Nothing imported yet: an empty archive, not a broken index.
        return FeedPage(wanted, [], matching_only=False)
    ids = [hit.id for hit in results.hits]
    found = Determination.objects.for_results().in_bulk(ids, field_name="public_id")
    rows = [(hit, found[hit.id]) for hit in results.hits if hit.id in found]
    return FeedPage(wanted, rows, matching_only=results.items_matching_only)
