"""Cases like mine: paste a denial, see the nearest determinations for the same request and
how they went; the page (a long paste is posted, its answer is a URL) and the JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cases.presentation.like import request_rows
from cases.search.base import SearchError
from cases.selectors.like import MAX_TEXT, LikeError, cases_like, understood
from cases.views.errors import finish, search_failure

# Characters of a posted text the answer's URL keeps as the facts to compare: a request line
# under gunicorn's 4,094 bytes once encoded.
URL_FACTS = 2_000


def _answer(text: str, edited: list[str], absolute: Callable[[str], str] | None = None,
            ) -> tuple[list[dict[str, object]], str, int]:
    """The rows of every understood request, or the message and status of why not."""
    try:
        answers = cases_like(text, edited)
    except LikeError as exc:
        return [], str(exc), 400
    except SearchError as exc:
        failure = search_failure(exc)
        return [], failure.message, failure.status
    telling_url = reverse("cases:api-telling" if absolute else "cases:telling")
    return request_rows(answers, search_url=reverse("cases:search"), telling_url=telling_url,
                        absolute=absolute), "", 200


@require_http_methods(["GET", "POST"])
def like(request: HttpRequest) -> HttpResponse:
    """``/like/``: the box. Posted, the text's requests are read and the page redirects to
    their answer as a URL (the request lines and the first ``URL_FACTS`` characters of the
    text), so that the answer can be shared, bookmarked and come back to from a neighbour;
    that GET, like a case page's "see all", answers."""
    data = request.POST if request.method == "POST" else request.GET
    text, edited = data.get("text", ""), data.getlist("request")
    context: dict[str, object] = {"text": text, "max_text": MAX_TEXT,
                                  "max_text_words": f"{MAX_TEXT:,}"}
    status = 200
    if request.method == "POST":
        try:
            lines = [found.treatment for found in understood(text, edited)]
        except LikeError as exc:
            context["error"], status = str(exc), 400
        else:
            answer = urlencode([("request", line) for line in lines]
                               + [("text", text[:URL_FACTS])])
            return redirect(f"{reverse('cases:like')}?{answer}", permanent=False)
    elif edited:
        rows, message, status = _answer(text, edited)
        context.update(requests=rows, error=message)
    return finish(render(request, "cases/like.html", context, status=status), status)


@csrf_exempt  # a stateless read: no session or cookie is used, nothing is changed
@require_POST
def like_api(request: HttpRequest) -> JsonResponse:
    """``POST /api/like`` with ``text`` (form or JSON body): the same as JSON."""
    text, edited = request.POST.get("text", ""), request.POST.getlist("request")
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"error": "The body is not valid JSON."}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
            return JsonResponse({"error": "Send a JSON object with \"text\": a string."},
                                status=400)
        text = body.get("text", "")
        edited = [line for line in body.get("requests", []) if isinstance(line, str)]
    rows, message, status = _answer(text, edited, request.build_absolute_uri)
    if status != 200:
        response = JsonResponse({"error": message}, status=status)
        finish(response, status)
        return response
    return JsonResponse({"requests": rows})
