"""How letter text becomes index terms, and how a typed query becomes a Whoosh query."""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh import query as wq
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, Token
from whoosh.qparser import PlusMinusPlugin, QueryParser

from cases.search.base import QueryError

MAX_QUERY_LENGTH = 500
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 2000

# Words with inner hyphens, slashes, dots or a section sign stay whole ("L5-S1", "10/325",
# "CM16-0247255", "§9792.24.2"); their parts are indexed beside them.
_TOKEN = r"§?\w+(?:[-./]\w+)*"
_SPLIT = re.compile(r"[-./§]+")
_COMPOUND = re.compile(r"[-./§]")
_UNIT = re.compile(r"^(\d+(?:[./]\d+)*)[a-z]+$", re.IGNORECASE)  # "10/325mg" -> "10/325"


class CompoundFilter(Filter):
    """Emit a compound token whole and also each of its parts, at the same position.

    A dose glued to its unit is also emitted without it, so "10/325" finds "10/325mg".
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            yield token
            if not _COMPOUND.search(text):
                continue
            variants = [p for p in _SPLIT.split(text) if p]
            variants += [m[1] for v in [text, *variants] if (m := _UNIT.match(v))]
            for variant in dict.fromkeys(variants):
                if variant != text:
                    token.text = variant
                    yield token
            token.text = text


def text_analyzer() -> object:
    """The analyzer of every full-text field: case-insensitive, stemmed, compounds kept."""
    return (RegexTokenizer(_TOKEN) | CompoundFilter() | LowercaseFilter()
            | StemFilter(ignore=None, cachesize=50000))


# Abbreviations and brand names of the letters, expanded at query time: each key also
# finds its expansions (and each expansion finds nothing new: it is one direction).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "norco": ("hydrocodone", "hydrocodone/apap", "hydrocodone acetaminophen"),
    "vicodin": ("hydrocodone", "hydrocodone/apap"),
    "percocet": ("oxycodone acetaminophen", "oxycodone"),
    "ultram": ("tramadol",),
    "flexeril": ("cyclobenzaprine",),
    "soma": ("carisoprodol",),
    "neurontin": ("gabapentin",),
    "lyrica": ("pregabalin",),
    "celebrex": ("celecoxib",),
    "mobic": ("meloxicam",),
    "motrin": ("ibuprofen",),
    "naprosyn": ("naproxen",),
    "anaprox": ("naproxen",),
    "prilosec": ("omeprazole",),
    "protonix": ("pantoprazole",),
    "lidoderm": ("lidocaine patch", "lidocaine"),
    "voltaren": ("diclofenac",),
    "cymbalta": ("duloxetine",),
    "ambien": ("zolpidem",),
    "zanaflex": ("tizanidine",),
    "esi": ("epidural steroid injection",),
    "tens": ("transcutaneous electrical nerve stimulation",),
    "pt": ("physical therapy",),
    "ot": ("occupational therapy",),
    "frp": ("functional restoration program",),
    "fce": ("functional capacity evaluation",),
    "emg": ("electromyography",),
    "ncs": ("nerve conduction study", "nerve conduction studies"),
    "ncv": ("nerve conduction velocity", "nerve conduction study"),
    "mri": ("magnetic resonance imaging",),
    "ct": ("computed tomography",),
    "nsaid": ("anti-inflammatory", "nonsteroidal"),
    "ppi": ("proton pump inhibitor",),
    "dme": ("durable medical equipment",),
    "eswt": ("shockwave", "extracorporeal shockwave therapy"),
    "hep": ("home exercise program",),
    "apap": ("acetaminophen",),
    "cbt": ("cognitive behavioral therapy",),
    "ud": ("urine drug",),
    "uds": ("urine drug screen",),
    "prp": ("platelet rich plasma",),
    "rfa": ("radiofrequency ablation",),
}
TEXT_FIELDS = ("content", "treatment", "rationale", "summary", "specialty", "state")
USER_FIELDS = ("treatment", "rationale", "summary", "specialty", "state", "case")


def _analyzed(analyzer: object, text: str) -> list[str]:
    """Index terms of ``text``, one per position (a compound's parts share its position)."""
    words: dict[int, str] = {}
    for token in analyzer(text, positions=True):  # type: ignore[operator]
        words.setdefault(token.pos, token.text)
    return list(words.values())


class QueryBuilder:
    """Parse the search box language into a Whoosh query, with limits and synonyms."""

    def __init__(self, schema: object) -> None:
        self.analyzer = text_analyzer()
        self.parser = QueryParser("content", schema)
        # A minus excludes a word only at its start: "L5-S1" and "CM16-0247255" stay whole.
        self.parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?:^|(?<=[\s(]))\+(?=\S)",
                                               minusexpr=r"(?:^|(?<=[\s(]))-(?=\S)"))
        self.synonyms: dict[str, list[list[str]]] = {}
        for key, expansions in SYNONYMS.items():
            stems = _analyzed(self.analyzer, key)
            if len(stems) == 1:
                self.synonyms[stems[0]] = [_analyzed(self.analyzer, e) for e in expansions]

    def parse(self, text: str) -> wq.Query | None:
        """The Whoosh query for ``text``; None means "everything"; QueryError on bad input."""
        text = text.strip()
        if len(text) > MAX_QUERY_LENGTH:
            raise QueryError(f"The query is {len(text)} characters long; shorten it to "
                             f"{MAX_QUERY_LENGTH} or fewer (a few distinctive words work best).")
        if not text or text.strip("*? ") == "":
            return None
        for word in re.findall(r"(?:^|[\s(:])([^\s\"():*?]*)[*?]", text):
            if len(word.strip("-+")) < MIN_PREFIX:
                raise QueryError(f"Type at least {MIN_PREFIX} letters before * or ?: "
                                 "a shorter pattern would match most of the archive.")
        if all(word.startswith("-") for word in text.split()):
            raise QueryError("The query only excludes words; add a word to search for "
                             "(for example: massage -chiropractic).")
        parsed = self.parser.parse(text)
        if parsed is wq.NullQuery:
            raise QueryError("The query has no words to search for; type a word or phrase.")
        if _only_negative(parsed):
            raise QueryError("The query only excludes words; add a word to search for "
                             "(for example: massage -chiropractic).")
        return parsed.accept(self._expand)

    def _expand(self, q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Term) and q.fieldname in TEXT_FIELDS and q.text in self.synonyms:
            alternatives: list[wq.Query] = [q]
            for words in self.synonyms[q.text]:
                if len(words) == 1:
                    alternatives.append(wq.Term(q.fieldname, words[0]))
                else:
                    alternatives.append(wq.Phrase(q.fieldname, words))
            return wq.Or(alternatives)
        return q

    @staticmethod
    def check_expansion(q: wq.Query, reader: object) -> None:
        """Refuse prefixes and wildcards that would expand to too many index terms."""
        for sub in _leaves(q):
            if isinstance(sub, wq.PatternQuery):
                expansion = sub._btexts(reader)  # noqa: SLF001 (Whoosh's own expansion)
                for count, _term in enumerate(expansion, start=1):
                    if count > MAX_PREFIX_TERMS:
                        raise QueryError(
                            f"'{sub.text}*' matches more than {MAX_PREFIX_TERMS} different "
                            "words; type more letters before the *.")


def _leaves(q: wq.Query) -> Iterator[wq.Query]:
    if q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _leaves(child)


def _only_negative(q: wq.Query) -> bool:
    if isinstance(q, wq.Not):
        return True
    if isinstance(q, wq.And | wq.Or):
        return all(_only_negative(child) for child in q.children())
    return False
