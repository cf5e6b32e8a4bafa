"""cases.parsing.citations: every citation shape of the letters, a census of the real letters
against that table, the letters' guideline families, and junk input.

The lines in ``SHAPES`` are written for these tests in the shapes the real letters use; guideline
and chapter titles are public document names. The real letters are read from ../shared at run
time and never copied here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.parsing import ParsedDetermination, parse_file
from cases.parsing.citations import ACOEM, ACOEM_PG, MTUS, ODG, OTHER, Citation, parse_citations
from tests.conftest import REAL_TEXTS, SEEDS, need, real_text_paths

CPMTG = "MTUS Chronic Pain Medical Treatment Guidelines"
OPIOIDS = "MTUS Opioids Treatment Guidelines"
POSTSURGICAL = "MTUS Postsurgical Treatment Guidelines"
ACUPUNCTURE = "MTUS Acupuncture Medical Treatment Guidelines"
ODG_ALL = "Official Disability Guidelines"
LOW_BACK = "ODG Low Back - Lumbar & Thoracic (Acute & Chronic)"
NECK = "ODG Neck and Upper Back (Acute & Chronic)"
KNEE = "ODG Knee & Leg (Acute & Chronic)"
SHOULDER = "ODG Shoulder (Acute & Chronic)"
HAND = "ODG Forearm, Wrist, & Hand (Acute & Chronic)"
PAIN = "ODG Pain (Chronic)"
HIP = "ODG Hip & Pelvis (Acute & Chronic)"
OUTSIDE = ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
           "Guidelines. ")


def chapter(name: str, edition: str | None = "2004", sections: tuple[str, ...] = (),
            pages: tuple[str, ...] = ()) -> Citation:
    """An ACOEM 2nd-ed. chapter cited as part of the MTUS."""
    return Citation(MTUS, f"{ACOEM_PG}, {name}", edition, sections, pages)


def mtus(document: str, edition: str | None, sections: tuple[str, ...] = (),
         pages: tuple[str, ...] = ()) -> Citation:
    """One of the MTUS's own guidelines."""
    return Citation(MTUS, document, edition, sections, pages)


def odg(document: str, sections: tuple[str, ...] = (), edition: str | None = None) -> Citation:
    """An ODG chapter cited as Non-MTUS."""
    return Citation(ODG, document, edition, sections, (), non_mtus=True)


def acoem(document: str, sections: tuple[str, ...] = (), pages: tuple[str, ...] = (),
          edition: str | None = None) -> Citation:
    """ACOEM cited as Non-MTUS."""
    return Citation(ACOEM, document, edition, sections, pages, non_mtus=True)


def other(document: str, pages: tuple[str, ...] = ()) -> Citation:
    """Another source cited as Non-MTUS."""
    return Citation(OTHER, document, None, (), pages, non_mtus=True)


