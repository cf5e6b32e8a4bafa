"""The Atom feed of a search (``/feed/``), through Django's test client on the real and
generated letters, read back with feedparser as a feed reader reads it."""

from __future__ import annotations

import calendar
import html
import re
import shutil
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.db.models import Max
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from cases.models import Determination, DisputedItem
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.services import import_determinations
from tests.conftest import BAD_PARAMETERS, DATA

pytestmark = pytest.mark.django_db

ARCHIVE = (300, 29)  # generated letters and their seed, for the archive fixture (as exports)
FEED_SIZE = 50
SERVER = "http://testserver"
ITEM_ATTRS = {"category": "category", "treatment": "subcategory", "decision": "decision"}

# (the feed's parameters, the same search asked of the backend, the search in each entry's
# URL). The item-level searches (an item facet given) list only their matching items.
SEARCHES = [
    ({}, SearchQuery(), ""),
    ({"q": "acupuncture"}, SearchQuery("acupuncture"), "q=acupuncture"),
    ({"outcome": "Upheld", "specialty": "Pain Management"},
     SearchQuery(filters={"outcome": ("Upheld",), "specialty": ("Pain Management",)}),
     "outcome=Upheld&specialty=Pain+Management"),
    ({"decision": "Overturned", "category": "Pharmaceuticals"},
     SearchQuery(filters={"decision": ("Overturned",), "category": ("Pharmaceuticals",)}),
     "decision=Overturned&category=Pharmaceuticals"),
    ({"decision": "Upheld", "treatment": ["opioids", "massage"]},
     SearchQuery(filters={"decision": ("Upheld",), "treatment": ("opioids", "massage")}),
     "decision=Upheld&treatment=opioids&treatment=massage"),
]


def read_feed(response: HttpResponse) -> feedparser.FeedParserDict:
    """The feed of a 200 response, parsed; it must be Atom 1.0 without any error."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def added_first(query: SearchQuery) -> list[str]:
    """The ids of the first 50 results of ``query`` with the latest added first."""
    ordered = replace(query, sort="added", page_size=FEED_SIZE)
    return [hit.id for hit in get_backend().search(ordered).hits]


def matching(item: DisputedItem, params: dict[str, object]) -> bool:
    """Whether an item meets the item-level conditions among ``params``."""
    for facet, attr in ITEM_ATTRS.items():
        wanted = params.get(facet)
        if wanted is not None:
            values = [wanted] if isinstance(wanted, str) else wanted
            if getattr(item, attr) not in values:
                return False
    return True


def listed(summary: str) -> list[str]:
    """The items an entry's summary lists, as text: "Decision: treatment (category)"."""
    return [html.unescape(re.sub(r"<[^>]+>", "", li))
            for li in re.findall(r"<li>(.*?)</li>", summary, re.DOTALL)]


def seconds(struct: time.struct_time) -> int:
    return calendar.timegm(struct)


