"""Read the guideline citations of one guideline line of a disputed item.

A line (``claims_administrator_guideline`` or ``maximus_guideline``) holds zero or more
"Decision based on ..." sentences. ``parse_citations`` gives one ``Citation`` per cited
document, in order: its family, its title normalised through ``DOCUMENTS``, the edition year,
sections, pages, and whether the letter cited it as Non-MTUS. Pure; never raises.

Calls made where the letters leave room (all the real letters and seeds were read):

- Family is the authority the citation invokes. The MTUS adopted the ACOEM Practice
  Guidelines 2nd ed. (2004) chapters (8 CCR 9792.23.x; Elbow as revised in 2007); letters cite
  them as "MTUS Low Back Complaints 2004". Those are family MTUS, since the reviewer applied
  them as the MTUS, the presumptively correct standard (Labor Code 4604.5), and keep ACOEM's
  own title ("ACOEM Practice Guidelines, Low Back Complaints"). So does such a chapter named
  outside a Non-MTUS sentence ("MTUS ACOEM Chapter 12 ...", "ACOEM ..., 2nd ed., Knee
  Complaints, part of the MTUS"). ACOEM cited as Non-MTUS is family ACOEM: the 3rd-ed.
  "... Disorders" chapters, "ACOEM guidelines", Harris's "Occupational Medicine Practice
  Guidelines" (ACOEM's book by its title).
- "Non-MTUS Citation" sets ``non_mtus``; the family still comes from the source. ODG is named
  ("Official Disability Guidelines", "ODG") or, with no source named, the sentence opens on
  an ODG chapter ("Knee (topic)"): the chapter-then-topic form is ODG's. Anything else is
  family "other" (UpToDate, Drugs.com, CMS, Aetna, MDGuidelines, NHLBI, university guidelines,
  FDA labels, articles, "Other Medical Treatment Guidelines" naming neither ODG nor ACOEM).
  Its document is the publisher, else a URL's host, else the reference as written. Its titles
  are free prose with no section convention, so it has no sections.
- One Citation per document: "MTUS A 2004, Section(s): x, and B 2009" gives two, and an ODG
  citation naming several chapters one per chapter. Chapters listed back to back ("Shoulder,
  Elbow and Knee chapters: topic") share the topics after the last one; topics written
  before the first chapter ("topic/Preface", "Bracing knee") belong to it. ODG naming no
  chapter is "Official Disability Guidelines"; ACOEM naming none, "ACOEM Practice Guidelines".
- edition: only a year naming an edition: after an MTUS title, "ODG 2016", "2nd edition
  (2004)". ODG's "(updated <date>)" and dated chapter stamps are revision dates of an online
  chapter, not editions, and are dropped; "3rd ed." names no year: None.
- sections: split on ";" always, and on ", " only before a capital or a digit and outside
  parentheses. The MTUS and ODG name topics "Noun, qualifier" in lower case ("TENS, chronic
  pain (...)", "Ultrasound, therapeutic"), and lists of headings capitalise each one
  ("Diagnostic Criteria, Special Studies"); real names breaking that rule are kept whole by
  ``_KEEP_TOGETHER``. Numbered Opioid Treatment sections ("n.n ...: ..., Before ...") split
  only before the next number. So a lower-case ACOEM hierarchy after a chapter stays one
  section up to its first capital. A section that is only a number ("Section(s): 301") is a
  page reference, and goes to pages with "p12", "pg. 7" and "p 88". Names are kept as
  written, typos included.
- pages: "Page(s): 78-80, 94" gives ("78-80", "94"); a range stays one string, as written.
- A party that "did not cite any medical evidence" cites nothing: (). Older and synthetic
  letters have lines with no "Decision based on" that still name a guideline. Such a line is
  read as one citation sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MTUS, ACOEM, ODG, OTHER = "MTUS", "ACOEM", "ODG", "other"
ACOEM_PG = "ACOEM Practice Guidelines"
WHOLE_ODG = "Official Disability Guidelines"
_YEAR_NEXT = r"(?: Guidelines| (?=\(?(?:19|20)\d\d))"  # so "Chronic Opioid Treatment: x" is none

# The one table of titles: (family, normalised document, variants as a regex). Matching is
# case-insensitive, and a space in a variant matches any spacing or none (PDF extraction
# drops spaces).
DOCUMENTS: tuple[tuple[str, str, str], ...] = (
    # The MTUS: the ACOEM 2nd-ed. chapters it adopted, under ACOEM's names ...
    (MTUS, f"{ACOEM_PG}, General Approaches", r"General Approach(?:es)?" + _YEAR_NEXT),
    (MTUS, f"{ACOEM_PG}, Neck and Upper Back Complaints", r"Neck (?:and|&) Upper Back Complaints"),
    (MTUS, f"{ACOEM_PG}, Shoulder Complaints", r"Shoulder Complaints"),
    (MTUS, f"{ACOEM_PG}, Elbow Disorders", r"Elbow (?:Complaints|Disorders)"),
    (MTUS, f"{ACOEM_PG}, Forearm, Wrist, and Hand Complaints",
     r"Forearm,? Wrist,? (?:and|&) Hand Complaints"),
    (MTUS, f"{ACOEM_PG}, Low Back Complaints", r"Low Back Complaints"),
    (MTUS, f"{ACOEM_PG}, Knee Complaints", r"Knee Complaints"),
    (MTUS, f"{ACOEM_PG}, Ankle and Foot Complaints", r"Ankle (?:and|&) Foot Complaints"),
    (MTUS, f"{ACOEM_PG}, Stress Related Conditions", r"Stress(?:-| )Related Conditions"),
    # ... and its own guidelines (Chronic Pain 2009 and 2016: one document, two editions).
    (MTUS, "MTUS Chronic Pain Medical Treatment Guidelines",
     r"Chronic Pain (?:Medical )?Treatment" + _YEAR_NEXT),
    (MTUS, "MTUS Postsurgical Treatment Guidelines", r"Post-?surgical Treatment" + _YEAR_NEXT),
    (MTUS, "MTUS Acupuncture Medical Treatment Guidelines",
     r"Acupuncture (?:Medical )?Treatment" + _YEAR_NEXT),
    (MTUS, "MTUS Opioids Treatment Guidelines", r"Opioids? Treatment" + _YEAR_NEXT),
    # ACOEM chapters cited outside the MTUS (3rd ed., "... Disorders").
    (ACOEM, f"{ACOEM_PG}, Low Back Disorders", r"Low Back Disorders"),
    (ACOEM, f"{ACOEM_PG}, Shoulder Disorders", r"Shoulder Disorders"),
    (ACOEM, f"{ACOEM_PG}, Hip and Groin Disorders", r"Hip (?:and|&) Groin(?: Disorders)?"),
    (ACOEM, f"{ACOEM_PG}, Knee Disorders", r"Knee Disorders"),
    (ACOEM, f"{ACOEM_PG}, Cervical and Thoracic Spine Disorders",
     r"Cervical (?:and|&) Thoracic Spine Disorders"),
    (ACOEM, f"{ACOEM_PG}, Hand, Wrist, and Forearm Disorders",
     r"Hand,? Wrist,? (?:and|&) Forearm Disorders"),
    (ACOEM, f"{ACOEM_PG}, Ankle and Foot Disorders", r"Ankle (?:and|&) Foot Disorders"),
    (ACOEM, f"{ACOEM_PG}, Pain, Suffering, and the Restoration of Function",
     r"Pain,? Suffering,? (?:and|&) the Restoration of Function"),
    # ODG chapters, under ODG's titles.
    (ODG, "ODG Ankle & Foot (Acute & Chronic)", r"Ankle (?:&|and) Foot"),
    (ODG, "ODG Carpal Tunnel Syndrome (Acute & Chronic)", r"Carpal Tunnel Syndrome"),
    (ODG, "ODG Elbow (Acute & Chronic)", r"Elbow"),
    (ODG, "ODG Fitness For Duty", r"Fitness for Duty"),
    (ODG, "ODG Forearm, Wrist, & Hand (Acute & Chronic)", r"Forearm,? Wrist,? (?:&|and) Hand|Hand"),
    (ODG, "ODG Head (trauma, headaches, etc., not including stress & mental disorders)", r"Head"),
    (ODG, "ODG Hernia (Acute & Chronic)", r"Hernia"),
    (ODG, "ODG Hip & Pelvis (Acute & Chronic)", r"Hips? (?:&|and) Pelvis"),
    (ODG, "ODG Knee & Leg (Acute & Chronic)", r"Knee(?: (?:&|and) Leg)?"),
    (ODG, "ODG Low Back - Lumbar & Thoracic (Acute & Chronic)",
     r"Low(?:er)? Back(?: [,-]? Lumbar (?:&|and) Thoracic)?|Lumbar(?: (?:&|and) Thoracic)?"),
    (ODG, "ODG Mental Illness & Stress", r"Mental Illness (?:&|and) Stress"),
    (ODG, "ODG Neck and Upper Back (Acute & Chronic)", r"Neck(?: (?:&|and) Upper Back)?"),
    (ODG, "ODG Pain (Chronic)", r"Pain"),
    (ODG, "ODG Pulmonary (Acute & Chronic)", r"Pulmonary"),
    (ODG, "ODG Shoulder (Acute & Chronic)", r"Shoulder"),
    (ODG, "ODG Preface", r"Preface"),
    # Other sources, by publisher.
    (OTHER, "UpToDate", r"UpToDate"),
    (OTHER, "Drugs.com", r"drugs\.com"),
    (OTHER, "MDGuidelines (Medical Disability Advisor)",
     r"mdguidelines|Medical Disability Advisor"),
    (OTHER, "CMS (Centers for Medicare & Medicaid Services)",
     r"cms\.gov|Centers for Medicare (?:&|and) Medicaid"),
    (OTHER, "Aetna Clinical Policy Bulletins", r"aetna"),
    (OTHER, "National Heart, Lung, and Blood Institute",
     r"nhlbi|National Heart,? Lung,? (?:and|&) Blood Institute"),
    (OTHER, "University of Michigan Health System", r"University of Michigan Health System"),
    (OTHER, "FDA prescribing information", r"fda\.gov|\bFDA\b|Food (?:and|&) Drug Administration"),
    (OTHER, "PubMed", r"pubmed|ncbi\.nlm\.nih\.gov"),
)


@dataclass(frozen=True)
class Citation:
    """One document cited by a guideline line."""

    family: str  # "MTUS" | "ACOEM" | "ODG" | "other"
    document: str  # normalised through DOCUMENTS
    edition: str | None = None  # the edition's year when given
    sections: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    non_mtus: bool = False  # the letter cites it as "Non-MTUS"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict with exactly the documented keys."""
        return {"family": self.family, "document": self.document, "edition": self.edition,
                "sections": list(self.sections), "pages": list(self.pages),
                "non_mtus": self.non_mtus}


