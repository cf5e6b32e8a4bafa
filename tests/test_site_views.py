"""The OpenSearch description and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.robotparser import RobotFileParser

from django.test import Client

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def test_opensearch_describes_absolute_search_url(client: Client) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert len(root.findtext(f"{OPENSEARCH}ShortName", "")) <= 16
    urls = {u.get("type"): u.get("template") for u in root.iter(f"{OPENSEARCH}Url")}
    assert urls == {"text/html": "http://testserver/?q={searchTerms}",
                    "application/opensearchdescription+xml": "http://testserver/opensearch.xml"}


def test_opensearch_is_linked_from_every_page(client: Client) -> None:
    page = client.get("/no-such-page/")  # the 404 page extends base.html too
    assert (b'<link rel="search" type="application/opensearchdescription+xml" '
            b'title="IMR precedents" href="/opensearch.xml">') in page.content


def test_robots_txt_allows_pages_and_disallows_admin_api_and_exports(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    allowed = ["/", "/?q=massage&decision=Overturned", "/cases/CM13-0099001/"]
    disallowed = ["/admin/", "/admin/cases/determination/", "/api/search?q=x",
                  "/api/cases/CM13-0099001", "/export.csv?q=x", "/export.json",
                  "/facets/treatment/?q=massage"]  # a search each, for a noindex page
    assert all(robots.can_fetch("AnyBot", url) for url in allowed)
    assert not any(robots.can_fetch("AnyBot", url) for url in disallowed)


def test_site_views_refuse_post(client: Client) -> None:
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/opensearch.xml").status_code == 405
