"""One name per reviewer specialty, for facets and counts.

Letters write one specialty several ways: "Physical Medicine & Rehabilitation" (2016 case
table) and "Physical Medicine and Rehabilitation" (2013 notice), "Orthopaedic Surgery",
"PM&R", a letter dropped by a typist. ``canonical_specialty`` maps each to the name the
letters use most. The letter's own wording stays what the case page and the API show; the
index, its facets and the outcome counts use the canonical name.

Decisions where no source says (as a reviewer-credentialing clerk would read them):
- Family Medicine is Family Practice (the board was renamed in 2005; letters use the old
  name); Pain Medicine is Pain Management; Orthopaedic is Orthopedic; Neurosurgery is
  Neurological Surgery; Occupational and Environmental Medicine is Occupational Medicine.
- Different boards stay apart even when close: Physical Medicine & Rehabilitation is not
  Sports Medicine, Psychology is not Psychiatry, Neurology is not Neurological Surgery.
- A name not in the table keeps its wording, with "and" written "&", and one space between
  words; a close misspelling of a known name (one or two letters off) takes that name.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

# Canonical name -> other ways letters write it (besides case, spacing and "&"/"and").
CANONICAL: dict[str, tuple[str, ...]] = {
    "Anesthesiology": ("Anesthesia", "Anaesthesiology"),
    "Chiropractic": ("Chiropractor", "Doctor of Chiropractic", "Chiropractic Medicine"),
    "Electrodiagnostic Medicine": (),
    "Emergency Medicine": (),
    "Family Practice": ("Family Medicine", "General Practice"),
    "Hand Surgery": ("Surgery of the Hand",),
    "Hospice & Palliative Medicine": ("Palliative Medicine",),
    "Internal Medicine": (),
    "Medical Toxicology": ("Toxicology",),
    "Neurological Surgery": ("Neurosurgery",),
    "Neurology": (),
    "Neuromuscular Medicine": (),
    "Occupational Medicine": ("Occupational & Environmental Medicine",),
    "Orthopedic Surgery": ("Orthopaedic Surgery", "Orthopedics", "Orthopaedics"),
    "Pain Management": ("Pain Medicine",),
    "Physical Medicine & Rehabilitation": ("PM&R", "PMR", "Physical Medicine & Rehab",
                                           "Physiatry", "Physical Medicine"),
    "Podiatry": ("Podiatric Medicine", "Podiatric Surgery"),
    "Preventive Medicine": (),
    "Psychiatry": (),
    "Psychology": ("Clinical Psychology", "Psychologist"),
    "Public Health & General Preventive Medicine": (),
    "Rheumatology": (),
    "Spine Surgery": (),
    "Sports Medicine": (),
}
CLOSE_ENOUGH = 0.9  # difflib ratio of a misspelling to a known name's key


def _key(name: str) -> str:
    """Case, "&"/"and", punctuation and spacing left out."""
    words = re.sub(r"[^a-z]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(words)


_BY_KEY: dict[str, str] = {_key(variant): canonical
                           for canonical, variants in CANONICAL.items()
                           for variant in (canonical, *variants)}


@lru_cache(maxsize=4096)
def canonical_specialty(written: str) -> str:
    """The one name of a specialty as a letter writes it (see the module)."""
    key = _key(written)
    if not key:
        return written.strip()
    if key in _BY_KEY:
        return _BY_KEY[key]
    close = difflib.get_close_matches(key, _BY_KEY, n=1, cutoff=CLOSE_ENOUGH)
    if close:
        return _BY_KEY[close[0]]
    return " ".join(re.sub(r"\band\b", "&", written).split())


def canonical_specialties(written: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Each specialty's one name, in the letter's order, once each."""
    return tuple(dict.fromkeys(canonical_specialty(name) for name in written))