def _loose(pattern: str) -> str:
    return pattern.replace(" ", r"\s*")


def _titles(keep: Callable[[str, str], bool], prefix: str = "") -> _Titles:
    """One pattern for the titles of ``DOCUMENTS`` that ``keep`` accepts, and their rows."""
    rows = [(family, document) for family, document, _ in DOCUMENTS if keep(family, document)]
    variants = [variant for family, document, variant in DOCUMENTS if keep(family, document)]
    alternation = "|".join(f"(?P<t{n}>{_loose(v)})" for n, v in enumerate(variants))
    return re.compile(rf"(?<![A-Za-z]){prefix}(?:{alternation})(?![A-Za-z])", re.I), rows


def _row(titles: _Titles, match: re.Match[str]) -> tuple[str, str]:
    """(family, document) of the title ``match`` found."""
    return titles[1][int((match.lastgroup or "t0")[1:])]


_Titles = tuple[re.Pattern[str], list[tuple[str, str]]]
# An adopted chapter may be named with its ACOEM chapter number: "ACOEM Chapter 11 Forearm ...".
_MTUS_TITLES = _titles(lambda family, _: family == MTUS, r"(?:\(?ACOEM\)?,?\s*(?:Practice\s*"
                       r"Guidelines,?\s*)?(?:Chapter\s*\d+\s*:?\s*)?)?")