@pytest.mark.parametrize(("params", "query", "state"), SEARCHES)
def test_feed_entries_are_the_search_latest_added_first(
        client: Client, served: Path, params: dict, query: SearchQuery, state: str) -> None:
    feed = read_feed(client.get("/feed/", params))
    expected = added_first(query)
    assert expected  # every search finds something: the comparison is not trivial
    suffix = f"?{state}" if state else ""
    assert [e.id for e in feed.entries] == [f"{SERVER}/cases/{i}/{suffix}" for i in expected]
    assert [e.link.partition("#")[0] for e in feed.entries] == [e.id for e in feed.entries]
    assert feed.feed.link == f"{SERVER}/?{state}{'&' if state else ''}sort=added"
    stored = Determination.objects.prefetch_related("items").in_bulk(
        expected, field_name="public_id")
    item_level = any(facet in params for facet in ITEM_ATTRS)
    left_out = 0  # items of the listed letters an item-level summary does not list
    for entry, public_id in zip(feed.entries, expected, strict=True):
        determination = stored[public_id]
        items = list(determination.items.all())
        counted = [i for i in items if matching(i, params)] if item_level else items
        assert counted
        left_out += len(items) - len(counted)
        # The summary lists the items the search counts, with their decisions.
        assert listed(entry.summary) == [f"{i.decision}: {' '.join(i.treatment.split())} "
                                         f"({i.category})" for i in counted]
        # The title names the case and the matching treatments with their decisions.
        name = determination.case_number or determination.public_id
        assert entry.title.startswith(f"{name}: ")
        named = re.findall(r"\((Upheld|Overturned)\)(?:;|$)", entry.title)
        assert named and set(named) <= {i.decision for i in counted}
        assert any(" ".join(i.treatment.split())[:30] in entry.title for i in counted)
        if item_level:  # opened at the first matching item, as the page's rows link
            singled_out = len(counted) < len(items)
            assert entry.link.endswith(f"#item-{counted[0].position}" if singled_out else "/"
                                       + suffix)
        assert seconds(entry.updated_parsed) == int(determination.updated_at.timestamp())
        assert seconds(entry.published_parsed) == int(determination.imported_at.timestamp())
    assert bool(left_out) == item_level  # the item-level summaries really leave items out


def test_feed_of_everything_has_fifty_entries_and_a_title(client: Client, served: Path) -> None:
    feed = read_feed(client.get("/feed/"))
    assert len(feed.entries) == FEED_SIZE < Determination.objects.count()
    assert feed.feed.title == "IMR determinations: all determinations"
    assert feed.feed.id == f"{SERVER}/feed/"
    assert len({e.id for e in feed.entries}) == FEED_SIZE
    filtered = read_feed(client.get("/feed/", {"q": "acupuncture", "decision": "Overturned",
                                               "decided_from": "2014-01-01"}))
    assert filtered.feed.title == ("IMR determinations: “acupuncture” · Item decision: "
                                   "Overturned · decided from 2014-01-01")


def test_feed_ignores_the_page_and_sort_of_the_search(client: Client, served: Path) -> None:
    plain = client.get("/feed/", {"q": "therapy"})
    paged = client.get("/feed/", {"q": "therapy", "page": "3", "sort": "oldest"})
    assert read_feed(paged).entries == read_feed(plain).entries
    assert read_feed(paged).feed.id == f"{SERVER}/feed/?q=therapy"


def test_feed_of_no_matches_is_valid_and_empty(client: Client, served: Path) -> None:
    feed = read_feed(client.get("/feed/", {"q": "zzxqvbnonesuch"}))
    assert feed.entries == []
    assert feed.feed.title == "IMR determinations: “zzxqvbnonesuch”"


def test_feed_of_an_empty_archive_is_empty(client: Client, tmp_path: Path,
                                           settings: object) -> None:
    Determination.objects.all().delete()  # rolled back after the test
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "never-built")},
    }
    assert read_feed(client.get("/feed/")).entries == []


@pytest.mark.parametrize(("params", "message"), [
    *BAD_PARAMETERS, ({"q": "a*"}, "Type at least 2 letters before * or ?")])
