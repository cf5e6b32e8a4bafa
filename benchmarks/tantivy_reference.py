"""The compiled reference: Tantivy (through tantivy-py), counted with its aggregations.

It indexes the same documents as our backend (the same field texts as the FTS5 reference)
and answers the same queries with the same facet semantics, so the benchmark can check that
all three agree on every total and facet count. Its analysis mirrors the FTS5 reference's
``porter unicode61``: words split at anything not a letter or digit, lower-cased, accents
folded, stemmed in English; unqualified words search the ``content`` field.

One index holds two kinds of documents:

- a **letter**: its text fields, case facets, the values of all its items (``facet_*``), and
  each item ``k`` again as ``k|value`` terms (``nth_*``), a heading field and a quantity
  field of its own, so that "some item meets every item-level condition" is one Boolean
  query over a letter's items;
- an **item**: its letter's text fields and case facets (repeated, so that the letter's
  words and filters are conditions on the item document), its heading, quantity and
  values as item 1, and its values in ``once_*`` when no other item of its letter has
  them, in ``again_*`` when one does.

Totals and case facets are terms aggregations over letters. An item facet with no other
item-level condition counts the letters having the value on any item (a terms aggregation
over letters, each value once a letter). With other item-level conditions, a letter counts
for a value when one of its items has the value and meets them all: among the matching
items, a terms aggregation over ``once_*`` counts letters as items, and one over
``again_*``, with a terms aggregation by letter inside each value's bucket, counts the
letters of values several of their items have as distinct buckets (Tantivy's cardinality
aggregation is an estimate, not a count). This nested aggregation is most of the reference's
time in the rows with item-level conditions.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from cases.search.base import FACETS, ITEM_FACETS, IndexDocument, IndexItem, SearchQuery
from cases.search.whoosh_backend.schema import CASE_FACETS, document_fields

ANALYZER = "imr_english"
TEXT_FIELDS = ("content", "treatment", "rationale", "summary", "specialty", "state")
ITEM_LEVEL_FIELD = "treatment"  # a typed treatment: word also asks one item's heading for it
MAX_ITEMS = 64  # per letter: each item position is a heading and a quantity field
BUCKETS = 65_000  # Tantivy's default limit of buckets per aggregation request
_TOKEN = re.compile(r'"[^"]*"|\S+')

Counts = dict[str, dict[str, int]]


def build_analyzer() -> tantivy.TextAnalyzer:
    """Words as FTS5's ``porter unicode61`` reads them (Tantivy's stemmer is Porter2)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


def build_schema() -> tantivy.Schema:
    """Both kinds of document in one schema (see the module's docstring)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("kind", tokenizer_name="raw")
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("letter", indexed=True, fast=True)
    builder.add_unsigned_field("items", fast=True)
    builder.add_integer_field("decided", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    for facet in FACETS:
        builder.add_text_field(f"facet_{facet}", tokenizer_name="raw", fast=True)
    for facet in ITEM_FACETS:  # an item's values: held by no other item of its letter, or not
        builder.add_text_field(f"once_{facet}", tokenizer_name="raw", fast=True)
        builder.add_text_field(f"again_{facet}", tokenizer_name="raw", fast=True)
    for facet in (*ITEM_FACETS, "unit"):
        builder.add_text_field(f"nth_{facet}", tokenizer_name="raw", index_option="basic")
    for k in range(1, MAX_ITEMS + 1):
        builder.add_text_field(f"heading_{k}", tokenizer_name=ANALYZER)
        builder.add_float_field(f"quantity_{k}", indexed=True, fast=True)
    return builder.build()


def _item_values(item: IndexItem) -> dict[str, list[str]]:
    """An item's value(s) of each item facet, as the FTS5 reference stores them."""
    return {"category": [item.category], "treatment": [item.subcategory],
            "decision": [item.decision], "drug": list(dict.fromkeys(item.drugs)),
            "body_region": list(dict.fromkeys(item.body_regions)),
            "imr_guideline": list(dict.fromkeys(item.imr_guidelines)),
            "guideline_section": list(dict.fromkeys(item.guideline_sections)),
            "same_guideline": [item.same_guideline] if item.same_guideline else [],
            "reason": list(dict.fromkeys(item.reasons))}


