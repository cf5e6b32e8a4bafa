"""How letter text becomes index terms, and how a typed query becomes a Whoosh query."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem
from whoosh.qparser import FieldsPlugin, QueryParser, RangePlugin

from cases.parsing.drugs import DRUG_NAMES, principal_drugs
from cases.search.base import QueryError
from cases.search.whoosh_backend.syntax import (
    NestedPlusMinus,
    UserFields,
    lone_operator,
    lone_operator_message,
)

MAX_QUERY_LENGTH = 500
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 2000

# Words with inner hyphens, slashes, dots or a section sign stay whole ("L5-S1", "10/325",
# "CM16-0247255", "§9792.24.2"); their parts are indexed beside them.
_TOKEN = r"§?\w+(?:[-./]\w+)*"
_SPLIT = re.compile(r"[-./§]+")
_COMPOUND = re.compile(r"[-./§]")
WORD = re.compile(_TOKEN)  # one word as written, a compound whole
_ALL = re.compile(r".*", re.DOTALL)
_UNIT = re.compile(r"^(\d+(?:[./]\d+)*)[a-z]+$", re.IGNORECASE)  # "10/325mg" -> "10/325"


@lru_cache(maxsize=500_000)
def word_forms(word: str) -> tuple[str, ...]:
    """One word as written, lowercased, then each part of it if it is a compound.

    A compound ("L5-S1", "10/325mg") also gives each part, and a dose glued to its unit
    ("10/325mg") also gives the dose alone, so "10/325" finds it.
    """
    variants = [word]
    if _COMPOUND.search(word):
        parts = [p for p in _SPLIT.split(word) if p]
        parts += [m[1] for v in [word, *parts] if (m := _UNIT.match(v))]
        variants += [part for part in dict.fromkeys(parts) if part != word]
    return tuple(variant.lower() for variant in variants)


# Words indexed and searched as written: stemmed, they would be another, common word
# ("TENS", the stimulator, became "ten", so a search for it found every "ten sessions").
# Plurals of acronyms ("NSAIDs", "MRIs") are left to the stemmer: they should find the
# acronym. tests/test_analysis.py checks the synonym keys against the real letters' words.
UNSTEMMED = frozenset({"tens"})
ANALYZER_VERSION = 2  # stored with each index: an index of other terms asks for a rebuild


@lru_cache(maxsize=500_000)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word as written (stemmed forms), the whole word's first.

    Cached: letters repeat their words, and this is the indexer's inner loop.
    """
    return tuple(form if form in UNSTEMMED else stem(form) for form in word_forms(word))


class LetterAnalyzer(Tokenizer):
    """The analyzer of every full-text field: case-insensitive, stemmed, compounds kept.

    One regular expression pass and a cached lookup per word; a compound's terms share its
    position and its character span. ``no_morph`` gives the unstemmed forms (for spelling).
    """

    is_morph = True  # it stems: Whoosh then keeps unstemmed words for spelling suggestions

    def __init__(self) -> None:
        # An instance attribute, so it is pickled with the index's schema: an index written
        # by an analyzer that made other terms reads back without it, or with another one.
        self.version = ANALYZER_VERSION

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 no_morph: bool = False, **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms_of = word_forms if no_morph else word_terms
        matches = WORD.finditer(value) if tokenize else [_ALL.fullmatch(value)]
        for pos, match in enumerate(matches, start=start_pos):
            word = match.group(0)
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            for term in terms_of(word):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                yield token


class PairAnalyzer(Tokenizer):
    """Each two neighbouring words as one term ("physic therapi"), for cheap phrases.

    A two-word phrase becomes one term lookup instead of a position check per candidate
    letter; a longer phrase asks for all its pairs. A compound takes part whole.
    """

    def __init__(self) -> None:
        self.version = ANALYZER_VERSION  # as LetterAnalyzer's: its pairs are its terms

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        previous, start = None, 0
        for pos, match in enumerate(WORD.finditer(value), start=start_pos - 1):
            word = word_terms(match.group(0))[0]
            if previous is not None:
                token.text = f"{previous} {word}"
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar, token.endchar = start_char + start, start_char + match.end()
                yield token
            previous, start = word, match.start()


def text_analyzer() -> LetterAnalyzer:
    """The analyzer of every full-text field."""
    return LetterAnalyzer()


def pair_analyzer() -> PairAnalyzer:
    """The analyzer of the word-pair field that answers phrases."""
    return PairAnalyzer()


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