NON_MTUS = "Decision based on Non-MTUS Citation "
# (id, line, citations): one row per shape of the real letters and seeds (the census below
# checks that), and a few rows for the rules the module docstring states.
SHAPES: list[tuple[str, str, tuple[Citation, ...]]] = [
    ("no-evidence", "The Claims Administrator did not cite any medical evidence for its decision.",
     ()),
    ("empty", "", ()),
    ("adopted-chapters", "Decision based on MTUS Ankle and Foot Complaints 2004, Section(s): "
     "Surgical Considerations, Summary, and Knee Complaints 2004, and Low Back Complaints 2004.",
     (chapter("Ankle and Foot Complaints", sections=("Surgical Considerations", "Summary")),
      chapter("Knee Complaints"), chapter("Low Back Complaints"))),
    ("elbow-page-as-section", "Decision based on MTUS Elbow Complaints 2007, Section(s): 331.",
     (chapter("Elbow Disorders", "2007", pages=("331",)),)),
    ("elbow-then-hand", "Decision based on MTUS Elbow Complaints 2007, Section(s): Initial Care, "
     "and Forearm, Wrist, and Hand Complaints 2004, Section(s): Follow-up Visits, Summary.",
     (chapter("Elbow Disorders", "2007", ("Initial Care",)),
      chapter("Forearm, Wrist, and Hand Complaints", sections=("Follow-up Visits", "Summary")))),
    ("bare-chapters", "Decision based on MTUS Elbow Complaints 2007, and Forearm, Wrist, and Hand "
     "Complaints 2004, and Ankle and Foot Complaints 2004.",
     (chapter("Elbow Disorders", "2007"), chapter("Forearm, Wrist, and Hand Complaints"),
      chapter("Ankle and Foot Complaints"))),
    ("chapter-number-and-pages", "Decision based on MTUS ACOEM Chapter 11: Forearm, Wrist, and "
     "Hand Complaints, Page(s): 270,Chronic Pain Treatment Guidelines Heat therapy Page(s): 44.",
     (chapter("Forearm, Wrist, and Hand Complaints", None, pages=("270",)),
      mtus(CPMTG, None, ("Heat therapy",), ("44",)))),
    ("general-approaches", "Decision based on MTUS General Approaches 2004, Section(s): "
     "Cornerstones of Disability Prevention and Management, and Knee Complaints 2004, "
     "Section(s): Red Flags.",
     (chapter("General Approaches", sections=("Cornerstones of Disability Prevention and "
                                               "Management",)),
      chapter("Knee Complaints", sections=("Red Flags",)))),
    ("typo-kept", "Decision based on MTUS Low Back Complaints 2004, Section(s): Physcial "
     "Methods, Initial Care.",
     (chapter("Low Back Complaints", sections=("Physcial Methods", "Initial Care")),)),
    ("neck-shoulder-whole-odg", "Decision based on MTUS Neck and Upper Back Complaints 2004, "
     "Section(s): Summary, and Shoulder Complaints 2004. Decision based on Non-MTUS Citation "
     "Official Disability Guidelines (ODG).",
     (chapter("Neck and Upper Back Complaints", sections=("Summary",)),
      chapter("Shoulder Complaints"), odg(ODG_ALL))),
    ("neck-bare-shoulder-sections-topic-first", "Decision based on MTUS Neck and Upper Back "
     "Complaints 2004, and Shoulder Complaints 2004, Section(s): Special Studies. "
     + NON_MTUS + "Official Disability Guidelines (ODG) Arthrogram shoulder.",
     (chapter("Neck and Upper Back Complaints"),
      chapter("Shoulder Complaints", sections=("Special Studies",)),
      odg(SHOULDER, ("Arthrogram",)))),
    ("acupuncture-cpmtg-bare", "Decision based on MTUS Acupuncture Treatment 2007, and Chronic "
     "Pain Medical Treatment 2016.", (mtus(ACUPUNCTURE, "2007"), mtus(CPMTG, "2016"))),
    ("cpmtg-pages-only", "Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 22.",
     (mtus(CPMTG, None, pages=("22",)),)),
    ("cpmtg-page-list", "Decision based on MTUS Chronic Pain Treatment Guidelines Opioids, dosing, "
     "p94 Page(s): 78-80, 94.", (mtus(CPMTG, None, ("Opioids, dosing",), ("78-80", "94")),)),
    ("cpmtg-comma-rules", "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): "
     "NSAIDs, GI symptoms & cardiovascular risk, Ultrasound, therapeutic, Biofeedback.",
     (mtus(CPMTG, "2016", ("NSAIDs, GI symptoms & cardiovascular risk", "Ultrasound, therapeutic",
                           "Biofeedback")),)),
    ("opioids-bare-postsurgical", "Decision based on MTUS Postsurgical Treatment 2009, and Opioid "
     "Treatment 2016.", (mtus(POSTSURGICAL, "2009"), mtus(OPIOIDS, "2016"))),
    ("opioids-numbered", "Decision based on MTUS Opioid Treatment 2016, Section(s): 3.2.1 Opioids "
     "for Chronic Pain: Screening, Before Treatment: Risk Review, 4.1 Tapering Opioids: When to "
     "Taper.",
     (mtus(OPIOIDS, "2016", ("3.2.1 Opioids for Chronic Pain: Screening, Before Treatment: Risk "
                             "Review", "4.1 Tapering Opioids: When to Taper")),)),
    ("postsurgical-sections", "Decision based on MTUS Postsurgical Treatment 2009, Section(s): "
     "Shoulder, Forearm, Wrist, & Hand.",
     (mtus(POSTSURGICAL, "2009", ("Shoulder", "Forearm, Wrist, & Hand")),)),
    ("odg-and-acoem-unnamed", OUTSIDE + NON_MTUS + "the Official Disability Guidelines and ACOEM "
     "guidelines.", (odg(ODG_ALL), acoem(ACOEM_PG))),
    ("odg-then-harris", NON_MTUS + "ODG, Low back, Lumbar and Thoracic - Traction Harris J. "
     "Occupational medicine practice guidelines, 2nd edition (2004) p 300.",
     (odg(LOW_BACK, ("Traction",)), acoem(ACOEM_PG, pages=("300",), edition="2004"))),
    ("acoem-hip-groin", OUTSIDE + NON_MTUS + "ACOEM Hip and Groin Chapter/Imaging "
     "recommendations.", (acoem(f"{ACOEM_PG}, Hip and Groin Disorders", ("Imaging "
                                                                         "recommendations",)),)),
    ("acoem-lower-case-hierarchy", NON_MTUS + "ACOEM: Low back disorders, surgical "
     "recommendations, fusion, Discectomy.",
     (acoem(f"{ACOEM_PG}, Low Back Disorders", ("surgical recommendations, fusion",
                                                  "Discectomy")),)),
    ("acoem-pain-chapter", NON_MTUS + "ACOEM, Pain, Suffering, and the Restoration of "
     "Function chapter.",
     (acoem(f"{ACOEM_PG}, Pain, Suffering, and the Restoration of Function"),)),
    ("acoem-third-edition-page", NON_MTUS + "American College of Occupational and Environmental "
     "Medicine Practice Guidelines, 3rd ed., Shoulder Disorders, pg. 12.",
     (acoem(f"{ACOEM_PG}, Shoulder Disorders", pages=("12",)),)),
    ("odg-ankle-bare", OUTSIDE + NON_MTUS + "ODG Ankle and Foot Chapter.",
     (odg("ODG Ankle & Foot (Acute & Chronic)"),)),
    ("odg-ankle-section", NON_MTUS + "Official Disability Guidelines (ODG) Ankle and Foot "
     "section, Stress fracture imaging.",
     (odg("ODG Ankle & Foot (Acute & Chronic)", ("Stress fracture imaging",)),)),
    ("odg-carpal-tunnel", NON_MTUS + "ODG Carpal Tunnel Syndrome (Acute & Chronic).",
     (odg("ODG Carpal Tunnel Syndrome (Acute & Chronic)"),)),
    ("odg-elbow-topic-first", NON_MTUS + "Official Disability Guidelines (ODG) splinting, elbow "
     "chapter.", (odg("ODG Elbow (Acute & Chronic)", ("splinting",)),)),
    ("odg-fitness", NON_MTUS + "Official Disability Guidelines (ODG) Fitness for Duty, Work "
     "capacity testing.", (odg("ODG Fitness For Duty", ("Work capacity testing",)),)),
    ("odg-hand-then-whole", NON_MTUS + "ODG Forearm, Wrist, & Hand (Online Version): Splints, "
     "Official Disability Guidelines, Splinting Guidelines: Tendon repair.",
     (odg(HAND, ("Splints",)), odg(ODG_ALL, ("Splinting Guidelines: Tendon repair",)))),
    ("odg-head-updated", NON_MTUS + "Official Disability Guidelines, Head Chapter (updated "
     "10/5/16): Vestibular testing.",
     (odg("ODG Head (trauma, headaches, etc., not including stress & mental disorders)",
          ("Vestibular testing",)),)),
    ("odg-hernia", NON_MTUS + "Official Disability Guidelines (ODG) Hernia section, Ultrasound.",
     (odg("ODG Hernia (Acute & Chronic)", ("Ultrasound",)),)),
    ("odg-hip-bare", NON_MTUS + "ODG Hips and Pelvis.", (odg(HIP),)),
    ("odg-hip-and-other-acoem", NON_MTUS + "Official Disability Guidelines (ODG) Hip & Pelvis "
     "(Acute & Chronic), Arthroscopy and Other Medical Treatment Guidelines ACOEM Hip and Groin "
     "Disorders, Surgical Considerations.",
     (odg(HIP, ("Arthroscopy",)),
      acoem(f"{ACOEM_PG}, Hip and Groin Disorders", ("Surgical Considerations",)))),
    ("odg-run-together", NON_MTUS + "ODG, Hernia Official Disability Guidelines (ODG), "
     "Occupational Therapy Guidelines.",
     (odg("ODG Hernia (Acute & Chronic)"), odg(ODG_ALL, ("Occupational Therapy Guidelines",)))),
    ("odg-knee-bare", NON_MTUS + "ODG Knee and Leg Chapter.", (odg(KNEE),)),
    ("odg-knee-nested-parentheses", NON_MTUS + "Official Disability Guidelines (ODG) Knee and Leg "
     "(Continuous passive motion (CPM)).", (odg(KNEE, ("Continuous passive motion (CPM)",)),)),
    ("odg-two-bare-chapters", NON_MTUS + "ODG, Low Back; Neck & Upper Back.",
     (odg(LOW_BACK), odg(NECK))),
    ("odg-chapters-share-topic", NON_MTUS + "ODG Shoulder, Neck & Upper Back and Elbow "
     "chapters: Traction.", (odg(SHOULDER, ("Traction",)), odg(NECK, ("Traction",)),
                             odg("ODG Elbow (Acute & Chronic)", ("Traction",)))),
    ("odg-dated-chapter", NON_MTUS + "ODG Chapter: Knee & Leg (Acute & Chronic) 11/30/2016 "
     "Arthroscopy.", (odg(KNEE, ("Arthroscopy",)),)),
    ("odg-topic-then-bare-chapter", NON_MTUS + "Official Disability Guidelines, Neck and Upper "
     "Back, Cervical collar; Low Back - Lumbar & Thoracic (Acute & Chronic).",
     (odg(NECK, ("Cervical collar",)), odg(LOW_BACK))),
    ("odg-edition-year", NON_MTUS + "ODG 2016 Neck and Upper Back Chapter, Indications for "
     "surgery, Disc replacement.",
     (odg(NECK, ("Indications for surgery", "Disc replacement"), "2016"),)),
    ("odg-pain-bare", NON_MTUS + "Official Disability Guidelines, Pain.", (odg(PAIN),)),
    ("odg-pain-topic-mark", NON_MTUS + "Official Disability Guidelines (ODG) Pain "
     "Section/Ketoprofen\u00ae Gel Topic.", (odg(PAIN, ("Ketoprofen Gel",)),)),
    ("odg-pain-chronic-in-topic", NON_MTUS + "Official Disability Guidelines, Pain Chapter, "
     "Opioids for Chronic Pain.", (odg(PAIN, ("Opioids for Chronic Pain",)),)),
    ("odg-preface-topic-first", NON_MTUS + "Official Disability Guidelines (ODG) Occupational "
     "therapy/Preface.", (odg("ODG Preface", ("Occupational therapy",)),)),
    ("odg-two-updated-chapters", NON_MTUS + "Official Disability Guidelines, Shoulder (updated "
     "12/1/16); ODG, Low Back (updated 12/2/16).", (odg(SHOULDER), odg(LOW_BACK))),
    ("odg-unnamed-chapter", NON_MTUS + "Shoulder (Acute & Chronic), Manipulation, ODG Preface - "
     "Manipulation.", (odg(SHOULDER, ("Manipulation",)), odg("ODG Preface", ("Manipulation",)))),
    ("odg-edition-before-chapter", NON_MTUS + "Official Disability Guidelines (ODG) 2016 "
     "Shoulder Chapter: CT arthrogram.", (odg(SHOULDER, ("CT arthrogram",), "2016"),)),
    ("odg-whole-topic", NON_MTUS + "ODG Orthotics guidelines.", (odg(ODG_ALL, ("Orthotics "
                                                                                "guidelines",)),)),
    ("other-uptodate", OUTSIDE + NON_MTUS + "Naproxen: Drug information, accessed from "
     "UpToDate.com on 01/05/2017.", (other("UpToDate"),)),
    ("other-aetna", NON_MTUS + "Official Disability Guidelines (ODG) Knee/Bracing and Other "
     "Medical Treatment Guidelines http://www.aetna.com/cpb/medical/data/1_99/0009.html.",
     (odg(KNEE, ("Bracing",)), other("Aetna Clinical Policy Bulletins"))),
    ("other-cms", NON_MTUS + "Official Disability Guidelines (ODG) Pain/Walkers and Other Medical "
     "Treatment Guidelines https://www.cms.gov/example/coverage.pdf.",
     (odg(PAIN, ("Walkers",)), other("CMS (Centers for Medicare & Medicaid Services)"))),
    ("other-drugs-com", NON_MTUS + "http://www.drugs.com/omeprazole.html.", (other("Drugs.com"),)),
    ("other-mdguidelines", NON_MTUS + "Official Disability Guidelines (ODG) Low Back, Traction "
     "and Other Medical Treatment Guidelines www.mdguidelines.com.",
     (odg(LOW_BACK, ("Traction",)), other("MDGuidelines (Medical Disability Advisor)"))),
    ("other-two-accessed", NON_MTUS + "What is a stress test? National Heart, Lung, and Blood "
     "Institute. http://www.nhlbi.nih.gov/health/example, accessed 01/10/2017, Smith A, et al. "
     "Chest pain in adults. Topic 100, version 2.0. UpToDate, accessed 01/10/2017.",
     (other("National Heart, Lung, and Blood Institute"), other("UpToDate"))),
    ("other-university", NON_MTUS + "University of Michigan Health System. Low back pain. Ann "
     "Arbor (MI): University of Michigan Health System; 2010 Jan.",
     (other("University of Michigan Health System"),)),
    ("other-article", NON_MTUS + "Jones B, et al. Heat for tendon pain. J Example Med. 2015, p 3.",
     (other("Jones B, et al. Heat for tendon pain. J Example Med. 2015, p 3", ("3",)),)),
    ("other-opening-on-a-chapter-word", NON_MTUS + "Knee pain in runners. J Example Med. 2014.",
     (other("Knee pain in runners. J Example Med. 2014"),)),
    ("other-url-host", NON_MTUS + "https://www.example.org/guide/page.html.",
     (other("example.org"),)),
    ("mtus-title-not-in-table", "Decision based on MTUS Eye 2004, Section(s): Red Eye.",
     (Citation(MTUS, "MTUS Eye", "2004", ("Red Eye",)),)),
    ("no-decision-words-mtus", "MTUS Chronic Pain Medical Treatment Guidelines (2009), Massage "
     "therapy, page(s) 60.", (mtus(CPMTG, "2009", ("Massage therapy",), ("60",)),)),
    ("no-decision-words-acoem", "ACOEM Practice Guidelines, 2nd Edition (2004), Knee Complaints, "
     "part of the MTUS.", (chapter("Knee Complaints"),)),
    ("no-decision-words-odg", "Official Disability Guidelines (ODG), Pain (Chronic), Massage.",
     (Citation(ODG, PAIN, sections=("Massage",)),)),
]


