"""Cases like mine (issue 18): the nearest decided items for a pasted request, on the real
letters, through the page and the JSON API."""

from __future__ import annotations

import pytest
from django.test import Client

from cases.models import Determination
from cases.parsing.drugs import principal_drugs
from cases.presentation.like import deciding_sentence
from cases.selectors.like import MAX_TEXT, cases_like
from tests.conftest import REAL_TEXTS

pytestmark = pytest.mark.django_db
ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones
PASTE = ("Request for 12 sessions of physical therapy for the lumbar spine is not medically "
         "necessary as there is no documentation of functional improvement from prior therapy.")


@pytest.mark.parametrize(("rationale", "expected"), [
    ("The patient has pain. Guidelines allow 10 visits. The request for 12 visits exceeds "
     "the guideline and is not medically necessary. Thus the request is not certified.",
     "The request for 12 visits exceeds the guideline and is not medically necessary."),
    ("Pain is 8/10. Therefore, the request is medically necessary.",
     "Therefore, the request is medically necessary."),
    ("Six visits were completed without documented functional improvement. As a result, the "
     "request is not medically necessary.",
     "Six visits were completed without documented functional improvement."),
    ("No decision words here. Only facts.", "Only facts."),
    ("", ""),
])
def test_deciding_sentence_says_the_verdict_and_why(rationale: str, expected: str) -> None:
    assert deciding_sentence(rationale) == expected


@pytest.mark.skipif(not REAL_TEXTS.is_dir(), reason="needs ../shared/imr-real")
def test_real_letters_find_neighbours_on_the_same_request(served: object) -> None:
    """Each real letter's summary and one item's heading, pasted: the top 5 neighbours'
    items share the item's category, and its drug or body region where it has one."""
    real = {path.name for path in REAL_TEXTS.glob("*.txt")}
    letters = [d for d in Determination.objects.prefetch_related("items").order_by("pk")
               if d.source_name in real and d.summary and d.items.all()][:60]
    assert len(letters) >= 40
    same_category = shared_detail = compared_detail = results = 0
    for letter in letters:
        item = max(letter.items.all(), key=lambda i: (bool(i.drugs or i.body_regions),
                                                      -i.position))
        (answer,) = cases_like(letter.summary, [item.treatment], limit=5,
                               exclude=letter.public_id)
        assert letter.public_id not in {n.determination.public_id for n in answer.neighbours}
        for neighbour in answer.neighbours:
            results += 1
            same_category += neighbour.item.category == item.category
            if item.drugs or item.body_regions:
                compared_detail += 1
                shared_detail += bool(
                    principal_drugs(item.drugs) & principal_drugs(neighbour.item.drugs)
                    or set(item.body_regions) & set(neighbour.item.body_regions))
    print(f"\nsame category: {same_category}/{results} = {same_category / results:.1%}; "
          f"shared drug or body region: {shared_detail}/{compared_detail} = "
          f"{shared_detail / max(compared_detail, 1):.1%} ({len(letters)} letters)")
    assert same_category / results >= 0.9
    assert shared_detail / compared_detail >= 0.7


def test_the_page_reads_the_paste_and_shows_the_neighbours(client: Client,
                                                           served: object) -> None:
    assert client.get("/like/").status_code == 200
    posted = client.post("/like/", {"text": PASTE})
    # The answer is a URL: shared, bookmarked, and come back to from a neighbour.
    assert posted.status_code == 302 and posted["Location"].startswith("/like/?request=")
    response = client.get(posted["Location"])
    assert response.status_code == 200
    (row,) = response.context["requests"]
    assert (row["category"], row["subcategory"]) == ("Rehabilitation", "physical therapy")
    assert row["body_regions"] == ["lumbar spine"]
    assert row["quantity"] == {"value": 12, "unit": "sessions"}
    assert row["results"] and all(r["treatment"] for r in row["results"])
    html = response.content.decode()
    assert 'name="request"' in html and "See them all in the search" in html or row["rate"].n == 0
    # The search link reproduces the structured part; its split is the one shown.
    found = client.get("/api/search" + row["search_url"][row["search_url"].index("?"):]).json()
    assert found["items_upheld"] + found["items_overturned"] == row["outcome"]["items"]
    assert found["items_overturned"] == row["outcome"]["overturned"]
    # Edited, the request is read again from the edited line.
    edited = client.post("/like/", {"text": PASTE,
                                    "request": "18 sessions of acupuncture for the neck"},
                         follow=True)
    (row,) = edited.context["requests"]
    assert row["subcategory"] == "acupuncture" and row["quantity"]["value"] == 18


def test_the_json_answers_the_same(client: Client, served: object) -> None:
    form = client.post("/api/like", {"text": PASTE}).json()
    body = client.post("/api/like", {"text": PASTE}, content_type="application/json").json()
    assert form == body
    (row,) = body["requests"]
    assert set(row) == {"treatment", "category", "subcategory", "drugs", "body_regions",
                        "laterality", "quantity", "search_url", "outcome", "results",
                        "telling_url"}
    # What tells them apart is asked apart, of the same search as the outcome's.
    assert row["telling_url"].startswith("http://testserver/api/telling?")
    assert row["telling_url"].split("?", 1)[1] == row["search_url"].split("?", 1)[1]
    result = row["results"][0]
    assert set(result) == {"id", "url", "item", "treatment", "decision", "specialties",
                           "decision_date", "deciding_sentence", "score"}
    assert result["url"].startswith("http://testserver/cases/")
    assert result["url"].endswith(f"#item-{result['item']}")


@pytest.mark.parametrize(("text", "message"), [
    ("", "Paste the text of a denial"),
    ("   \n\t ", "Paste the text of a denial"),
    ("x" * (MAX_TEXT + 1), "paste at most 20,000"),
    ("The weather was fine and the claimant walked to the bus.", "could not find a requested"),
    (bytes(range(256)).decode("latin-1") * 20, "could not find a requested"),
])
def test_bad_pastes_get_a_message(client: Client, served: object, text: str,
                                  message: str) -> None:
    page = client.post("/like/", {"text": text})
    assert page.status_code == 400 and message in page.content.decode()
    api = client.post("/api/like", {"text": text}, content_type="application/json")
    assert api.status_code == 400 and message in api.json()["error"]


def test_the_api_refuses_a_body_that_is_not_json(client: Client, served: object) -> None:
    response = client.post("/api/like", "{nope", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
