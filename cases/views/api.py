"""The JSON API: the same search parameters as the page, and one stored determination."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from cases.forms import SearchForm
from cases.models import Determination
from cases.search.base import SearchError
from cases.selectors import SearchPage, find_case_number, search_determinations
from cases.views.errors import Failure, finish, form_failure, search_failure


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def determination_dict(determination: Determination, *, url: str) -> dict[str, object]:
    """A stored determination with the keys of ``parse_determination``'s JSON, plus id and url."""
    d = determination
    return {
        "id": d.public_id,
        "url": url,
        "source": d.source_name,
        "case_number": d.case_number or None,
        "decision_date": _iso(d.decision_date),
        "date_of_injury": _iso(d.date_of_injury),
        "date_assigned": _iso(d.date_assigned),
        "ur_denial_date": _iso(d.ur_denial_date),
        "application_received": _iso(d.application_received),
        "priority": d.priority or None,
        "states_of_licensure": list(d.state_names),
        "specialties": list(d.specialty_names),
        "patient_age": d.patient_age,
        "patient_sex": d.patient_sex or None,
        "items": [
            {
                "treatment": i.treatment,
                "decision": i.decision,
                "category": i.category,
                "subcategory": i.subcategory,
                "claims_administrator_guideline": i.claims_administrator_guideline,
                "maximus_guideline": i.maximus_guideline,
                "rationale": i.rationale,
                "original_request": i.original_request or None,
                "authorized": i.authorized or None,
                "drugs": list(i.drugs),
                "body_regions": list(i.body_regions),
                "laterality": i.laterality or None,
                "quantity": i.quantity,
                "claims_administrator_citations": i.claims_administrator_citations,
                "maximus_citations": i.maximus_citations,
                "same_guideline": i.same_guideline or None,
                "reasons": [{key: r[key] for key in ("code", "label", "sentence")}
                            for r in i.stated_reasons],
            }
            for i in d.items.all()
        ],
        "case_outcome": d.case_outcome or None,
        "guidelines_cited": d.guidelines_cited,
        "layout": d.layout or None,
        "content_hash": d.content_hash,
        "warnings": list(d.warnings),
        "error": None,
        # What the case page shows besides: the sections as the parser cut them, the letter.
        "summary": d.summary,
        "credentials": d.credentials,
        "text": d.original_text,
    }


def search_dict(page: SearchPage, request: HttpRequest) -> dict[str, object]:
    """One page of results with the facet counts over all matches."""
    results = page.results
    return {
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "items_upheld": results.items_upheld,
        "items_overturned": results.items_overturned,
        # Whether those count only the items meeting the item-level conditions (item facets,
        # quantity range, treatment: clauses) or every item of the matching letters.
        "items_matching_only": results.items_matching_only,
        "suggestion": results.suggestion,
        "results": [
            {
                "id": d.public_id,
                "url": request.build_absolute_uri(d.get_absolute_url()),
                "case_number": d.case_number or None,
                "decision_date": _iso(d.decision_date),
                "case_outcome": d.case_outcome,
                "specialties": list(d.specialty_names),
                "states_of_licensure": list(d.state_names),
                "items": [{"item": i.position, "treatment": i.treatment,
                           "category": i.category, "subcategory": i.subcategory,
                           "decision": i.decision, "drugs": list(i.drugs),
                           "body_regions": list(i.body_regions), "quantity": i.quantity,
                           "matching": i.position in hit.items}
                          for i in d.items],
                "matching_items": list(hit.items),
                "snippet": hit.snippet,
                "snippet_text": hit.snippet_text,
                "highlights": [list(span) for span in hit.highlights],
            }
            for hit, d in page.rows
        ],
        "facets": {
            name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
            for name, values in results.facets.items()
        },
    }


def _error(message: str, status: int, fields: dict[str, list[str]] | None = None,
           valid: dict[str, list[str]] | None = None) -> JsonResponse:
    body: dict[str, object] = {"error": message}
    if fields is not None:
        body["fields"] = fields
    if valid:
        body["valid"] = valid
    return JsonResponse(body, status=status)


def failure_response(failure: Failure) -> JsonResponse:
    """A search that could not run, as JSON (no ``fields`` for an unavailable index;
    ``valid``, the values a facet has, for a value it has not)."""
    response = _error(failure.message, failure.status,
                      None if failure.unavailable else failure.fields, failure.valid)
    finish(response, failure.status)
    return response


@require_GET
def search(request: HttpRequest) -> JsonResponse:
    """``GET /api/search``: the search page's parameters, as JSON."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return failure_response(form_failure(form))
    try:
        page = search_determinations(form.search_query())
    except SearchError as exc:
        return failure_response(search_failure(exc))
    return JsonResponse(search_dict(page, request))


@require_GET
def determination(request: HttpRequest, public_id: str) -> JsonResponse:
    """``GET /api/cases/<id>`` (or ``<id>/``): one stored determination, as JSON. A case
    number in another spelling ("cm16-0247255") answers as its own id does: a client that
    does not follow redirects still gets it, and its ``id`` says how it is written."""
    # No id holds a NUL, and PostgreSQL refuses one in a query (a 500, not a 404).
    if "\x00" in public_id:
        found = None
    else:
        stored = Determination.objects.with_details()
        found = stored.filter(public_id=public_id).first()
        if found is None and (other := find_case_number(public_id)):
            found = stored.filter(public_id=other).first()
    if found is None:
        return _error(f"No determination has the id {public_id!r}.", 404)
    return JsonResponse(determination_dict(
        found, url=request.build_absolute_uri(found.get_absolute_url())))


API_PATHS = ("/api/search", "/api/cases/<id>", "/api/like", "/api/telling")


def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under ``/api/``: a JSON 404 naming the addresses there are (a
    client reads JSON, not Django's HTML page)."""
    return _error(f"There is no API address {request.path!r}; the API answers at "
                  f"{', '.join(API_PATHS)}.", 404)
