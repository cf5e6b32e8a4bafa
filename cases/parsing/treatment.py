"""What one disputed item's heading says about the treatment: drugs, body regions, side and
requested quantity, as ``/work/shared/specs/treatment-fields.md`` (the spec) defines them.

``treatment_fields(heading)`` reads only the heading it is given: the item's ``treatment``,
which for a partly authorized request already holds the portion decided (``items``). Drug
names come from ``cases.parsing.drugs``; quantities from ``cases.parsing.quantities``.

Decisions where the spec is silent, as a clinical coder would take them:
- Regions: a bare "back" is the low back (``lumbar spine``); "upper back" and "mid back"
  are ``thoracic spine``; "cervicothoracic" names both spines. "Leg", "thigh" and "calf"
  are ``lower extremity`` and "arm" and "forearm" ``upper extremity`` -- but, like a whole
  limb, only when no joint of that limb is named ("lower leg and knee" gives ``knee``).
  Carpal or cubital tunnel are the ``wrist`` and the ``elbow``. Groin, pelvis, abdomen,
  ears and chest are outside the vocabulary and give nothing. A body word inside a device's
  name names no region ("knee scooter"). "Spine" or "spinal" without a level gives nothing.
- Laterality: the sides the heading names, wherever they stand ("left groin pain" is
  ``left`` although the groin is no region); a left side and a right side anywhere in the
  heading, even of different regions ("left hand, right lower leg"), are ``bilateral``;
  RUE/LUE/RLE/LLE name a side and a limb. Plural limbs without a side word
  ("lower extremities") name no side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cases.parsing.drugs import find_drugs
from cases.parsing.quantities import Quantity, find_quantity

__all__ = ["BODY_REGIONS", "LATERALITIES", "QUANTITY_UNITS", "Quantity", "TreatmentFields",
           "find_body_regions", "find_laterality", "treatment_fields"]

BODY_REGIONS = ("cervical spine", "thoracic spine", "lumbar spine", "shoulder", "elbow", "wrist",
                "hand", "hip", "knee", "ankle", "foot", "head", "upper extremity",
                "lower extremity")
LATERALITIES = ("left", "right", "bilateral")
QUANTITY_UNITS = ("sessions", "count", "days", "weeks", "months", "hours")


@dataclass(frozen=True)
class TreatmentFields:
    """The treatment fields of one disputed item's heading."""

    drugs: tuple[str, ...] = ()
    body_regions: tuple[str, ...] = ()
    laterality: str | None = None
    quantity: Quantity | None = None


# A partly authorized heading the item reader could not split still ends with the portion
# decided: "... The (remaining IMR eligible portion of the) original request, <portion>".
_DECIDED = re.compile(r".*\boriginal\s*request,\s*", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=8192)
def treatment_fields(heading: str) -> TreatmentFields:
    """Read drugs, body regions, laterality and quantity from one item's heading."""
    heading = _DECIDED.sub("", heading)
    return TreatmentFields(drugs=find_drugs(heading), body_regions=find_body_regions(heading),
                           laterality=find_laterality(heading), quantity=find_quantity(heading))


