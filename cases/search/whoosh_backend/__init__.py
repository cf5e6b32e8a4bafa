"""The Whoosh search backend, one index directory shared by every web worker process.

- ``schema``: what the index holds, and the fields of one determination;
- ``analysis``: how letters and queries become terms (the analyzers, the query parser);
- ``syntax``: the query language's rules as parser plugins, and what breaking them says;
- ``codec``: posting blocks written as packed arrays, which NumPy reads whole;
- ``arrays`` and ``counting``: each segment's facet postings as NumPy arrays, kept beside
  the segment, and the facet and outcome counts made from them (``sparse``: a search of
  few letters counted by their own values);
- ``ranking``: BM25F scoring of the common query shapes over whole posting arrays;
- ``snippets``: where a letter's text shows the query's words;
- ``opened`` and ``directory``: the concurrency core. The generations and the ``current``
  swap, this process's opened state with a searcher pool, and the one way to read
  (retries, damage detection, truthful 503s);
- ``writing``: the maintenance side (``WhooshIndex``: writers, deletion, rebuilds, checks);
- ``selection`` and ``backend``: the query side (``WhooshBackend``).

``CASES_SEARCH = {"BACKEND": "cases.search.whoosh_backend.WhooshBackend", ...}`` names it.
"""

from cases.search.whoosh_backend.backend import WhooshBackend
from cases.search.whoosh_backend.writing import WhooshIndex

__all__ = ["WhooshBackend", "WhooshIndex"]
