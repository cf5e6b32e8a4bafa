"""The reference a Django developer would otherwise build: SQLite FTS5 + GROUP BY counts.

It indexes the same documents as our backend (the same field texts) and answers the same
queries with the same facet semantics, so the benchmark can check that both agree on every
total and facet count. It supports the benchmark's query mix: words, "phrases", field:word
and prefix* (all ANDed), or everything, with facet filters and a requested quantity range.

Each disputed item is a row of its own (``item``), its drugs and body regions rows of
``item_value``, and its heading a row of the ``item_text`` full-text table, so that every
item-level condition (the item facets, the quantity range, the typed ``treatment:`` words)
is a condition on one item row and all of them hold for the same item.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from cases.search.base import FACETS, ITEM_FACETS, MULTI_VALUED, IndexDocument, SearchQuery
from cases.search.whoosh_backend.schema import CASE_FACETS, document_fields

_TOKEN = re.compile(r'"[^"]*"|\S+')
ITEM_LEVEL_FIELD = "treatment"  # a typed treatment: word also asks one item's heading for it

Conditions = tuple[str, list[object]]  # an SQL condition and its parameters


class Fts5Reference:
    """SQLite FTS5 full text with facet and item tables, counted with GROUP BY."""

    def __init__(self, path: str = ":memory:") -> None:
        """The reference in memory, or in a file (created, or opened as built), which is
        memory-mapped so that its queries read it as they would in memory."""
        self.db = sqlite3.connect(path)
        self.db.executescript("PRAGMA mmap_size = 68719476736; PRAGMA synchronous = OFF;")
        self.db.executescript("""
            CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
                content, treatment, rationale, summary, specialty, state,
                tokenize = 'porter unicode61');
            CREATE TABLE IF NOT EXISTS doc (
                rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, decided INTEGER);
            CREATE TABLE IF NOT EXISTS facet (doc INTEGER, facet TEXT, value TEXT);
            CREATE TABLE IF NOT EXISTS item (
                id INTEGER PRIMARY KEY, doc INTEGER, category TEXT, treatment TEXT,
                decision TEXT, quantity REAL, unit TEXT);
            CREATE TABLE IF NOT EXISTS item_value (item INTEGER, facet TEXT, value TEXT);
            CREATE VIRTUAL TABLE IF NOT EXISTS item_text USING fts5(
                heading, tokenize = 'porter unicode61');
        """)

    def add(self, documents: Iterable[IndexDocument]) -> int:
        """Index documents (one transaction); return how many."""
        count = item_id = 0
        with self.db:
            for rowid, doc in enumerate(documents, start=1):
                f = document_fields(doc)
                self.db.execute("INSERT INTO fts(rowid, content, treatment, rationale, summary,"
                                " specialty, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (rowid, f["content"], f["treatment"], f["rationale"],
                                 f["summary"], f["specialty"], f["state"]))
                self.db.execute("INSERT INTO doc VALUES (?, ?, ?)", (rowid, doc.id, f["decided"]))
                for facet, field in CASE_FACETS.items():
                    values = str(f[field]).split(",") if f[field] else []
                    self.db.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                                        [(rowid, facet, v) for v in dict.fromkeys(values)])
                for item in doc.items:
                    item_id += 1
                    self.db.execute("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    (item_id, rowid, item.category, item.subcategory,
                                     item.decision, item.quantity_value, item.quantity_unit))
                    self.db.execute("INSERT INTO item_text(rowid, heading) VALUES (?, ?)",
                                    (item_id, item.treatment))
                    pairs = [("drug", v) for v in item.drugs]
                    pairs += [("body_region", v) for v in item.body_regions]
                    pairs += [("imr_guideline", v) for v in item.imr_guidelines]
                    pairs += [("guideline_section", v) for v in item.guideline_sections]
                    pairs += [("same_guideline", item.same_guideline)] * bool(item.same_guideline)
                    pairs += [("reason", v) for v in item.reasons]
                    self.db.executemany("INSERT INTO item_value VALUES (?, ?, ?)",
                                        [(item_id, facet, v) for facet, v in dict.fromkeys(pairs)])
                count += 1
            self.db.executescript("""
                CREATE INDEX IF NOT EXISTS facet_by_value ON facet (facet, value, doc);
                CREATE INDEX IF NOT EXISTS facet_by_doc ON facet (doc, facet);
                CREATE INDEX IF NOT EXISTS item_by_doc ON item (doc);
                CREATE INDEX IF NOT EXISTS item_value_by_value ON item_value (facet, value, item);
                CREATE INDEX IF NOT EXISTS item_value_by_item ON item_value (item, facet);
            """)
        return count

    @staticmethod
    def match_expressions(text: str) -> tuple[str | None, str | None]:
        """The FTS5 MATCH expressions for a benchmark query: over the letters (None:
        everything), and over the item headings for its treatment: terms (None: it has
        none). A treatment: term holds for the letter and, as our backend reads it, for
        one item's heading: the letter's treatment column is its headings, joined."""
        letter, heading = [], []
        for token in _TOKEN.findall(text.strip()):
            field, _, word = token.rpartition(":") if not token.startswith('"') else ("", "", token)
            if word.startswith('"'):
                term = word
            elif word.endswith("*"):
                term = '"' + word[:-1] + '"*'
            else:
                term = '"' + word + '"'
            # Unqualified words search the content column, as ours do (not the specialty).
            letter.append(f"{field or 'content'} : {term}")
            if field == ITEM_LEVEL_FIELD:
                heading.append(term)
        return " AND ".join(letter) or None, " AND ".join(heading) or None

    def search(self, query: SearchQuery) -> tuple[int, dict[str, dict[str, int]], list[str]]:
        """Total, facet counts (own selection removed, item-level rule) and the first page."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.matched")
        expression, headings = self.match_expressions(query.text)
        # A keyed temp table: every count below probes it by document.
        db.execute("CREATE TEMP TABLE matched (doc INTEGER PRIMARY KEY)")
        if expression is None:
            db.execute("INSERT INTO matched SELECT rowid FROM doc")
        else:
            db.execute("INSERT INTO matched SELECT rowid FROM fts WHERE fts MATCH ?",
                       (expression,))
        selections = {k: tuple(v) for k, v in query.filters.items() if v}
        facets = {facet: self._count(facet, query, selections, headings) for facet in FACETS}
        where, params = self._letters(query, selections, headings, skip=None)
        total = db.execute(f"SELECT COUNT(*) FROM matched WHERE {where}", params).fetchone()[0]
        order = "DESC" if query.sort != "oldest" else "ASC"
        page = [row[0] for row in db.execute(
            f"SELECT doc.id FROM matched JOIN doc ON doc.rowid = matched.doc WHERE {where} "
            f"ORDER BY doc.decided {order} LIMIT ?", (*params, query.page_size))]
        return total, facets, page

    @staticmethod
    def _case_conditions(selections: dict[str, tuple[str, ...]], skip: str | None) -> Conditions:
        """The matched letters' case facet selections but ``skip``'s, over ``matched``."""
        clauses, params = ["1"], []
        for facet, values in selections.items():
            if facet in ITEM_FACETS or facet == skip:
                continue
            marks = ",".join("?" * len(values))
            clauses.append(f"matched.doc IN (SELECT doc FROM facet WHERE facet = ? "
                           f"AND value IN ({marks}))")
            params += [facet, *values]
        return " AND ".join(clauses), params

    @staticmethod
    def _item_conditions(query: SearchQuery, selections: dict[str, tuple[str, ...]],
                         headings: str | None, skip: str | None) -> Conditions:
        """Every item-level condition but item facet ``skip``'s, over one ``item`` row: the
        item facets, the quantity range and the treatment: terms. Empty: there is none."""
        clauses: list[str] = []
        params: list[object] = []
        for facet, values in selections.items():
            if facet not in ITEM_FACETS or facet == skip:
                continue
            marks = ",".join("?" * len(values))
            if facet in MULTI_VALUED:
                clauses.append(f"item.id IN (SELECT item FROM item_value WHERE facet = ? "
                               f"AND value IN ({marks}))")
                params += [facet, *values]
            else:
                clauses.append(f"item.{facet} IN ({marks})")
                params += values
        if query.quantity_range:
            clauses.append("item.quantity IS NOT NULL")
            for condition, value in (("item.unit = ?", query.quantity_unit or None),
                                     ("item.quantity >= ?", query.quantity_min),
                                     ("item.quantity <= ?", query.quantity_max)):
                if value is not None:
                    clauses.append(condition)
                    params.append(value)
        if headings is not None:
            clauses.append("item.id IN (SELECT rowid FROM item_text WHERE item_text MATCH ?)")
            params.append(headings)
        return " AND ".join(clauses), params

    def _letters(self, query: SearchQuery, selections: dict[str, tuple[str, ...]],
                 headings: str | None, skip: str | None) -> Conditions:
        """The matched letters meeting every selection but case facet ``skip``'s: its case
        facets, and an item meeting every item-level condition."""
        where, params = self._case_conditions(selections, skip)
        items, item_params = self._item_conditions(query, selections, headings, skip=None)
        if items:
            where += f" AND matched.doc IN (SELECT item.doc FROM item WHERE {items})"
            params += item_params
        return where, params

    def _count(self, facet: str, query: SearchQuery, selections: dict[str, tuple[str, ...]],
               headings: str | None) -> dict[str, int]:
        if facet in ITEM_FACETS:
            # Letters with an item having the value and meeting every other item-level
            # condition, among the letters matching the text and the case facets.
            where, params = self._case_conditions(selections, skip=None)
            items, item_params = self._item_conditions(query, selections, headings, skip=facet)
            items = f" AND {items}" if items else ""
            if facet in MULTI_VALUED:
                rows = self.db.execute(
                    f"SELECT item_value.value, COUNT(DISTINCT item.doc) FROM item_value "
                    f"JOIN item ON item.id = item_value.item "
                    f"JOIN matched ON matched.doc = item.doc "
                    f"WHERE item_value.facet = ? AND {where}{items} GROUP BY item_value.value",
                    (facet, *params, *item_params))
            else:
                rows = self.db.execute(
                    f"SELECT item.{facet}, COUNT(DISTINCT item.doc) FROM item "
                    f"JOIN matched ON matched.doc = item.doc WHERE {where}{items} "
                    f"GROUP BY item.{facet}", (*params, *item_params))
        else:
            where, params = self._letters(query, selections, headings, skip=facet)
            rows = self.db.execute(
                f"SELECT facet.value, COUNT(*) FROM facet JOIN matched ON matched.doc = "
                f"facet.doc WHERE facet.facet = ? AND {where} GROUP BY facet.value",
                (facet, *params))
        counts = {value: count for value, count in rows}
        for value in selections.get(facet, ()):
            counts.setdefault(value, 0)
        return counts