def drug_synonyms() -> dict[str, tuple[str, ...]]:
    """Brand and generic names finding each other, from the parser's drug table: "norco"
    also finds "hydrocodone" and "hydrocodone" finds "norco", "vicodin", "lortab"… A
    combination is found through its principal drug, not its acetaminophen: "acetaminophen"
    finds "apap" and "paracetamol", not every Norco and Percocet letter."""
    found: dict[str, set[str]] = {}
    for name, ingredients in DRUG_NAMES.items():
        for generic in principal_drugs(ingredients):
            if generic != name:
                found.setdefault(name, set()).add(generic)
                found.setdefault(generic, set()).add(name)
    return {name: tuple(sorted(others)) for name, others in found.items()}


PAIR_FIELD = "pairs"
# Fields whose phrases check positions: none. A treatment: phrase asks for its words in one
# item's heading (``selection.treatment_items``) and for the pairs anywhere in the letter,
# which the arrays score; Whoosh's positional phrase took 0.5 s at 100,000 letters.
POSITIONAL_FIELDS: tuple[str, ...] = ()
TEXT_FIELDS = ("content", "treatment", "rationale", "summary", "specialty", "state")
_UNREADABLE = ("The query cannot be read; check that AND, OR and NOT each stand between two "
               "words and that quotes and parentheses are closed.")
_TOO_SHORT = (f"Type at least {MIN_PREFIX} letters before * or ?: a shorter pattern would "
              "match most of the archive.")


def _analyzed(analyzer: Tokenizer, text: str) -> list[str]:
    """Index terms of ``text``, one per position (a compound's parts share its position)."""
    words: dict[int, str] = {}
    for token in analyzer(text, positions=True):
        words.setdefault(token.pos, token.text)
    return list(words.values())


PARSED_KEPT = 512  # parsed queries a builder keeps, the most recently asked


class QueryBuilder:
    """Parse the search box language into a Whoosh query, with limits and synonyms."""

    def __init__(self, schema: object) -> None:
        self.analyzer = text_analyzer()
        self.parser = QueryParser("content", schema)
        # No "[a TO z]" ranges: a range of stemmed words finds nothing a person means, and
        # Whoosh searches it term by term (seconds for a few thousand terms).
        self.parser.remove_plugin_class(RangePlugin)
        self.parser.remove_plugin_class(FieldsPlugin)
        self.parser.add_plugin(UserFields())
        # A minus excludes a word only at its start: "L5-S1" and "CM16-0247255" stay whole.
        self.parser.add_plugin(NestedPlusMinus(plusexpr=r"(?:^|(?<=[\s(]))\+(?=\S)",
                                                minusexpr=r"(?:^|(?<=[\s(]))-(?=\S)"))
        self.synonyms: dict[str, list[list[str]]] = {}
        for key, expansions in [*SYNONYMS.items(), *drug_synonyms().items()]:
            stems = _analyzed(self.analyzer, key)
            if len(stems) == 1:  # keys of one stem ("ud", "uds") share their expansions
                known = self.synonyms.setdefault(stems[0], [])
                known.extend(words for e in expansions
                             if (words := _analyzed(self.analyzer, e)) not in known)
        # The same words are searched again and again (each facet ticked, each page, every
        # worker's share of the traffic): their parse is kept, as it depends on the text
        # alone. Whoosh's queries are not changed by searching them; a refused text raises
        # again, as errors are not kept.
        self._parsed = lru_cache(maxsize=PARSED_KEPT)(self._parse)

    def parse(self, text: str) -> wq.Query | None:
        """The Whoosh query for ``text``; None means "everything"; QueryError on bad input."""
        return self._parsed(text.strip())

    def _parse(self, text: str) -> wq.Query | None:
        if len(text) > MAX_QUERY_LENGTH:
            raise QueryError(f"The query is {len(text)} characters long; shorten it to "
                             f"{MAX_QUERY_LENGTH} or fewer (a few distinctive words work best).")
        if not text:
            return None
        # Wildcards alone ("*", "***") are refused as "a*" is: a pattern needs letters.
        if text.strip("*? ") == "":
            raise QueryError(_TOO_SHORT)
        for word in re.findall(r"(?:^|[\s(:])([^\s\"():*?]*)[*?]", text):
            if len(word.strip("-+")) < MIN_PREFIX:
                raise QueryError(_TOO_SHORT)
        if (operator := lone_operator(text.split())) is not None:
            # Whoosh reads a lone operator as the word: "OR" alone found every letter
            # with an "or" in it.
            raise QueryError(lone_operator_message(operator))
        if all(word.startswith("-") for word in text.split()):
            raise QueryError("The query only excludes words; add a word to search for "
                             "(for example: massage -chiropractic).")
        try:
            parsed = self.parser.parse(text)
        except QueryError:
            raise
        except Exception as exc:
            # Whoosh's parser fails on some operator sequences ("a NOT NOT b") with internal
            # errors; any failure of it is a query we cannot read, never a server error.
            raise QueryError(_UNREADABLE) from exc
        if parsed is wq.NullQuery:
            raise QueryError("The query has no words to search for; type a word or phrase.")
        if _only_negative(parsed):
            raise QueryError("The query only excludes words; add a word to search for "
                             "(for example: massage -chiropractic).")
        return parsed.accept(self._expand).accept(_answer_phrases)

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
    def check_expansion(q: wq.Query, reader: object,
                        expand: Callable[[wq.PatternQuery], list[bytes]] | None = None,
                        ) -> dict[int, tuple[wq.PatternQuery, list[bytes]]]:
        """Refuse prefixes and wildcards that would expand to too many index terms, counting
        all of the query's together (each one is searched term by term). Returns each
        pattern with its expansion (by the pattern's ``id``), for the search to use, not
        redo. ``expand`` gives a pattern's expansion (``expansion``'s, remembered)."""
        expanded: dict[int, tuple[wq.PatternQuery, list[bytes]]] = {}
        count = 0
        for sub in _leaves(q):
            if isinstance(sub, wq.PatternQuery) and id(sub) not in expanded:
                terms = expand(sub) if expand is not None else expansion(sub, reader)
                if count + len(terms) > MAX_PREFIX_TERMS:
                    raise QueryError(_too_broad(sub, with_others=count > 0))
                count += len(terms)
                expanded[id(sub)] = (sub, terms)
        return expanded