class TantivyReference:
    """Tantivy full text with letter and item documents, counted with aggregations."""

    def __init__(self, path: Path | str) -> None:
        """The reference in ``path``: opened as built, or created empty."""
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.analyzer = build_analyzer()
        self.index.register_tokenizer(ANALYZER, build_analyzer())
        self._open()

    def _open(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()
        most = self.searcher.aggregate(self._kind("letter"), {"most": {"max": {"field": "items"}}})
        self.positions = range(1, int(most["most"]["value"] or 0) + 1)

    @classmethod
    def build(cls, path: Path, documents: Iterable[IndexDocument]) -> TantivyReference:
        """A new reference in ``path`` (emptied first) holding ``documents``."""
        shutil.rmtree(path, ignore_errors=True)
        reference = cls(path)
        reference.add(documents)
        return reference

    def add(self, documents: Iterable[IndexDocument]) -> int:
        """Index documents (one commit, then Tantivy's merges); return how many letters."""
        writer = self.index.writer(heap_size=400_000_000)
        count = 0
        for count, doc in enumerate(documents, start=1):
            if len(doc.items) > MAX_ITEMS:
                raise ValueError(f"{doc.id} has {len(doc.items)} items; the Tantivy reference "
                                 f"indexes up to {MAX_ITEMS} (raise MAX_ITEMS).")
            f = document_fields(doc)
            writer.add_document(self._letter(count, doc, f))
            holders = Counter((facet, value) for item in doc.items
                              for facet, values in _item_values(item).items() for value in values)
            for item in doc.items:
                writer.add_document(self._item(count, f, item, holders))
        writer.commit()
        writer.wait_merging_threads()
        self._open()
        return count

    @staticmethod
    def _common(kind: str, number: int, f: dict[str, object]) -> tantivy.Document:
        """What both kinds carry: the letter's number, text fields and case facets (``f``:
        its fields as our index gets them)."""
        document = tantivy.Document()
        document.add_text("kind", kind)
        document.add_unsigned("letter", number)
        for name in TEXT_FIELDS:
            document.add_text(name, str(f[name]))
        for facet, field in CASE_FACETS.items():
            for value in dict.fromkeys(str(f[field]).split(",") if f[field] else []):
                document.add_text(f"facet_{facet}", value)
        return document

    def _letter(self, number: int, doc: IndexDocument, f: dict[str, object]) -> tantivy.Document:
        document = self._common("letter", number, f)
        document.add_text("id", doc.id)
        document.add_unsigned("items", len(doc.items))
        document.add_integer("decided", int(str(f["decided"]) or 0))
        union: dict[str, dict[str, None]] = {facet: {} for facet in ITEM_FACETS}
        for k, item in enumerate(doc.items, start=1):
            self._add_item(document, k, item)
            for facet, values in _item_values(item).items():
                union[facet].update(dict.fromkeys(values))
        for facet, values in union.items():
            for value in values:
                document.add_text(f"facet_{facet}", value)
        return document

    def _item(self, number: int, f: dict[str, object], item: IndexItem,
              holders: Counter[tuple[str, str]]) -> tantivy.Document:
        """An item document; ``holders``: how many items of its letter have each value."""
        document = self._common("item", number, f)
        self._add_item(document, 1, item)
        for facet, values in _item_values(item).items():
            for value in values:
                field = "once" if holders[facet, value] == 1 else "again"
                document.add_text(f"{field}_{facet}", value)
        return document

    @staticmethod
    def _add_item(document: tantivy.Document, k: int, item: IndexItem) -> None:
        """Item ``k`` of a document: its values as ``k|value``, its heading and quantity."""
        for facet, values in _item_values(item).items():
            for value in values:
                document.add_text(f"nth_{facet}", f"{k}|{value}")
        document.add_text(f"heading_{k}", item.treatment)
        if item.quantity_value is not None:
            document.add_float(f"quantity_{k}", float(item.quantity_value))
            if item.quantity_unit:
                document.add_text("nth_unit", f"{k}|{item.quantity_unit}")

    # The query side.

    def _kind(self, kind: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "kind", kind)

    def _any_of(self, field: str, values: Iterable[str]) -> tantivy.Query:
        """Any of a few raw values (a term set query costs a millisecond to set up)."""
        terms = [tantivy.Query.term_query(self.schema, field, v) for v in values]
        return terms[0] if len(terms) == 1 else tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, term) for term in terms])

    def _words(self, field: str, word: str) -> tantivy.Query:
        """One token of the query language in ``field``: a word, "a phrase" or a prefix*."""
        if word.endswith("*") and not word.startswith('"'):
            prefix = re.escape(word[:-1].lower())
            return tantivy.Query.regex_query(self.schema, field, prefix + ".*")
        tokens = list(self.analyzer.analyze(word.strip('"')))
        if not tokens:
            return tantivy.Query.empty_query()
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        return tantivy.Query.phrase_query(self.schema, field, tokens)

    def parse(self, text: str) -> tuple[list[tantivy.Query], list[str]]:
        """The query's conditions on the letter, and its ``treatment:`` tokens (each also a
        condition on one item's heading)."""
        letter: list[tantivy.Query] = []
        headings: list[str] = []
        for token in _TOKEN.findall(text.strip()):
            field, _, word = ("", "", token) if token.startswith('"') else token.rpartition(":")
            if field and field not in TEXT_FIELDS:
                raise ValueError(f"{field}: the Tantivy reference searches {TEXT_FIELDS}.")
            letter.append(self._words(field or "content", word))
            if field == ITEM_LEVEL_FIELD:
                headings.append(word)
        return letter, headings

    def _one_item(self, k: int, query: SearchQuery, selections: dict[str, tuple[str, ...]],
                  headings: list[str], skip: str | None) -> list[tantivy.Query]:
        """Every item-level condition but item facet ``skip``'s, on item ``k``."""
        conditions = []
        for facet, values in selections.items():
            if facet in ITEM_FACETS and facet != skip:
                conditions.append(self._any_of(f"nth_{facet}", [f"{k}|{v}" for v in values]))
        if query.quantity_range:
            field = f"quantity_{k}"
            if query.quantity_min is None and query.quantity_max is None:
                conditions.append(tantivy.Query.exists_query(field))
            else:
                conditions.append(tantivy.Query.range_query(
                    self.schema, field, tantivy.FieldType.Float,
                    None if query.quantity_min is None else float(query.quantity_min),
                    None if query.quantity_max is None else float(query.quantity_max)))
            if query.quantity_unit:
                conditions.append(tantivy.Query.term_query(
                    self.schema, "nth_unit", f"{k}|{query.quantity_unit}"))
        conditions += [self._words(f"heading_{k}", word) for word in headings]
        return conditions

    def _some_item(self, query: SearchQuery, selections: dict[str, tuple[str, ...]],
                   headings: list[str], skip: str | None,
                   positions: Iterable[int]) -> tantivy.Query | None:
        """One of the items at ``positions`` meets every item-level condition but ``skip``'s
        (None: there is none)."""
        each = [self._one_item(k, query, selections, headings, skip) for k in positions]
        if not any(each):
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, _all(conditions)) for conditions in each if conditions])

    def _query(self, kind: str, text: list[tantivy.Query], query: SearchQuery,
               selections: dict[str, tuple[str, ...]], headings: list[str],
               case_skip: str | None, items: tuple[str | None] | None) -> tantivy.Query:
        """Documents of ``kind`` with the words and the case selections but ``case_skip``'s,
        and, unless ``items`` is None, an item meeting the item-level conditions but
        ``items[0]``'s."""
        conditions = [self._kind(kind), *text]
        for facet, values in selections.items():
            if facet not in ITEM_FACETS and facet != case_skip:
                conditions.append(self._any_of(f"facet_{facet}", values))
        if items is not None:
            positions = self.positions if kind == "letter" else (1,)
            some = self._some_item(query, selections, headings, items[0], positions)
            if some is not None:
                conditions.append(some)
        return _all(conditions)

    def search(self, query: SearchQuery) -> tuple[int, Counts, list[str]]:
        """Total, facet counts (own selection removed, item-level rule) and the first page."""
        text, headings = self.parse(query.text)
        selections = {k: tuple(v) for k, v in query.filters.items() if v}
        has_items = _item_level(query, selections, headings, skip=None)
        # Facets whose counts come from the same query are counted in one request.
        plans: dict[tuple[str, str | None, bool], list[str]] = {}
        for facet in FACETS:
            if facet not in ITEM_FACETS:
                key = ("letter", facet if facet in selections else None, has_items)
            else:
                others = _item_level(query, selections, headings, skip=facet)
                key = ("item", facet if facet in selections else None, True) if others \
                    else ("letter", None, False)
            plans.setdefault(key, []).append(facet)
        facets: Counts = {}
        for (kind, skip, items), names in plans.items():
            case_skip = skip if kind == "letter" else None
            scope = self._query(kind, text, query, selections, headings, case_skip,
                                (skip,) if items else None)
            facets.update(self._count(kind, scope, names))
        for facet, values in selections.items():
            for value in values:
                facets[facet].setdefault(value, 0)
        letters = self._query("letter", text, query, selections, headings, None,
                              (None,) if has_items else None)
        order = tantivy.Order.Asc if query.sort == "oldest" else tantivy.Order.Desc
        found = self.searcher.search(letters, limit=query.page_size, order_by_field="decided",
                                     order=order)
        page = [self.searcher.doc(address)["id"][0] for _, address in found.hits]
        return found.count or 0, {facet: facets[facet] for facet in FACETS}, page

    def _count(self, kind: str, scope: tantivy.Query, names: list[str]) -> Counts:
        """Each facet's letters by value, among the documents of ``scope``. Letters are
        counted as documents (every facet in one request). An item is counted as its letter
        when no other item of the letter has the value; the letters of values several of
        their items have are counted as distinct letters inside each value's bucket (a
        request a facet: Tantivy limits the buckets of a request)."""
        if kind == "letter":
            answer = self.searcher.aggregate(scope, {
                facet: {"terms": {"field": f"facet_{facet}", "size": BUCKETS}} for facet in names})
            return {facet: {b["key"]: b["doc_count"] for b in _exact(answer[facet], facet)}
                    for facet in names}
        flat = self.searcher.aggregate(scope, {
            f"{field}_{facet}": {"terms": {"field": f"{field}_{facet}", "size": BUCKETS}}
            for facet in names for field in ("once", "again")})
        counts: Counts = {}
        for facet in names:
            counts[facet] = {b["key"]: b["doc_count"]
                             for b in _exact(flat[f"once_{facet}"], facet)}
            # A value's letters are at most its items: that many buckets a value suffice.
            most = max((b["doc_count"] for b in _exact(flat[f"again_{facet}"], facet)),
                       default=0)
            if not most:
                continue
            inner = {"terms": {"field": "letter", "size": most, "segment_size": most}}
            again = self.searcher.aggregate(scope, {facet: {
                "terms": {"field": f"again_{facet}", "size": BUCKETS},
                "aggs": {"letters": inner}}})
            for b in _exact(again[facet], facet):
                letters = len(_exact(b["letters"], facet))
                counts[facet][b["key"]] = counts[facet].get(b["key"], 0) + letters
        return counts


def _item_level(query: SearchQuery, selections: dict[str, tuple[str, ...]],
                headings: list[str], skip: str | None) -> bool:
    """Whether the query has an item-level condition besides item facet ``skip``'s."""
    return bool(headings or query.quantity_range
                or any(f in ITEM_FACETS and f != skip for f in selections))


def _all(conditions: list[tantivy.Query]) -> tantivy.Query:
    if len(conditions) == 1:
        return conditions[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in conditions])


def _exact(result: dict[str, Any], facet: str) -> list[dict[str, Any]]:
    """A terms aggregation's buckets, refused unless they are all there and counted."""
    if result.get("sum_other_doc_count") or result.get("doc_count_error_upper_bound"):
        raise ValueError(f"{facet}: Tantivy left buckets out; raise BUCKETS.")
    return result["buckets"]
