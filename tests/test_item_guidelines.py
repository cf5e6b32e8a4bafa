"""Each disputed item's guideline citations, whether the reviewer relied on utilization
review's documents, and the reasons of its decision (issue 19): read by the parser, stored,
and given by the API, the exports and the case page, on the real letters and generated ones."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client

from cases.models import DisputedItem
from cases.parsing import parse_file
from cases.parsing.citations import Citation
from cases.parsing.guidelines import (
    SECTION_MARK,
    currency_notes,
    describe_citation,
    guideline_agreement,
    section_values,
)
from tests.conftest import REAL_TEXTS, real_text_paths

ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones
CHRONIC = Citation("MTUS", "MTUS Chronic Pain Medical Treatment Guidelines", "2016",
                   ("Opioids, criteria for use",), ("76-80",))
LOW_BACK = Citation("ODG", "ODG Low Back - Lumbar & Thoracic (Acute & Chronic)",
                    non_mtus=True)


@pytest.mark.parametrize(("ur", "imr", "agreement"), [
    ((CHRONIC,), (CHRONIC,), "same"),
    ((CHRONIC,), (LOW_BACK,), "different"),
    ((CHRONIC, LOW_BACK), (CHRONIC,), "partly"),
    # The same document with other sections is the same guideline.
    ((CHRONIC,), (Citation("MTUS", CHRONIC.document, "2009", ("Massage therapy",)),), "same"),
    ((), (CHRONIC,), None),
    ((CHRONIC,), (), None),
])
def test_agreement_compares_the_documents(ur: tuple[Citation, ...], imr: tuple[Citation, ...],
                                          agreement: str | None) -> None:
    assert guideline_agreement(ur, imr) == agreement


def test_a_citation_reads_as_written() -> None:
    assert describe_citation(CHRONIC) == ("MTUS Chronic Pain Medical Treatment Guidelines "
                                          "(2016): Opioids, criteria for use; p. 76-80")
    assert describe_citation(LOW_BACK.as_dict()) == LOW_BACK.document


@pytest.mark.skipif(not REAL_TEXTS.is_dir(), reason="needs ../shared/imr-real")
def test_every_real_item_has_its_citations_and_reasons_in_the_json() -> None:
    agreements: dict[str | None, int] = {}
    for path in real_text_paths():
        for item in parse_file(path).to_dict()["items"]:
            for side in ("claims_administrator", "maximus"):
                cited = item[f"{side}_citations"]
                line = item[f"{side}_guideline"]
                assert bool(cited) or not line or "did not cite" in " ".join(line.split())
                assert all(set(c) == {"family", "document", "edition", "sections", "pages",
                                      "non_mtus"} for c in cited)
            agreements[item["same_guideline"]] = agreements.get(item["same_guideline"], 0) + 1
            for reason in item["reasons"]:
                assert reason["sentence"] and reason["sentence"] in item["rationale"]
    print("\nsame guideline as UR:", agreements)
    assert {"same", "different", "partly"} <= agreements.keys()


pytestmark_db = pytest.mark.django_db  # the tests below read a stored archive


@pytestmark_db
@pytest.mark.skipif(not REAL_TEXTS.is_dir(), reason="needs ../shared/imr-real")
def test_stored_items_give_the_parsers_values(client: Client, served: object) -> None:
    """The API gives each item what the parser read, from the database."""
    checked = 0
    real = [path.name for path in real_text_paths()]
    for item in DisputedItem.objects.select_related("determination").filter(
            determination__source_name__in=real).order_by("pk")[:40]:
        body = client.get(f"/api/cases/{item.determination.public_id}").json()
        given = body["items"][item.position - 1]
        parsed = parse_file(REAL_TEXTS / item.determination.source_name).to_dict()["items"][
            item.position - 1]
        for key in ("claims_administrator_citations", "maximus_citations", "same_guideline",
                    "reasons"):
            assert given[key] == parsed[key], key
        checked += 1
    assert checked == 40


@pytestmark_db
def test_exports_carry_citations_agreement_and_reasons(client: Client, served: object) -> None:
    rows = list(csv.DictReader(io.StringIO(
        client.get("/export.csv?category=Rehabilitation").getvalue().decode())))
    assert rows and {"ur_citations", "imr_citations", "same_guideline", "reasons"} <= rows[0].keys()
    stored = {(i.determination.public_id, i.position): i for i in DisputedItem.objects
              .select_related("determination").filter(category="Rehabilitation")}
    for row in rows:
        item = stored[(row["case_id"], int(row["item"]))]
        assert row["same_guideline"] == item.same_guideline
        assert row["reasons"] == "; ".join(r["code"] for r in item.reasons)
        assert row["imr_citations"] == "; ".join(map(describe_citation, item.maximus_citations))
    assert any(row["reasons"] for row in rows) and any(row["imr_citations"] for row in rows)


@pytestmark_db
def test_the_case_page_marks_each_reasons_sentence(client: Client, served: object) -> None:
    item = (DisputedItem.objects.select_related("determination")
            .exclude(reasons=[]).exclude(maximus_citations=[]).order_by("pk").first())
    assert item is not None
    html = client.get(item.determination.get_absolute_url()).content.decode()
    for reason in item.stated_reasons:
        assert f'href="#item-{item.position}-reason-{reason["code"]}"' in html
        assert f'id="item-{item.position}-reason-{reason["code"]}"' in html
    for cited in map(describe_citation, item.maximus_citations):
        assert f"<li>{cited.replace('&', '&amp;')}</li>" in html


def _pairs(items: list[DisputedItem], values: object) -> dict[str, tuple[int, int]]:
    """(upheld, overturned) by each value ``values(item)`` gives, counted from the rows."""
    found: dict[str, list[int]] = {}
    for item in items:
        for value in values(item):  # type: ignore[operator]
            pair = found.setdefault(value, [0, 0])
            pair[item.decision == "Overturned"] += item.decision in ("Upheld", "Overturned")
    return {value: (u, o) for value, (u, o) in found.items() if u + o}


@pytestmark_db
def test_outcomes_by_reason_and_guideline_equal_the_stored_items(served: object) -> None:
    from cases.search.base import SearchQuery
    from cases.selectors import count_outcomes

    query = SearchQuery(filters={"category": ("Rehabilitation",)})
    counts = count_outcomes(query)
    items = list(DisputedItem.objects.filter(category="Rehabilitation"))
    assert counts.by_item["reason"] == _pairs(items, lambda i: {r["code"] for r in i.reasons})
    assert counts.by_item["imr_guideline"] == _pairs(
        items, lambda i: {c["document"] for c in i.maximus_citations})
    assert counts.by_item["same_guideline"] == _pairs(
        items, lambda i: {i.same_guideline} - {""})
    assert counts.by_item["guideline_section"] == _pairs(
        items, lambda i: set(section_values(i.maximus_citations)))
    assert counts.by_item["reason"]  # the archive's rehabilitation items have reasons


@pytestmark_db
def test_the_guidelines_page_lists_documents_sections_and_their_searches(
        client: Client, served: object) -> None:
    page = client.get("/guidelines/")
    assert page.status_code == 200
    documents = page.context["documents"]
    assert documents and [g.document.n for g in documents] == sorted(
        (g.document.n for g in documents), reverse=True)
    items = list(DisputedItem.objects.all())
    top = documents[0]
    citing = [i for i in items if top.document.label in {c["document"]
                                                         for c in i.maximus_citations}]
    assert top.document.n == sum(i.decision in ("Upheld", "Overturned") for i in citing)
    assert top.sections, "the most cited document has sections"
    # A section's line opens the search for the letters with an item citing it.
    section = top.sections[0]
    state = section.url.split("?", 1)[1]
    found = client.get(f"/api/search?{state}").json()
    key = f"{top.document.label}{SECTION_MARK}{section.label}"
    letters = {i.determination_id for i in items if key in section_values(i.maximus_citations)}
    assert found["total"] == len(letters)
    html = page.content.decode()
    # The document's name heads its table once; its total row says what it counts.
    assert html.count(f">{top.document.label}</a>".replace("&", "&amp;")) == 1
    assert html.count(">All items citing it</a>") == len(documents)
    # The outcome view shows the reasons; the search links both views.
    outcomes = client.get("/outcomes/").content.decode()
    assert "By reason for the decision" in outcomes
    assert "No documented functional improvement" in outcomes
    report = client.get("/outcomes/").context["report"]
    shares = {r.label: (r.items, r.side, r.of) for r in report.reasons}
    upheld = sum(i.decision == "Upheld" for i in items)
    without = sum(i.decision == "Upheld" and "no_functional_improvement" in
                  {r["code"] for r in i.reasons} for i in items)
    assert shares["No documented functional improvement"] == (without, "upheld", upheld)
    assert 'id="guidelines-link"' in client.get("/?q=therapy").content.decode()


LOW_BACK_2004 = Citation("MTUS", "ACOEM Practice Guidelines, Low Back Complaints", "2004",
                         ("Physical Methods",))


@pytest.mark.parametrize(("citations", "decided", "opioid", "expected"), [
    ((LOW_BACK_2004,), date(2016, 12, 20), False, ["has since replaced"]),
    ((LOW_BACK_2004,), date(2018, 3, 1), False, ["had already replaced"]),
    ((CHRONIC,), None, False, ["has since replaced"]),
    ((LOW_BACK,), date(2016, 12, 20), False, []),  # ODG: not the MTUS's to replace
    ((Citation("MTUS", "MTUS Acupuncture Medical Treatment Guidelines"),),
     date(2016, 12, 20), False, []),
    ((), date(2017, 5, 1), True, ["Drug Formulary"]),
    ((), date(2018, 2, 1), True, []),
    ((), date(2017, 5, 1), False, []),
])
def test_currency_notes(citations: tuple[Citation, ...], decided: date | None, opioid: bool,
                        expected: list[str]) -> None:
    notes = currency_notes(citations, decided, opioid=opioid)
    assert len(notes) == len(expected)
    assert all(part in note for part, note in zip(expected, notes, strict=True))


@pytestmark_db
def test_the_case_page_notes_a_replaced_chapter(client: Client, served: object) -> None:
    item = next(i for i in DisputedItem.objects.select_related("determination").order_by("pk")
                if any(c["document"] == LOW_BACK_2004.document and c["family"] == "MTUS"
                       for c in i.maximus_citations))
    html = client.get(item.determination.get_absolute_url()).content.decode()
    assert 'class="currency-note"' in html and "December 1, 2017" in html
