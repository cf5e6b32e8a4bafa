"""The reference a Django developer would otherwise build: SQLite FTS5 + GROUP BY counts.

It indexes the same documents as our backend (the same field texts) and answers the same
queries with the same facet semantics, so the benchmark can check that both agree on every
total and facet count. It supports the benchmark's query mix: words, "phrases", field:word
and prefix* (all ANDed), or everything.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from cases.search.base import FACETS, ITEM_FACETS, IndexDocument, SearchQuery
from cases.search.whoosh_backend.schema import CASE_FACETS, document_fields

ITEM_COLUMNS = {"category": "category", "treatment": "treatment", "decision": "decision"}
_TOKEN = re.compile(r'"[^"]*"|\S+')


class Fts5Reference:
    """SQLite FTS5 full text with facet tables, counted with GROUP BY."""

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
                doc INTEGER, category TEXT, treatment TEXT, decision TEXT);
        """)

    def add(self, documents: Iterable[IndexDocument]) -> int:
        """Index documents (one transaction); return how many."""
        count = 0
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
                self.db.executemany("INSERT INTO item VALUES (?, ?, ?, ?)",
                                    [(rowid, i.category, i.subcategory, i.decision)
                                     for i in doc.items])
                count += 1
            self.db.executescript("""
                CREATE INDEX IF NOT EXISTS facet_by_value ON facet (facet, value, doc);
                CREATE INDEX IF NOT EXISTS facet_by_doc ON facet (doc, facet);
                CREATE INDEX IF NOT EXISTS item_by_doc ON item (doc);
            """)
        return count

    @staticmethod
    def match_expression(text: str) -> str | None:
        """The FTS5 MATCH expression for a benchmark query (None: everything)."""
        parts = []
        for token in _TOKEN.findall(text.strip()):
            field, _, word = token.rpartition(":") if not token.startswith('"') else ("", "", token)
            # Unqualified words search the content column, as ours do (not the specialty).
            prefix = f"{field or 'content'} : "
            if word.startswith('"'):
                parts.append(prefix + word)
            elif word.endswith("*"):
                parts.append(prefix + '"' + word[:-1] + '"*')
            else:
                parts.append(prefix + '"' + word + '"')
        return " AND ".join(parts) or None

    def search(self, query: SearchQuery) -> tuple[int, dict[str, dict[str, int]], list[str]]:
        """Total, facet counts (own selection removed, item-level rule) and the first page."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.matched")
        expression = self.match_expression(query.text)
        # A keyed temp table: every count below probes it by document.
        db.execute("CREATE TEMP TABLE matched (doc INTEGER PRIMARY KEY)")
        if expression is None:
            db.execute("INSERT INTO matched SELECT rowid FROM doc")
        else:
            db.execute("INSERT INTO matched SELECT rowid FROM fts WHERE fts MATCH ?",
                       (expression,))
        selections = {k: tuple(v) for k, v in query.filters.items() if v}
        facets = {facet: self._count(facet, selections) for facet in FACETS}
        where, params = self._conditions(selections, skip=None)
        total = db.execute(f"SELECT COUNT(*) FROM matched WHERE {where}", params).fetchone()[0]
        order = "DESC" if query.sort != "oldest" else "ASC"
        page = [row[0] for row in db.execute(
            f"SELECT doc.id FROM matched JOIN doc ON doc.rowid = matched.doc WHERE {where} "
            f"ORDER BY doc.decided {order} LIMIT ?", (*params, query.page_size))]
        return total, facets, page

    @staticmethod
    def _conditions(selections: dict[str, tuple[str, ...]], skip: str | None,
                    items: bool = True) -> tuple[str, list[str]]:
        clauses, params = ["1"], []
        for facet, values in selections.items():
            if facet in ITEM_FACETS or facet == skip:
                continue
            marks = ",".join("?" * len(values))
            clauses.append(f"matched.doc IN (SELECT doc FROM facet WHERE facet = ? "
                           f"AND value IN ({marks}))")
            params += [facet, *values]
        item_sel = {k: v for k, v in selections.items() if k in ITEM_FACETS and k != skip}
        if items and item_sel:
            inner = " AND ".join(f"{ITEM_COLUMNS[k]} IN ({','.join('?' * len(v))})"
                                 for k, v in item_sel.items())
            clauses.append(f"matched.doc IN (SELECT doc FROM item WHERE {inner})")
            for values in item_sel.values():
                params += list(values)
        return " AND ".join(clauses), params

    def _count(self, facet: str, selections: dict[str, tuple[str, ...]]) -> dict[str, int]:
        if facet in ITEM_FACETS:
            where, params = self._conditions(selections, skip=facet, items=False)
            others = {k: v for k, v in selections.items() if k in ITEM_FACETS and k != facet}
            item_where = "".join(f" AND item.{ITEM_COLUMNS[k]} IN ({','.join('?' * len(v))})"
                                 for k, v in others.items())
            item_params = [value for values in others.values() for value in values]
            rows = self.db.execute(
                f"SELECT item.{ITEM_COLUMNS[facet]}, COUNT(DISTINCT item.doc) FROM item "
                f"JOIN matched ON matched.doc = item.doc WHERE {where}{item_where} "
                f"GROUP BY item.{ITEM_COLUMNS[facet]}", (*params, *item_params))
        else:
            where, params = self._conditions(selections, skip=facet)
            rows = self.db.execute(
                f"SELECT facet.value, COUNT(*) FROM facet JOIN matched ON matched.doc = "
                f"facet.doc WHERE facet.facet = ? AND {where} GROUP BY facet.value",
                (facet, *params))
        counts = {value: count for value, count in rows}
        for value in selections.get(facet, ()):
            counts.setdefault(value, 0)
        return counts
