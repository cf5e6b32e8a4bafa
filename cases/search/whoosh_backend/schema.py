"""What the Whoosh index holds: its schema, and the fields of one determination.

Facets are keyword fields named ``f_<facet>``; dates are one ``yyyymmdd`` term per document,
read into arrays by ``arrays``. Each document's disputed items (category, treatment, decision,
drugs, body regions, quantity and heading) are one JSON value of the ``items`` column, read
into one table of items (``items``), so every item-level condition holds for the same item.
Each item is also a ``category|treatment|decision`` keyword, which "similar" filters on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

from whoosh import columns, fields

from cases.search.base import FACETS, ITEM_FACETS, UNDATED_YEAR, IndexDocument, age_band
from cases.search.whoosh_backend.analysis import PAIR_FIELD, pair_analyzer, text_analyzer

CASE_FACETS = {name: f"f_{name}" for name in FACETS if name not in ITEM_FACETS}
ITEM_FIELD = "item"
SEP = "|"  # between the category, treatment and decision of an item keyword
DECIDED_FIELD = "decided"
INJURED_FIELD = "injured"
ADDED_FIELD = "added"  # seconds since ADDED_EPOCH: the order of feeds and "recently added"
DATE_FIELDS = (DECIDED_FIELD, INJURED_FIELD, ADDED_FIELD)
ADDED_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# The column's name carries its row format: an index with rows of another format has another
# schema signature, and is refused until rebuilt. 2: guidelines, sections and reasons.
ITEMS_COLUMN = "items_v2"


def build_schema() -> fields.Schema:
    """The index schema: full-text fields, facet keywords, item triples, date columns."""
    analyzer = text_analyzer()
    # Positions cost index time and a position check per candidate letter at search time:
    # phrases are answered from the word-pair field instead (no positions either: a phrase of
    # three words or more asks for each of its pairs). Treatment keeps positions, being short.
    # Spelling suggestions come from treatment words, short and what users type most.
    text = {name: fields.TEXT(analyzer=analyzer, phrase=False)
            for name in ("rationale", "summary", "specialty", "state")}
    facets = {field: fields.KEYWORD(commas=True, scorable=False)
              for field in CASE_FACETS.values()}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        fingerprint=fields.STORED(),  # of the IndexDocument: check_index compares it
        case=fields.KEYWORD(lowercase=True),
        content=fields.TEXT(analyzer=analyzer, phrase=False),
        **{PAIR_FIELD: fields.TEXT(analyzer=pair_analyzer(), phrase=False)},
        treatment=fields.TEXT(analyzer=analyzer, phrase=True, spelling=True),
        **{ITEM_FIELD: fields.KEYWORD(commas=True, scorable=True)},
        **{ITEMS_COLUMN: fields.COLUMN(columns.VarBytesColumn())},
        **{name: fields.ID() for name in DATE_FIELDS},
        **text,
        **facets,
    )


def signature(schema: fields.Schema) -> list[tuple[str, ...]]:
    """What must match between the stored schema and this code's: names, kinds, analyzers
    and the analyzers' versions (the terms they make)."""
    return [(name, type(field).__name__, type(field.format).__name__,
             type(analyzer := getattr(field, "analyzer", None)).__name__,
             str(getattr(analyzer, "version", "")))
            for name, field in sorted(schema.items())]


def day_number(value: date | None) -> int:
    """A date as the yyyymmdd number the date columns hold (0: unknown)."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def added_number(value: datetime | None) -> int:
    """A moment as the whole seconds since ``ADDED_EPOCH`` the added column holds (0: unknown;
    an int32 until 2068). A naive moment is taken as UTC."""
    if value is None:
        return 0
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return max(0, int((moment - ADDED_EPOCH).total_seconds()))


def _keywords(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", " ") for v in values if v)


def items_value(doc: IndexDocument) -> bytes:
    """The items column of one determination: per item, in order, [category, treatment,
    decision, drugs, body regions, quantity unit, quantity value or null, heading, whether
    the reviewer's guideline is UR's, the reviewer's guidelines, their sections, reasons]."""
    return json.dumps([[i.category, i.subcategory, i.decision, list(i.drugs),
                        list(i.body_regions), i.quantity_unit, i.quantity_value, i.treatment,
                        i.same_guideline, list(i.imr_guidelines), list(i.guideline_sections),
                        list(i.reasons)]
                       for i in doc.items], separators=(",", ":")).encode()


def document_fields(doc: IndexDocument) -> dict[str, object]:
    """The Whoosh fields of one determination."""
    treatments = " \n".join(item.treatment for item in doc.items)
    rationales = " \n".join(item.rationale for item in doc.items)
    content = "\n".join((doc.case_number, treatments, doc.summary, rationales, doc.body))
    return {
        "id": doc.id,
        "fingerprint": doc.fingerprint(),
        "case": doc.case_number or doc.id,
        "content": content,
        PAIR_FIELD: content,
        "treatment": treatments,
        "rationale": rationales,
        "summary": doc.summary,
        "specialty": " \n".join(doc.specialties),
        "state": " \n".join(doc.states),
        ITEM_FIELD: _keywords(SEP.join((i.category, i.subcategory, i.decision))
                              for i in doc.items),
        ITEMS_COLUMN: items_value(doc),
        DECIDED_FIELD: str(day_number(doc.decision_date) or ""),
        INJURED_FIELD: str(day_number(doc.date_of_injury) or ""),
        ADDED_FIELD: str(added_number(doc.added) or ""),
        "f_specialty": _keywords(doc.specialties),
        "f_state": _keywords(doc.states),
        "f_outcome": doc.outcome,
        "f_guideline": _keywords(doc.guidelines),
        "f_year": str(doc.decision_date.year) if doc.decision_date else UNDATED_YEAR,
        "f_sex": doc.sex,
        "f_age": age_band(doc.age) or "",
    }