@pytest.mark.parametrize(("line", "expected"), [row[1:] for row in SHAPES],
                         ids=[row[0] for row in SHAPES])
def test_parse_citations_each_shape_gives_exact_citations(
        line: str, expected: tuple[Citation, ...]) -> None:
    assert parse_citations(line) == expected


def test_citation_as_dict_has_exactly_the_documented_keys() -> None:
    citation = mtus(CPMTG, None, ("Opioids, dosing",), ("78-80", "94"))
    assert citation.as_dict() == {
        "family": "MTUS", "document": CPMTG, "edition": None, "sections": ["Opioids, dosing"],
        "pages": ["78-80", "94"], "non_mtus": False}


def test_parse_citations_equal_documents_compare_equal() -> None:
    spellings = ["Low Back Chapter", "Low back section", "Lower Back section",
                 "Low Back - Lumbar & Thoracic (Acute & Chronic)", "Low back, Lumbar and Thoracic",
                 "Lumbar & Thoracic (Acute & Chronic)"]
    documents = {parse_citations(f"{NON_MTUS}ODG {name}, Traction.")[0].document
                 for name in spellings}
    assert documents == {LOW_BACK}


def shape(citation: Citation) -> tuple[str, str, bool, bool, bool, bool]:
    """The document after normalisation, how it was cited, and which parts it has."""
    return (citation.family, citation.document, citation.non_mtus, citation.edition is not None,
            bool(citation.sections), bool(citation.pages))