_LEVEL = r"(?:C[1-8]|T1[0-2]|T[1-9]|L[1-5]|S[1-5])"
# (region, pattern); patterns are case-insensitive but for the spinal levels.
_REGION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("cervical spine", r"\bcervic\w*|\bneck\b|\bc-?\s?spine\b|\bC/S\b"),
    ("thoracic spine", r"\bthoracic|\bthoraco\w*|\bcervicothoracic|\b(?:upper|mid|middle)[\s-]"
                       r"?back\b|\bt-?\s?spine\b|\bdorsal spine\b"),
    ("lumbar spine", r"\blumb\w*|\b(?:low|lower)[\s-]?back\b|(?<!upper )(?<!mid )(?<!mid-)"
                     r"(?<!middle )\bback\b|\bl-?\s?spine\b|\bsacroiliac\b|\bSI[\s-]joints?\b|"
                     r"\bL/S\b|\bsacr(?:um|al)\b|\bcoccyx\b|\bthoracolumbar\b"),
    ("shoulder", r"\bshoulders?\b|\brotator cuff\b|\bsubacromial\b|\bacromio\w*|"
                 r"\bglenohumeral\b"),
    ("elbow", r"\belbows?\b|\bepicondyl\w*|\bcubital\b|\bolecranon\b"),
    ("wrist", r"\bwrists?\b|\bcarpal\b|\bTFCC\b|\bquervain"),
    ("hand", r"\bhands?\b|\bfingers?\b|\bthumbs?\b|\bdigits?\b|\bpalm\b"),
    ("hip", r"\bhips?\b"),
    ("knee", r"\bknees?\b(?!\s+(?:scooter|walker))|\bmenisc\w*|\bpatell\w*|\bACL\b"),
    ("ankle", r"\bankles?\b|\bachilles\b"),
    ("foot", r"\bfoot\b|\bfeet\b|\btoes?\b|\bheels?\b|\bplantar\b"),
    ("head", r"\bhead\b|\bbrain\w*|\bskull\b|\bcranial\b"),
    ("upper extremity", r"\bupper\s+(?:extremit\w*|limbs?)|\b(?:fore)?arms?\b|\b[RLB]UE\b"),
    ("lower extremity", r"\blower\s+(?:extremit\w*|limbs?)|\blegs?\b|\bthighs?\b|\bcalf\b|"
                        r"\bcalves\b|\b[RLB]LE\b"),
)
# One pass over the heading: the group that matched names the region.
# Every region word starts a word: checking that once first makes the pass twice as fast.
_REGIONS = re.compile(r"(?=\b)(?:" + "|".join(f"(?P<r{n}>{pattern})" for n, (_, pattern)
                                              in enumerate(_REGION_PATTERNS)) + ")",
                      re.IGNORECASE)
_GROUP_REGION = {f"r{n}": name for n, (name, _) in enumerate(_REGION_PATTERNS)}
# Words one match reads as one region that name two.
_TWO_REGIONS = {"cervicothoracic": ("cervical spine", "thoracic spine"),
                "thoracolumbar": ("thoracic spine", "lumbar spine")}
_LEVEL_REGION = {"C": "cervical spine", "T": "thoracic spine", "L": "lumbar spine",
                 "S": "lumbar spine"}
_JOINTS = {"upper extremity": {"shoulder", "elbow", "wrist", "hand"},
           "lower extremity": {"hip", "knee", "ankle", "foot"}}
# "L" and "S" levels read as words in some headings: "S1" is a level, "L" alone is not.
_CAPITAL_LEVEL = re.compile(r"(?<![\w/])(" + _LEVEL + r")(?:\s?-\s?(" + _LEVEL + r"|\d))?\b")


def find_body_regions(heading: str) -> tuple[str, ...]:
    """The regions of the spec's vocabulary that the heading names, sorted."""
    found = {_GROUP_REGION[match.lastgroup or ""] for match in _REGIONS.finditer(heading)}
    for match in _CAPITAL_LEVEL.finditer(heading):
        for level in (match[1], match[2] or ""):
            if level[:1] in _LEVEL_REGION and level[1:].isdigit():
                found.add(_LEVEL_REGION[level[0]])
    lower = heading.lower()
    for word, regions in _TWO_REGIONS.items():
        if word in lower:
            found.update(regions)
    for limb, joints in _JOINTS.items():
        if limb in found and found & joints:
            found.discard(limb)
    return tuple(sorted(found))


_PAIRED = r"(?:upper|lower|shoulder|elbow|wrist|hand|hip|knee|ankle|feet|foot|leg|arm|side)"
_SIDES = re.compile(r"\b(left|right|bilat(?:eral(?:ly)?)?|b/l|[RLB](?=UE\b|LE\b)|"
                    r"both(?=\s+(?:\w+\s+)?" + _PAIRED + r"))|"
                    r"\b([RL]t?)\.?\s+(?=(?:shoulder|elbow|wrist|hand|hip|knee|ankle|foot)\b)",
                    re.IGNORECASE)
_SIDE_WORDS = {"left": "left", "l": "left", "lt": "left", "right": "right", "r": "right",
               "rt": "right"}


def find_laterality(heading: str) -> str | None:
    """``left``, ``right`` or ``bilateral`` when the heading names a side, else None."""
    sides = set()
    for match in _SIDES.finditer(heading):
        word = (match[1] or match[2]).lower()
        if word in ("bilat", "bilateral", "bilaterally", "both", "b/l", "b"):
            return "bilateral"
        sides.add(_SIDE_WORDS[word])
    if len(sides) == 2:
        return "bilateral"
    return sides.pop() if sides else None