_ACOEM_CHAPTERS = _titles(lambda _, document: document.startswith(ACOEM_PG + ","))
_ODG_CHAPTERS = _titles(lambda family, _: family == ODG)
_PUBLISHERS = _titles(lambda family, _: family == OTHER)

_DECISION = re.compile(r"Decision\s*based\s*on\s*", re.I)
_NO_EVIDENCE = re.compile(r"did\s*not\s*cite\s*any\s*medical\s*evidence", re.I)
_NON_MTUS = re.compile(r"Non\s*-?\s*MTUS\s*(?:Citations?)?\s*:?\s*", re.I)
_MTUS_OPENING = re.compile(r"(?:the\s*)?MTUS\b\s*:?\s*", re.I)
_PREAMBLE = re.compile(r"The\s*(?:Claims\s*Administrator|Expert\s*Reviewer)[^.]{0,80}?outside\s*of"
                       r"\s*the\s*MTUS\s*Guidelines\.?", re.I)
_SOURCE = re.compile(
    r"(?P<odg>Official\s*Disability\s*Guidelines(?:\s*\(\s*ODG\s*\))?|\bODG\b)(?:\s*guidelines\b)?"
    r"|(?P<acoem>(?:American\s*College\s*of\s*Occupational\s*and\s*Environmental\s*Medicine"
    r"(?:\s*\(\s*ACOEM\s*\))?|\bACOEM\b)(?:\s*Occupational\s*Medicine)?(?:\s*Practice)?"
    r"(?:\s*guidelines\b)?|(?:\bHarris\s*J\.?,?\s*(?:\(eds?\.?\)\.?)?\s*)?Occupational\s*"
    r"Medicine\s*Practice\s*Guidelines)"
    r"|(?P<more>\band\s*Other\s*Medical\s*Treatment\s*Guidelines\s*:?)", re.I)
