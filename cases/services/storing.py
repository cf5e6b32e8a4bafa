"""Storing parsed letters: new ones created, changed ones rewritten in place, a less
complete copy of a stored letter refused. The re-parse writes through here too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db.models import Count
from django.utils import timezone

from cases.models import Determination, DisputedItem, LicenseState, Specialty
from cases.parsing import PARSER_VERSION, ParsedDetermination
from cases.parsing import DisputedItem as ParsedItem
from cases.parsing.guidelines import guideline_agreement


@dataclass(frozen=True)
class Letter:
    path: Path
    parsed: ParsedDetermination
    original_text: str
    source_hash: str = ""


def source_name(path: Path) -> str:
    """A file's name as stored: text the database takes, even for a name in another
    encoding than UTF-8 (old zip files write Latin-1 names)."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")[:255]


@dataclass
class Written:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)  # of the letters created or rewritten
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def write_letters(letters: list[Letter], *, replace_any: bool = False) -> Written:
    """Create new determinations, rewrite changed ones, refuse to replace a stored letter by
    a less complete one (a damaged copy) unless ``replace_any``."""
    ids = [letter.parsed.public_id for letter in letters]
    existing = {d.public_id: d for d in Determination.objects.filter(public_id__in=ids)
                .annotate(item_count=Count("items"))}
    created: list[tuple[Determination, Letter]] = []
    changed: list[tuple[Determination, Letter]] = []
    written = Written()
    for letter in letters:
        current = existing.get(letter.parsed.public_id)
        if current is None:
            created.append((Determination(**determination_fields(letter)), letter))
        elif (current.content_hash, current.parser_version, current.source_hash,
              current.source_name) == (letter.parsed.content_hash, PARSER_VERSION,
                                       letter.source_hash, source_name(letter.path)):
            written.unchanged += 1
        elif not replace_any and (losses := _losses(current, letter)):
            shown = "; ".join(losses[:2]) + ("; …" if len(losses) > 2 else "")
            stored_from = "".join(c if c.isprintable() else "?" for c in current.source_name)
            written.refused.append((str(letter.path), (
                f"not stored over {current.public_id} from {stored_from[:40]}: {shown}, "
                "as in a damaged copy (--replace forces it)")))
        else:
            for name, value in determination_fields(letter).items():
                setattr(current, name, value)
            changed.append((current, letter))
    Determination.objects.bulk_create([d for d, _ in created])
    if changed:
        Determination.objects.bulk_update(
            [d for d, _ in changed], fields=list(determination_fields(changed[0][1]))
        )
        stale = [d.pk for d, _ in changed]
        DisputedItem.objects.filter(determination_id__in=stale).delete()
        Determination.specialties.through.objects.filter(determination_id__in=stale).delete()
        Determination.states.through.objects.filter(determination_id__in=stale).delete()
    write_children(created + changed)
    written.new, written.updated = len(created), len(changed)
    written.ids = [d.public_id for d, _ in created + changed]
    return written


def _losses(current: Determination, letter: Letter) -> list[str]:
    """What a stored letter says that a new file of the same letter does not, from another
    file (a re-read of the same file by a newer parser may say less: a parser fix)."""
    if current.source_hash == letter.source_hash:
        return []
    parsed = letter.parsed
    losses = []
    if len(parsed.items) < current.item_count:
        losses.append(f"{len(parsed.items)} of its {current.item_count} disputed items")
    sections = parsed.sections
    for label, stored, new in (
        ("decision date", current.decision_date, parsed.decision_date),
        ("date of injury", current.date_of_injury, parsed.date_of_injury),
        ("date assigned", current.date_assigned, parsed.date_assigned),
        ("UR denial date", current.ur_denial_date, parsed.ur_denial_date),
        ("application date", current.application_received, parsed.application_received),
        ("priority", current.priority, parsed.priority),
        ("case outcome", current.case_outcome, parsed.case_outcome),
        ("reviewer specialty", current.specialty_names, parsed.specialties),
        ("state of licensure", current.state_names, parsed.states_of_licensure),
        ("patient age", current.patient_age, parsed.patient_age),
        ("patient sex", current.patient_sex, parsed.patient_sex),
        ("account of how the decision was made", current.how_made, sections.how_made),
        ("reviewer credentials", current.credentials, sections.credentials),
        ("summary", current.summary, sections.summary),
        ("issues section", current.issues, sections.issues),
    ):
        if stored not in (None, "", []) and new in (None, "", [], ()):
            losses.append(f"no {label}")
    if len(parsed.warnings) > len(current.warnings):
        losses.append(f"{len(parsed.warnings)} parse warnings where it had "
                      f"{len(current.warnings)}")
    return losses