@cache
def parsed(path: Path) -> ParsedDetermination:
    return parse_file(path)


def letter_paths() -> list[Path]:
    """The real letters and the seeds (empty when ../shared is absent)."""
    return real_text_paths() + (sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])


def guideline_lines(letter: ParsedDetermination) -> Iterator[tuple[str, str]]:
    """(where, line) for both guideline lines of every item of ``letter``."""
    for n, item in enumerate(letter.items, 1):
        for field in ("claims_administrator_guideline", "maximus_guideline"):
            yield f"{letter.source} item {n} {field}", getattr(item, field)


def test_citations_census_every_real_shape_is_in_the_table(
        record_property: pytest.RecordProperty) -> None:
    need(REAL_TEXTS)
    need(SEEDS)
    covered = {shape(citation) for _, _, expected in SHAPES for citation in expected}
    seen: dict[tuple[str, str, bool, bool, bool, bool], str] = {}
    lines = citations = 0
    for path in letter_paths():
        for where, line in guideline_lines(parsed(path)):
            lines += 1
            for citation in parse_citations(line):
                citations += 1
                seen.setdefault(shape(citation), where)
    new = sorted(set(seen) - covered)
    assert not new, "citation shapes the SHAPES table does not cover yet:\n" + "\n".join(
        f"{s} (first in {seen[s]})" for s in new)
    assert len(seen) >= 60  # the census read the letters, not an empty folder
    record_property("summary", f"citations: {lines} guideline lines, {citations} citations, "
                               f"{len({s[1] for s in seen})} documents, {len(seen)} shapes")