_EDITION = re.compile(r"[\s,]*(?:\d(?:st|nd|rd|th)\s*ed(?:ition)?\.?[\s,]*)?"
                      r"(?:\(?((?:19|20)\d\d)\)?(?![\d/]))?", re.I)
_ODG_EDITION = re.compile(r"[\s,]*((?:19|20)\d\d)(?![\d/])")
# What follows an ODG chapter's name without being a topic.
_DRESSING = re.compile(
    r"[\s,]*(?:\((?:Acute\s*(?:&|and)\s*Chronic|Chronic|Thoracic\s*and\s*Lumbar,\s*Acute\s*and"
    r"\s*Chronic|trauma,\s*headaches[^)]*)\)|chapters?\b|sections?\b|procedure\s*summary\b"
    r"|procedures\b|\(?online\s*version\)?|\(?updated\s*[\d/]+\)?|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|guidelines\s*$)", re.I)
_STANDS_ALONE = re.compile(r"\s*(?:$|[,;:/(-]|and\b|chapters?\b|sections?\b|procedure|"
                           r"\(?online|\(?updated|\d{1,2}/)", re.I)
_SECTION_LABEL = re.compile(r"^[\s,]*Sections?\s*\(?s?\)?\s*:?", re.I)
_PAGE_LIST = re.compile(r"\bpages?\s*(?:\(s\))?\s*:?\s*(\d[\d\s,-]*)", re.I)
_PAGE_POINTER = re.compile(r"(?<![A-Za-z])(?:pp?g?\.?)\s*(\d+(?:\s*-\s*\d+)?)(?![\d/])", re.I)
_ACCESSED = re.compile(r"accessed\b[^;]{0,40}?\d{1,2}/\d{1,2}/\d{2,4}\s*[.,;]?\s*", re.I)
_URL_HOST = re.compile(r"(?:https?://|www\.)(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.I)
_KEEP_TOGETHER = re.compile(r"NSAIDs,\s*GI\s*symptoms|Forearm,\s*Wrist,?\s*(?:&|and)\s*Hand", re.I)
_NUMBERED = re.compile(r"\d+(?:\.\d+)*\.?\s+[A-Za-z]")
_NUMBER_CUT = re.compile(r",\s*(?=\d+(?:\.\d+)*\.?\s+[A-Za-z])")
_CAPITAL_CUT = re.compile(r",\s*(?=[A-Z0-9])")
_SEMICOLON_CUT = re.compile(r"\s*;\s*")
_NOISE = re.compile(r"(?:chapters?|sections?|topic|subheading|guidelines?|part\s*of\s*the\s*MTUS"
                    r"|the|and|Online\s*Version)?", re.I)
_EDGES = " ,;:/-."


def parse_citations(line: str) -> tuple[Citation, ...]:
    """Every document cited by one guideline line, in order; () when it cites none."""
    text = " ".join(re.sub(r"[\u2010-\u2015]", "-", line).replace("\u00ae", "")
                    .replace("\u2122", "").split())
    openings = list(_DECISION.finditer(text))
    if openings:
        sentences = [text[m.end() : openings[n + 1].start() if n + 1 < len(openings) else None]
                     for n, m in enumerate(openings)]
    elif _NO_EVIDENCE.search(text):
        return ()
    else:
        sentences = [_PREAMBLE.sub("", text)]
    citations: list[Citation] = []
    for sentence in sentences:
        sentence = sentence.strip(_EDGES)
        if non_mtus := _NON_MTUS.match(sentence):
            citations += _sources(sentence[non_mtus.end() :], non_mtus=True)
        elif mtus := _MTUS_OPENING.match(sentence):
            citations += _mtus(sentence[mtus.end() :])
        else:
            citations += _sources(sentence, non_mtus=False)
    return tuple(citations)


def _has_words(text: str) -> bool:
    return re.search(r"[A-Za-z0-9]", text) is not None


def _depths(text: str) -> list[int]:
    """How many parentheses are open before each character of ``text``."""
    depths, depth = [], 0
    for char in text:
        depths.append(depth)
        depth = depth + 1 if char == "(" else max(0, depth - 1) if char == ")" else depth
    return [*depths, depth]


def _mtus(body: str) -> list[Citation]:
    """The documents of an MTUS sentence: "A 2004, Section(s): x, and B 2009, ..."."""
    found = [m for m in _MTUS_TITLES[0].finditer(body) if m.start() == 0
             or re.search(r"(?:,|\band)\s*$", body[max(0, m.start() - 6) : m.start()])]
    citations = []
    head = body[: found[0].start()] if found else body
    if _has_words(head):  # a title not in DOCUMENTS: kept as written
        title = re.split(r",|\bSections?\s*\(s\)|\bPages?\s*\(s\)", head, maxsplit=1)[0]
        year = re.search(r"\(?((?:19|20)\d\d)\)?\s*$", title)
        sections, pages = _sections_and_pages(_SECTION_LABEL.sub("", head[len(title) :]))
        name = (title[: year.start()] if year else title).strip(_EDGES)
        citations.append(Citation(MTUS, f"MTUS {name}", year[1] if year else None, sections, pages))
    for n, match in enumerate(found):
        family, document = _row(_MTUS_TITLES, match)
        edition = _EDITION.match(body, match.end())
        rest = body[edition.end() : found[n + 1].start() if n + 1 < len(found) else None]
        sections, pages = _sections_and_pages(_SECTION_LABEL.sub("", rest))
        citations.append(Citation(family, document, edition[1], sections, pages))
    return citations


def _sources(body: str, *, non_mtus: bool) -> list[Citation]:
    """The citations of a sentence naming ODG, ACOEM or other sources, one after another."""
    starts = list(_SOURCE.finditer(body))
    parts = [("", body[: starts[0].start()] if starts else body)]
    parts += [(m.lastgroup or "", body[m.end() : starts[n + 1].start() if n + 1 < len(starts)
                                        else None]) for n, m in enumerate(starts)]
    citations = []
    for kind, text in parts:
        text = re.sub(r"[\s,;]*(?:\band)?\s*(?:\bthe)?[\s,;.]*$", "", text, flags=re.I)
        if kind == "odg":
            citations += _odg(text, non_mtus)
        elif kind == "acoem":
            citations.append(_acoem(text, non_mtus))
        elif _has_words(text):
            bare = text.lstrip(_EDGES)
            chapters = _chapters(bare)
            if chapters and chapters[0][1] == 0 and _STANDS_ALONE.match(bare, chapters[0][2]):
                # an ODG chapter with no source named ("Knee (topic)", not "Knee pain in ...")
                citations += _odg(text, non_mtus)
            else:
                citations += _other(text, non_mtus)
    return citations


def _chapters(text: str) -> list[tuple[str, int, int]]:
    """ODG chapters named in ``text``: (document, start, end) of each."""
    depths = _depths(text)
    found: list[tuple[str, int, int]] = []
    for match in _ODG_CHAPTERS[0].finditer(text):
        before = text[max(0, match.start() - 8) : match.start()].rstrip()
        opens = not before or before[-1] in ",;:/-" \
            or re.search(r"\band$", before, re.I)
        if depths[match.start()] == 0 and opens and (
                not found or _STANDS_ALONE.match(text, match.end())):
            found.append((_row(_ODG_CHAPTERS, match)[1], *match.span()))
    if not found:  # "Bracing knee": the chapter after its topic
        found = [(_row(_ODG_CHAPTERS, m)[1], *m.span()) for m in _ODG_CHAPTERS[0].finditer(text)
                 if _STANDS_ALONE.match(text, m.end())][:1]
    return found


def _odg(text: str, non_mtus: bool) -> list[Citation]:
    """One citation per ODG chapter named (or of the whole ODG when none is)."""
    edition = _ODG_EDITION.match(text)
    year = edition[1] if edition else None
    text = text[edition.end() :] if edition else text
    chapters = _chapters(text)
    if not chapters:
        return [Citation(ODG, WHOLE_ODG, year, *_sections_and_pages(text), non_mtus)]
    lead = _sections_and_pages(text[: chapters[0][1]])
    citations: list[Citation] = []
    waiting: list[str] = []  # chapters listed back to back, waiting for their shared topics
    for n, (document, _, end) in enumerate(chapters):
        topic = text[: chapters[n + 1][1] if n + 1 < len(chapters) else None]
        while (dressing := _DRESSING.match(topic, end)) and dressing.end() > end:
            end = dressing.end()
        topic = topic[end:].strip(_EDGES)
        if topic.startswith("(") and topic.endswith(")"):  # "Knee (Bracing)"
            topic = topic[1:-1]
        sections, pages = _sections_and_pages(topic)
        if n == 0:
            sections, pages = lead[0] + sections, lead[1] + pages
        if not sections and not pages and n + 1 < len(chapters):
            waiting.append(document)
            continue
        citations += [Citation(ODG, name, year, sections, pages, non_mtus)
                      for name in [*waiting, document]]
        waiting = []
    return citations


def _acoem(text: str, non_mtus: bool) -> Citation:
    """An ACOEM citation: the edition, the chapter when named, then its topics."""
    edition = _EDITION.match(text)
    text = text[edition.end() :].lstrip(_EDGES)
    chapter = _ACOEM_CHAPTERS[0].match(text)
    family, document = _row(_ACOEM_CHAPTERS, chapter) if chapter else (ACOEM, ACOEM_PG)
    rest = text[chapter.end() :] if chapter else text
    rest = re.sub(r"^\s*chapter\b", "", rest, flags=re.I)
    sections, pages = _sections_and_pages(rest)
    return Citation(ACOEM if non_mtus else family, document, edition[1], sections, pages, non_mtus)


def _other(text: str, non_mtus: bool) -> list[Citation]:
    """Free references, split after each "accessed <date>", named by their publisher."""
    cuts = [m.end() for m in _ACCESSED.finditer(text)]
    citations = []
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        reference = text[start:end].strip(_EDGES)
        if not _has_words(reference):
            continue
        if publisher := _PUBLISHERS[0].search(reference):
            document = _row(_PUBLISHERS, publisher)[1]
        else:  # a URL's host, or an article or page of its own as written; cut short
            document = host[1].lower() if (host := _URL_HOST.match(reference)) else reference
            document = document[:120].rsplit(" ", 1)[0] if len(document) > 120 else document
        pages = (m[1].replace(" ", "") for m in _PAGE_POINTER.finditer(reference))
        citations.append(Citation(OTHER, document, None, (), tuple(dict.fromkeys(pages)), non_mtus))
    return citations


def _sections_and_pages(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Section names and page references in a citation's text after its document."""
    pages: list[str] = []
    for pattern in (_PAGE_LIST, _PAGE_POINTER):
        for match in pattern.finditer(text):
            pages += [p.replace(" ", "") for p in match[1].split(",") if p.strip()]
        text = pattern.sub(" ", text)
    text = re.sub(r"[\s,]*\band\s*$", "", text.strip(_EDGES), flags=re.I)
    sections: list[str] = []
    for part in _cut(text, _SEMICOLON_CUT):
        for piece in _cut(part, _NUMBER_CUT if _NUMBERED.match(part.strip()) else _CAPITAL_CUT):
            piece = re.sub(r"\s+Topic$", "", piece.strip(_EDGES), flags=re.I)
            if re.fullmatch(r"\d+(?:-\d+)?", piece):
                pages.append(piece)
            elif _has_words(piece) and not _NOISE.fullmatch(piece):
                sections.append(piece)
    return tuple(dict.fromkeys(sections)), tuple(dict.fromkeys(p.strip("-") for p in pages))


def _cut(text: str, boundary: re.Pattern[str]) -> list[str]:
    """``text`` split at ``boundary`` outside parentheses and outside ``_KEEP_TOGETHER``."""
    depths = _depths(text)
    for kept in _KEEP_TOGETHER.finditer(text):
        depths[kept.start() : kept.end()] = [1] * (kept.end() - kept.start())
    pieces, last = [], 0
    for match in boundary.finditer(text):
        if depths[match.start()] == 0:
            pieces.append(text[last : match.start()])
            last = match.end()
    return [*pieces, text[last:]]