def write_children(rows: list[tuple[Determination, Letter]]) -> None:
    if not rows:
        return
    specialties = _named(Specialty, {n for _, letter in rows for n in letter.parsed.specialties})
    states = _named(LicenseState, {n for _, letter in rows
                                   for n in letter.parsed.states_of_licensure})
    items, specialty_links, state_links = [], [], []
    specialty_through = Determination.specialties.through
    state_through = Determination.states.through
    for determination, letter in rows:
        parsed = letter.parsed
        items.extend(DisputedItem(determination=determination, position=position,
                                  **item_fields(item))
                     for position, item in enumerate(parsed.items, start=1))
        specialty_links.extend(
            specialty_through(determination_id=determination.pk, specialty_id=specialties[n])
            for n in dict.fromkeys(parsed.specialties)
        )
        state_links.extend(
            state_through(determination_id=determination.pk, licensestate_id=states[n])
            for n in dict.fromkeys(parsed.states_of_licensure)
        )
    DisputedItem.objects.bulk_create(items)
    specialty_through.objects.bulk_create(specialty_links)
    state_through.objects.bulk_create(state_links)


_TEXT_FIELDS = ("treatment", "decision", "category", "subcategory",
                "claims_administrator_guideline", "maximus_guideline", "rationale",
                "original_request", "authorized")


def item_fields(item: ParsedItem) -> dict[str, object]:
    """Model field values of one parsed disputed item."""
    # The model stores "" where the parser says None (text columns, no NULLs).
    fields: dict[str, object] = {name: getattr(item, name) or "" for name in _TEXT_FIELDS}
    quantity = item.quantity
    fields.update(drugs=list(item.drugs), body_regions=list(item.body_regions),
                  laterality=item.laterality or "",
                  quantity_value=quantity.value if quantity else None,
                  quantity_unit=quantity.unit if quantity else "")
    ca, imr = item.claims_administrator_citations, item.maximus_citations
    fields.update(claims_administrator_citations=[c.as_dict() for c in ca],
                  maximus_citations=[c.as_dict() for c in imr],
                  same_guideline=guideline_agreement(ca, imr) or "",
                  reasons=[{"code": r.code, "start": r.start, "end": r.end}
                           for r in item.reasons])
    return fields


def _named(model: type[Specialty] | type[LicenseState], names: set[str]) -> dict[str, int]:
    """Ids of the named rows, creating the missing ones."""
    model.objects.bulk_create([model(name=n) for n in names], ignore_conflicts=True)
    return dict(model.objects.filter(name__in=names).values_list("name", "pk"))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def determination_fields(letter: Letter) -> dict[str, object]:
    """Model field values of a parsed letter (children excluded)."""
    p = letter.parsed
    cited = set(p.guidelines_cited)
    return {
        "case_number": p.case_number or "",
        "decision_date": _day(p.decision_date),
        "date_of_injury": _day(p.date_of_injury),
        "date_assigned": _day(p.date_assigned),
        "ur_denial_date": _day(p.ur_denial_date),
        "application_received": _day(p.application_received),
        "priority": p.priority or "",
        "specialty_names": list(p.specialties),
        "state_names": list(p.states_of_licensure),
        "patient_age": p.patient_age,
        "patient_sex": p.patient_sex or "",
        "case_outcome": p.case_outcome or "",
        "cites_mtus": "MTUS" in cited,
        "cites_acoem": "ACOEM" in cited,
        "cites_odg": "ODG" in cited,
        "cites_non_mtus": "Non-MTUS" in cited,
        "layout": p.layout or "",
        "how_made": p.sections.how_made,
        "credentials": p.sections.credentials,
        "summary": p.sections.summary,
        "issues": p.sections.issues,
        "original_text": letter.original_text.replace("\x00", ""),
        "source_name": source_name(letter.path),
        "content_hash": p.content_hash,
        "source_hash": letter.source_hash,
        "parser_version": PARSER_VERSION,
        "indexed": False,
        "warnings": list(p.warnings),
        "public_id": p.public_id,
        "updated_at": timezone.now(),  # bulk_update leaves auto_now alone; rebuilds read it
    }
