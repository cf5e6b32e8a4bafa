"""Keeping the search index in step with the database: index what was stored, rebuild it,
check it for drift and repair it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Determination, DisputedItem
from cases.parsing.guidelines import section_values
from cases.parsing.specialties import canonical_specialties
from cases.search.base import (
    IndexCheck,
    IndexDocument,
    IndexItem,
    SearchBackend,
)

logger = logging.getLogger(__name__)

# -- the search index ------------------------------------------------------------------
INDEX_CHUNK = 1000
# Letters an import indexes between two index commits. Each commit is a Whoosh segment
# (one per writer process): fewer, larger commits index faster and search faster; a
# stopped import loses at most this many letters' indexing, which the next run redoes.
INDEX_COMMIT_EVERY = 20_000


class Indexer:
    """An import's index writer: adds stored letters, commits every so many, flags them."""

    def __init__(self, backend: SearchBackend, *, procs: int,
                 commit_every: int = INDEX_COMMIT_EVERY) -> None:
        self.backend = backend
        self.writer = backend.index.writer(procs=procs)
        self.commit_every = commit_every
        self.uncommitted = 0
        self.committed = 0

    def add(self, public_ids: list[str]) -> None:
        """Queue these stored determinations for the index (read back as stored)."""
        for start in range(0, len(public_ids), INDEX_CHUNK):
            found = Determination.objects.filter(
                public_id__in=public_ids[start : start + INDEX_CHUNK]).prefetch_related("items")
            self.writer.add(index_document(d) for d in found)
        self.uncommitted += len(public_ids)

    def commit_if_due(self) -> None:
        """Commit once enough letters are queued."""
        if self.uncommitted >= self.commit_every:
            self.commit()

    def add_unindexed(self) -> int:
        """Index the stored determinations that no index commit covers (all of them when the
        index is gone); return how many."""
        if self.backend.index.count() == 0:  # raises when an index exists but cannot be read
            lost = Determination.objects.filter(indexed=True).update(indexed=False)
            if lost:
                logger.warning("The search index is missing; indexing all %d stored letters.",
                               lost)
        pending = list(Determination.objects.filter(indexed=False).order_by("pk")
                       .values_list("public_id", flat=True))
        for start in range(0, len(pending), self.commit_every):
            self.add(pending[start : start + self.commit_every])
            self.commit()
        return len(pending)

    def commit(self) -> None:
        """Make the queued determinations searchable and flag them indexed."""
        ids = self.writer.commit()
        _flag_indexed(ids)
        self.committed += len(ids)
        self.uncommitted = 0

    def cancel(self) -> None:
        """Drop what is queued (it stays flagged unindexed)."""
        self.writer.cancel()


def _flag_indexed(public_ids: list[str]) -> None:
    for start in range(0, len(public_ids), INDEX_CHUNK):
        Determination.objects.filter(
            public_id__in=public_ids[start : start + INDEX_CHUNK]).update(indexed=True)


def index_document(determination: Determination) -> IndexDocument:
    """What the index needs of a stored determination (items must be prefetched)."""
    items = list(determination.items.all())
    return IndexDocument(
        id=determination.public_id,
        case_number=determination.case_number,
        decision_date=determination.decision_date,
        date_of_injury=determination.date_of_injury,
        specialties=canonical_specialties(determination.specialty_names),
        states=tuple(determination.state_names),
        outcome=determination.case_outcome,
        guidelines=tuple(determination.guidelines_cited),
        sex=determination.patient_sex,
        age=determination.patient_age,
        summary=determination.summary,
        items=tuple(IndexItem(i.treatment, i.category, i.subcategory, i.decision, i.rationale,
                              drugs=tuple(i.drugs), body_regions=tuple(i.body_regions),
                              quantity_value=i.quantity_value, quantity_unit=i.quantity_unit,
                              **guideline_fields(i))
                    for i in items),
        body="\n".join([determination.credentials]
                       + [f"{i.claims_administrator_guideline}\n{i.maximus_guideline}"
                          for i in items]),
        added=determination.imported_at,
    )