def test_feed_bad_parameters_are_400_with_the_search_page_message(
        client: Client, served: Path, params: dict, message: str) -> None:
    response = client.get("/feed/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode().strip()
    assert message in text
    # Word for word what the search page says of the same parameters.
    assertContains(client.get("/", params), escape(text), status_code=400)


def test_feed_unavailable_index_is_503(client: Client, tmp_path: Path,
                                       settings: object) -> None:
    import_determinations(paths=[DATA / "layout_2013.txt"], index=False)  # a letter, no index
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    response = client.get("/feed/", {"q": "norco"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "temporarily unavailable" in response.content.decode()


def test_feed_repeat_with_its_etag_is_304(client: Client, served: Path) -> None:
    params = {"decision": "Overturned", "category": "Pharmaceuticals"}
    first = client.get("/feed/", params)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    again = client.get("/feed/", params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get("/feed/", params, headers={"If-Modified-Since": modified}).status_code \
        == 304
    # Another search has another version; a stale ETag gets the whole feed.
    other = client.get("/feed/", {"decision": "Upheld"})
    assert other["ETag"] != etag
    stale = client.get("/feed/", params, headers={"If-None-Match": other["ETag"]})
    assert read_feed(stale).entries == read_feed(first).entries
    # HEAD answers too, as feed readers sometimes ask.
    assert client.head("/feed/", params).status_code == 200


@pytest.fixture
def own_index(archive: Path, tmp_path: Path, settings: object) -> Path:
    """A copy of the archive's index for this test alone, which it may import into."""
    path = tmp_path / "own-index"
    shutil.copytree(archive, path, symlinks=True)
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(path)},
    }
    return path


def test_feed_new_matching_letter_comes_first(client: Client, own_index: Path,
                                              tmp_path: Path) -> None:
    number = "CM13-0999001"
    assert not Determination.objects.filter(case_number=number).exists()
    letter = tmp_path / "new.txt"
    letter.write_text((DATA / "layout_2013.txt").read_text().replace("CM13-0099001", number))
    searches = {"all": {}, "item": {"decision": "Overturned", "category": "Rehabilitation"},
                "other": {"outcome": "Overturned"}}  # the letter is partially overturned
    before = {name: client.get("/feed/", params) for name, params in searches.items()}
    # The index keeps whole seconds: the letter is added in a later second than the rest.
    latest = Determination.objects.aggregate(latest=Max("imported_at"))["latest"]
    while timezone.now() < latest + timedelta(seconds=1):
        time.sleep(0.05)
    assert import_determinations(paths=[letter]).new == 1
    after = {name: client.get("/feed/", params) for name, params in searches.items()}

    url = f"{SERVER}/cases/{number}/"
    assert read_feed(after["all"]).entries[0].id == url
    assert [e.id for e in read_feed(after["all"]).entries[1:]] == [
        e.id for e in read_feed(before["all"]).entries[:FEED_SIZE - 1]]
    item_level = read_feed(after["item"]).entries[0]
    assert item_level.id == f"{url}?decision=Overturned&category=Rehabilitation"
    assert item_level.link == f"{item_level.id}#item-2"
    assert item_level.title == f"{number}: physical therapy 2x6 for the lumbar spine (Overturned)"
    assert listed(item_level.summary) == [
        "Overturned: physical therapy 2x6 for the lumbar spine (Rehabilitation)"]
    for name in ("all", "item"):
        assert after[name]["ETag"] != before[name]["ETag"]
        # The reader's old version is no longer current: it gets the new feed, not a 304.
        stale = client.get("/feed/", searches[name],
                           headers={"If-None-Match": before[name]["ETag"]})
        assert stale.status_code == 200
    # A search the letter does not match keeps its feed and its version.
    assert after["other"]["ETag"] == before["other"]["ETag"]
    assert all(e.id != url for e in read_feed(after["other"]).entries)


def test_search_page_links_its_feed(client: Client, served: Path) -> None:
    response = client.get("/", {"q": "therapy", "decision": "Upheld", "page": "2",
                                "sort": "oldest"})
    assertContains(response, '<link rel="alternate" type="application/atom+xml" '
                             'title="IMR determinations matching this search, latest added '
                             'first" href="/feed/?q=therapy&amp;decision=Upheld">')
    feed = read_feed(client.get("/feed/?q=therapy&decision=Upheld"))
    assert [e.id.split("?")[0] for e in feed.entries] == [
        f"{SERVER}/cases/{i}/" for i in added_first(
            SearchQuery("therapy", filters={"decision": ("Upheld",)}))]
    # A search the form refuses links no feed (it would only say the same 400).
    refused = client.get("/", {"q": "therapy", "page": "abc"})
    assertNotContains(refused, "application/atom+xml", status_code=400)
