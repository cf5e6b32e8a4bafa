"""The disputed items of a synthetic letter: which treatments are asked for, how each is
decided, and what is written about it.

``pick_items`` chooses up to a count of distinct treatments that fit the case's body region,
sometimes as a partial authorization, and decides each (Upheld or Overturned); every ``Item``
carries the two guideline lines (the Claims Administrator's and the reviewer's), the
rationale ending in the "(not) medically necessary" sentence, and the drugs, regions, side and
quantity its heading names, which the ground truth records.
"""

from __future__ import annotations

import random
from itertools import accumulate

from cases.parsing.taxonomy import Category
from cases.synthetic import prose as P
from cases.synthetic import vocab as V
from cases.synthetic.layout import Case, Item, mdy

__all__ = ["lower_first", "pick_items"]

_CATS = tuple(c for c, _ in V.CATEGORY_WEIGHTS)
_CAT_CUM = tuple(accumulate(w for _, w in V.CATEGORY_WEIGHTS))
_CANDIDATES = {
    (cat, i): tuple(t for t in V.TREATMENTS if t[1] is cat and t[4] in ("", r.kind, r.phrase))
    for cat in _CATS for i, r in enumerate(V.REGIONS)
}


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _number_word(n: int) -> str:
    """Spell small counts as words, larger ones as digits."""
    return V.NUMBER_WORDS[n] if n < len(V.NUMBER_WORDS) else str(n)


def _render(template: str, slots: dict[str, object], n: int) -> str:
    """Fill a treatment template, with ``n`` as its count."""
    word = _number_word(n)
    return template.format_map({**slots, "n": n, "nw": word, "Nw": word.capitalize()})