# The letter-level names (``guidelines_cited``) of a citation: "other" sources are cited as
# Non-MTUS, which is the only name the letter-level parser has for them.
LETTER_NAMES = {MTUS: "MTUS", ACOEM: "ACOEM", ODG: "ODG", OTHER: "Non-MTUS"}
# What makes a guideline line name a family, the way the letter-level parser sees it.
NAMED_IN_LINE = {"MTUS": r"based\s*on\s*MTUS", "Non-MTUS": r"Non\s*-?\s*MTUS",
                 "ODG": r"\bODG\b|Official\s*Disability\s*Guidelines", "ACOEM": r"\bACOEM\b"}
NO_EVIDENCE = re.compile(r"did\s*not\s*cite\s*any\s*medical\s*evidence", re.I)


@pytest.mark.parametrize("path", letter_paths(), ids=lambda p: p.stem)
def test_citations_real_letter_lines_parse_and_match_guidelines_cited(path: Path) -> None:
    letter = parsed(path)
    unparsed, names, adopted, named = [], set(), set(), set()
    for where, line in guideline_lines(letter):
        citations = parse_citations(line)
        if bool(citations) == bool(NO_EVIDENCE.search(line)):
            unparsed.append(f"{where}: {len(citations)} citations")
        for citation in citations:
            names.add(LETTER_NAMES[citation.family])
            names |= {"Non-MTUS"} if citation.non_mtus else set()
            if citation.family == MTUS and citation.document.startswith(ACOEM_PG):
                adopted.add("ACOEM")  # an ACOEM chapter the MTUS adopted: MTUS, and ACOEM's
        named |= {name for name, pattern in NAMED_IN_LINE.items() if re.search(pattern, line, re.I)}
    assert not unparsed, "guideline lines that did not parse:\n" + "\n".join(unparsed)
    # Rationales name more families than guideline lines do, so the citations' names are a
    # subset of the letter's. The letter-level parser knows ACOEM by its acronym only; the
    # citations also know its book by title ("Occupational Medicine Practice Guidelines").
    by_title = {"ACOEM"} if any(re.search(r"Occupational\s*medicine\s*practice", line, re.I)
                                for _, line in guideline_lines(letter)) else set()
    assert names <= set(letter.guidelines_cited) | by_title
    assert named <= names | adopted, f"families the lines name but no citation has: {named}"