def expansion(q: wq.PatternQuery, reader: object) -> list[bytes]:
    """Whoosh's own expansion of a prefix or wildcard into index terms, in order; cut
    after ``MAX_PREFIX_TERMS`` + 1 (which is already too many)."""
    return list(itertools.islice(q._btexts(reader), MAX_PREFIX_TERMS + 1))


def _too_broad(q: wq.PatternQuery, *, with_others: bool) -> str:
    """What to change when ``q`` takes the query past ``MAX_PREFIX_TERMS`` index terms."""
    if isinstance(q, wq.Prefix):
        shown, advice = f"'{q.text}*'", "type more letters before the *"
    else:
        shown, advice = f"'{q.text}'", "type more letters before the * or ?"
    if with_others:
        return (f"{shown} and the query's other patterns match more than {MAX_PREFIX_TERMS} "
                f"different words; {advice}, or use fewer patterns.")
    return f"{shown} matches more than {MAX_PREFIX_TERMS} different words; {advice}."


def _answer_phrases(q: wq.Query) -> wq.Query:
    """Answer a phrase from the word-pair field instead of checking positions.

    "physical therapy" is one pair term; a longer phrase asks for each of its pairs ("a b c":
    "a b" and "b c", almost always together). In a named field without positions the words
    must be in that field and adjacent in the letter.
    A phrase with slop ("a b"~3) asks only that all its words be there.
    """
    if not isinstance(q, wq.Phrase):
        return q
    words = _whole_words(q)
    field, boost = q.fieldname, q.boost
    if len(words) == 1:
        return wq.Term(field, words[0], boost=boost)
    if field in POSITIONAL_FIELDS:
        return wq.Phrase(field, words, slop=q.slop, boost=boost)
    every_word = [wq.Term(field, word, boost=boost) for word in words]
    if q.slop > 1 or field not in ("content", "rationale", "summary", "treatment"):
        return wq.And(every_word)
    pairs = [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]
    adjacent = (wq.Term(PAIR_FIELD, pairs[0], boost=boost) if len(pairs) == 1
                else wq.And([wq.Term(PAIR_FIELD, pair, boost=boost) for pair in pairs]))
    return adjacent if field == "content" else wq.And([*every_word, adjacent])


def _whole_words(q: wq.Phrase) -> list[str]:
    """A phrase's words, a compound's parts left out ("L5-S1 fusion": l5-s1, fusion)."""
    ranges = q.char_ranges
    if not ranges or len(ranges) != len(q.words):
        return list(q.words)
    return [word for i, word in enumerate(q.words) if i == 0 or ranges[i] != ranges[i - 1]]


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