def pick_items(rng: random.Random, case: Case, count: int, runtogether: bool) -> list[Item]:
    """Choose up to ``count`` distinct disputed items and decide them."""
    items: list[Item] = []
    seen: set[str] = set()
    for _ in range(count * 6):
        if len(items) == count:
            break
        cands = _CANDIDATES[(rng.choices(_CATS, cum_weights=_CAT_CUM)[0], case.region_index)]
        if not cands:
            continue
        kind = rng.choice(cands)
        template, category, topic, counts = kind[:4]
        x, w = rng.choice((2, 3)), rng.choice((3, 4, 6))
        slots = {**case.slots, "x": x, "w": w, "xw": x * w, "ww": _number_word(w),
                 "xs": "twice" if x == 2 else "three times"}
        n = shown_n = rng.choice(counts) if counts else 0
        treatment = _render(template, slots, n)
        if case.late:
            treatment = lower_first(treatment)
        elif category is Category.PHARMACEUTICALS and rng.random() < 0.04:
            treatment += ", DOS: " + mdy(case.dates["dos"])
        if treatment in seen:
            continue
        seen.add(treatment)
        original = authorized = None
        heading = treatment
        partial = counts and n >= 6 and not case.late and "DOS:" not in treatment
        if partial and rng.random() < 0.11:
            y = rng.choice([k for k in (n // 2, n - n // 5, n // 3) if 0 < k < n] or [n - 1])
            original, authorized = treatment, _render(template, slots, y)
            if rng.random() < 0.6:
                shown_n = n - y
                treatment = _render(template, slots, shown_n)
                heading = (f"{original} was the original request. {authorized} was authorized "
                           "by the Claims Administrator. The remaining IMR eligible portion of "
                           f"the original request, {treatment} is")
            else:
                heading = (f"{original} was the original request. The Claims Administrator "
                           f"authorized {authorized}, leaving the original request IMR eligible. "
                           f"The original request, {original} is")
        upheld = rng.random() < 0.89
        ca = _citation(rng, P.TOPICS[topic], case, "ca")
        mx = _citation(rng, P.TOPICS[topic], case, "mx")
        rationale = _rationale(rng, P.TOPICS[topic], treatment, upheld, slots, case.late)
        shown = _run_together(rng, rationale) if runtogether and upheld else rationale
        items.append(Item(treatment, heading, original, authorized, category.value, upheld,
                           ca, mx, rationale, shown, _fields(kind, case, slots, shown_n)))
    return items


_LEVEL_SPINES = {"C": "cervical spine", "T": "thoracic spine", "L": "lumbar spine"}


def _fields(kind: V.Treatment, case: Case, slots: dict[str, object], n: int) -> dict[str, object]:
    """The drugs, body regions, side and quantity written into an item's heading."""
    template = kind.template
    regions, sides = set(kind.regions), {kind.side} - {""}
    if "{reg}" in template:
        regions.add(case.region.phrase.format(side="").strip())
        if case.region.kind == "limb":
            sides.add(str(slots["side"]))
    if "{Spine}" in template:
        regions.add(case.region.phrase)
    if "{lvl}" in template:
        regions.add(_LEVEL_SPINES[str(slots["lvl"])[0]])
    if "{ext" in template:
        regions.add(str(slots["ext1"]))
    if "{side}" in template or "{Side}" in template:
        sides.add(str(slots["side"]))
    if "{lr}" in template:
        sides.add(str(slots["lr"]))
    quantity = None
    if kind.quantity:
        source, unit = kind.quantity.split()
        x, w = int(str(slots["x"])), int(str(slots["w"]))
        quantity = {"value": {"n": n, "xw": x * w, "nw": n * w}[source], "unit": unit}
    return {"drugs": sorted(set(kind.drugs)), "body_regions": sorted(regions),
            "laterality": ("bilateral" if "bilateral" in sides or len(sides) > 1
                           else next(iter(sides), None)),
            "quantity": quantity}


def _citation(rng: random.Random, topic: P.Topic, case: Case, who: str) -> str:
    """Write the guideline line of the Claims Administrator ("ca") or the reviewer ("mx")."""
    party = "Claims Administrator" if who == "ca" else "Expert Reviewer"
    if rng.random() < (0.22 if who == "ca" else 0.04):
        return f"The {party} did not cite any medical evidence for its decision."
    by_region = not topic.book and bool(topic.section)
    book = case.region.mtus if by_region else topic.book
    odg = (f"Official Disability Guidelines (ODG), "
           f"{case.region.odg if by_region else 'Pain (Chronic)'}, {topic.odg}.")
    if case.late:
        if topic.book == P.CPMT and rng.random() < 0.6:
            return (f"MTUS Chronic Pain Medical Treatment Guidelines (2009), {topic.section}, "
                    f"page(s) {topic.pages}.")
        if by_region and rng.random() < 0.6:
            return (f"ACOEM Practice Guidelines, 2nd Edition (2004), {book[:-5]}, "
                    "part of the MTUS.")
        return odg
    if not book or rng.random() < 0.08:
        return (f"The {party} based their decision on recommendation(s) outside of the MTUS "
                f"Guidelines. Decision based on Non-MTUS Citation {odg}")
    r = rng.random()
    if topic.book == P.CPMT and r < 0.25:
        return (f"Decision based on MTUS Chronic Pain Treatment Guidelines {topic.section} "
                f"Page(s): {topic.pages}.")
    text = f"Decision based on MTUS {book}" + (f", Section(s): {topic.section}."
                                                if topic.section else ".")
    return text + f" Decision based on Non-MTUS Citation {odg}" if r > 0.8 else text


def _rationale(rng: random.Random, topic: P.Topic, treatment: str, upheld: bool,
               slots: dict[str, object], late: bool) -> str:
    """Write a decision rationale ending in the "(not) medically necessary" sentence."""
    parts = [rng.choice(P.OPENERS)] if rng.random() < 0.5 else []
    parts += rng.sample(topic.rules, rng.randint(1, min(2, len(topic.rules))))
    if rng.random() < 0.6:
        parts.append(rng.choice(P.FACTS))
    pool = topic.gaps if upheld else topic.met
    parts += rng.sample(pool, rng.randint(1, len(pool)))
    if rng.random() < 0.5:
        parts.append(rng.choice(P.EXTRA_UPHELD if upheld else P.EXTRA_OVERTURNED))
    if late:
        parts.append("The request for {t} is " + ("not " if upheld else "")
                     + "medically necessary and appropriate.")
    else:
        parts.append(rng.choice(P.CLOSERS[0 if upheld else 1]))
    return " ".join(parts).format_map({
        **slots, "t": treatment, "tl": lower_first(treatment), "pain": rng.randint(4, 9),
        "prior": rng.choice((6, 8, 12, 18, 24))})


def _run_together(rng: random.Random, rationale: str) -> str:
    """Drop the space of the last "is not medically" / "not medically necessary"."""
    old, new = (("is not medically", "isnot medically") if rng.random() < 0.5
                else ("not medically necessary", "notmedically necessary"))
    at = rationale.rfind(old)
    return rationale if at < 0 else rationale[:at] + new + rationale[at + len(old):]