TOKENS = ["Decision based on ", "MTUS ", "Non-MTUS Citation ", "Non- MTUS ", "ODG ",
          "Official Disability Guidelines (ODG)", "ACOEM ", "Low Back", "Knee & Leg ", "Pain ",
          "Complaints 2004", "Chronic Pain Medical Treatment 2016", "Opioid Treatment 2016",
          ", Section(s): ", "Page(s): 7-9, ", "p12 ", ", and ", " and ", "; ", ", ", "/", " - ",
          "(", ")", "(updated 1/2/16)", "Chapter", "accessed 01/02/2017, ", "www.", "http://",
          "and Other Medical Treatment Guidelines ", "3.1 ", "the ", ".", ":", "2016", " "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=60))
def test_parse_citations_grammar_junk_never_raises(pieces: list[str]) -> None:
    citations = parse_citations("".join(pieces))
    assert all(c.family in (MTUS, ACOEM, ODG, OTHER) and c.document for c in citations)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000).map(
    lambda b: b.decode("latin-1"))))
def test_parse_citations_random_text_never_raises(text: str) -> None:
    assert isinstance(parse_citations(text), tuple)


def test_parse_citations_long_junk_stays_fast() -> None:
    rng = random.Random(19)
    for text in ("".join(rng.choice(TOKENS) for _ in range(20_000)),
                 "The Claims Administrator " * 20_000, NON_MTUS + "Pain, " * 20_000,
                 NON_MTUS + "(" * 50_000, "Decision based on " * 30_000):
        citations = parse_citations(text)  # quadratic regexes would take minutes here
        assert all(len(c.document) <= 200 for c in citations)

