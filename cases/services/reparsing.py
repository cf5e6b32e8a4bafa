"""Re-parse stored letters from their stored text, without their files.

For when the parser improved or a letter's text was corrected in the admin. The import
(``importing``) skips letters whose text and parser version are unchanged; this rewrites
them regardless, through the import's own field and child-row writers (``storing``), so a
re-parsed determination is stored exactly as an import would store it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cases.models import Determination, DisputedItem
from cases.parsing import ParseError, parse_determination
from cases.search import get_backend
from cases.services.indexing import index_determinations

# The import's own writers, shared rather than copied, so the two ways of storing a parsed
# letter cannot drift apart.
from cases.services.storing import Letter, determination_fields, write_children

logger = logging.getLogger(__name__)

BATCH_SIZE = 250


@dataclass
class ReparseReport:
    """What a re-parse did: letters rewritten and re-indexed, and those left as they were."""

    reparsed: int = 0
    indexed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def reparse_determinations(*, public_ids: Iterable[str], index: bool = True) -> ReparseReport:
    """Parse the given determinations' stored text again, store the result and re-index it.

    A letter that no longer parses, or now reads as another case (its public id would
    change), is left unchanged and reported.
    """
    report = ReparseReport()
    wanted = list(public_ids)
    written: list[str] = []
    for start in range(0, len(wanted), BATCH_SIZE):
        batch = Determination.objects.filter(public_id__in=wanted[start : start + BATCH_SIZE])
        letters = [(d, letter) for d in batch if (letter := _reparsed(d, report)) is not None]
        if letters:
            with transaction.atomic():
                _rewrite(letters)
            written.extend(d.public_id for d, _ in letters)
    report.reparsed = len(written)
    if index and written:
        report.indexed = index_determinations(public_ids=written, backend=get_backend())
    return report


def _reparsed(determination: Determination, report: ReparseReport) -> Letter | None:
    """The stored letter parsed again, or None (reported) when it cannot replace the row."""
    try:
        parsed = parse_determination(determination.original_text,
                                     source=determination.source_name)
    except ParseError as exc:
        report.failed.append((determination.public_id, str(exc)))
        return None
    except Exception as exc:  # a parser bug must not stop the others
        logger.exception("Unexpected error re-parsing %s", determination.public_id)
        report.failed.append((determination.public_id, f"internal error while parsing: {exc!r}"))
        return None
    if parsed.public_id != determination.public_id:
        report.failed.append((determination.public_id,
                              f"now reads as {parsed.public_id}; its id would change"))
        return None
    return Letter(Path(determination.source_name), parsed, determination.original_text,
                   determination.source_hash)


def _rewrite(letters: list[tuple[Determination, Letter]]) -> None:
    """Overwrite the determinations' fields and replace their items, specialties and states."""
    names = list(determination_fields(letters[0][1]))
    now = timezone.now()  # bulk_update leaves auto_now fields alone
    for determination, letter in letters:
        for name, value in determination_fields(letter).items():
            setattr(determination, name, value)
        determination.updated_at = now
    Determination.objects.bulk_update([d for d, _ in letters], fields=[*names, "updated_at"])
    pks = [d.pk for d, _ in letters]
    DisputedItem.objects.filter(determination_id__in=pks).delete()
    Determination.specialties.through.objects.filter(determination_id__in=pks).delete()
    Determination.states.through.objects.filter(determination_id__in=pks).delete()
    write_children(letters)
