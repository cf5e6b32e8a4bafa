"""Views: a browsable list of determinations and the permanent page of one."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cases.models import Determination

PAGE_SIZE = 25


@require_GET
def determination_list(request: HttpRequest) -> HttpResponse:
    """Newest determinations first, paginated."""
    paginator = Paginator(Determination.objects.with_details(), PAGE_SIZE, orphans=3)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "cases/determination_list.html", {"page": page})


@require_GET
def determination_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The permanent page of one determination."""
    determination = get_object_or_404(Determination.objects.with_details(), public_id=public_id)
    return render(request, "cases/determination_detail.html", {"determination": determination})