def guideline_fields(item: DisputedItem) -> dict[str, object]:
    """The index's values of a stored item's citations and reasons (IndexItem's fields)."""
    return {"imr_guidelines": tuple(dict.fromkeys(str(c["document"])
                                                  for c in item.maximus_citations)),
            "guideline_sections": section_values(item.maximus_citations),
            "same_guideline": item.same_guideline,
            "reasons": tuple(dict.fromkeys(r["code"] for r in item.reasons))}


def index_determinations(*, public_ids: Iterable[str], backend: SearchBackend) -> int:
    """(Re)index the given stored determinations now; return how many were written."""
    indexer = Indexer(backend, procs=1)
    indexer.add(list(public_ids))
    indexer.commit()
    return indexer.committed


# How far back of a rebuild's start its catch-up looks for changed letters: room for a
# database clock (PostgreSQL's) a little behind this machine's.
CATCH_UP_MARGIN = timedelta(minutes=5)


def each_with_items(stored: QuerySet[Determination] | None = None) -> Iterator[Determination]:
    """Stored determinations (all, or ``stored``) in id order with their items, read a
    chunk at a time: what building index documents needs."""
    stored = Determination.objects.all() if stored is None else stored
    return stored.order_by("pk").prefetch_related("items").iterator(chunk_size=INDEX_CHUNK)


def rebuild_index(*, backend: SearchBackend, procs: int = 1,
                  on_document: Callable[[], None] | None = None) -> int:
    """Build a fresh index of every stored determination and swap it in.

    An import may run meanwhile: before the swap, the letters changed since the rebuild
    started are indexed again, once that import's writer has committed to the old index."""
    written: list[str] = []
    started = timezone.now()

    def documents() -> Iterable[IndexDocument]:
        for determination in each_with_items():
            if on_document:
                on_document()
            written.append(determination.public_id)
            yield index_document(determination)

    def catch_up() -> Iterable[IndexDocument]:
        changed = Determination.objects.filter(updated_at__gte=started - CATCH_UP_MARGIN)
        for determination in each_with_items(changed):
            written.append(determination.public_id)
            yield index_document(determination)

    count = backend.index.rebuild(documents(), procs=procs, catch_up=catch_up)
    _flag_indexed(list(dict.fromkeys(written)))
    return count


def check_index(*, backend: SearchBackend,
                on_document: Callable[[], None] | None = None) -> IndexCheck:
    """Compare the index with the database: which stored determinations it lacks or holds
    in an older form, and which documents it holds that the database does not (or twice).

    Raises ``IndexUnavailableError`` when the index cannot be read at all.
    """
    backend.index.verify()
    indexed: dict[str, str] = {}
    duplicated: set[str] = set()
    for doc_id, fingerprint in backend.index.fingerprints():
        if doc_id in indexed:
            duplicated.add(doc_id)
        indexed[doc_id] = fingerprint
    missing, stale = [], []
    for determination in each_with_items():
        if on_document:
            on_document()
        fingerprint = indexed.pop(determination.public_id, None)
        if fingerprint is None:
            missing.append(determination.public_id)
        elif fingerprint != index_document(determination).fingerprint():
            stale.append(determination.public_id)
    return IndexCheck(missing=missing, stale=stale, orphaned=sorted(indexed),
                      duplicated=sorted(duplicated - set(indexed) - set(stale)))


def repair_index(*, backend: SearchBackend, check: IndexCheck, procs: int = 1) -> int:
    """Fix the drift ``check`` found: index the missing and stale determinations (which also
    removes duplicates) and remove the orphans. Returns how many documents were fixed."""
    if check.orphaned:
        backend.index.delete(check.orphaned)
    again = check.missing + check.stale + check.duplicated
    if again:
        indexer = Indexer(backend, procs=procs)
        for start in range(0, len(again), indexer.commit_every):
            indexer.add(again[start : start + indexer.commit_every])
            indexer.commit()
    return check.drift
