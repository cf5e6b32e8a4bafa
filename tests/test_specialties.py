"""One name per reviewer specialty: what the canonical table maps, and the real letters."""

from __future__ import annotations

import pytest

from cases.parsing import parse_file
from cases.parsing.specialties import CANONICAL, canonical_specialties, canonical_specialty
from tests.conftest import REAL_TEXTS, SEEDS, need


@pytest.mark.parametrize(("written", "canonical"), [
    ("Physical Medicine & Rehabilitation", "Physical Medicine & Rehabilitation"),
    ("Physical Medicine and Rehabilitation", "Physical Medicine & Rehabilitation"),  # 2013
    ("PHYSICAL MEDICINE  AND REHABILITATION", "Physical Medicine & Rehabilitation"),
    ("Physical Medicine & Rehabilitaton", "Physical Medicine & Rehabilitation"),  # typo
    ("PM&R", "Physical Medicine & Rehabilitation"),
    ("Orthopaedic Surgery", "Orthopedic Surgery"),
    ("Orthopedic surgery", "Orthopedic Surgery"),
    ("Family Medicine", "Family Practice"),
    ("Pain Medicine", "Pain Management"),
    ("Hospice and Palliative Medicine", "Hospice & Palliative Medicine"),
    ("Public Health and General Preventive Medicine",
     "Public Health & General Preventive Medicine"),
    ("Preventative Medicine", "Preventive Medicine"),  # typo
    ("Occupational and Environmental Medicine", "Occupational Medicine"),
    ("Neurosurgery", "Neurological Surgery"),
    # Close names of different boards stay apart.
    ("Psychiatry", "Psychiatry"), ("Psychology", "Psychology"), ("Neurology", "Neurology"),
    ("Sports Medicine", "Sports Medicine"), ("Urology", "Urology"),
    # Unknown names keep their wording, "and" written "&", spaces made single.
    ("Colon and  Rectal Surgery", "Colon & Rectal Surgery"),
    ("Dentistry", "Dentistry"),
])
def test_the_table_maps_each_wording_to_one_name(written: str, canonical: str) -> None:
    assert canonical_specialty(written) == canonical


def test_canonical_names_map_to_themselves_and_list_once() -> None:
    for name in CANONICAL:
        assert canonical_specialty(name) == name
    assert canonical_specialties(["Physical Medicine and Rehabilitation", "Pain Management",
                                  "Physical Medicine & Rehabilitation"]) == (
        "Physical Medicine & Rehabilitation", "Pain Management")


def test_every_specialty_of_the_real_letters_is_in_the_table() -> None:
    """The real letters' specialties are all known names: none is left to the fallback,
    where a new wording would become a facet value of its own."""
    paths = sorted(need(REAL_TEXTS).glob("*.txt")) + sorted(need(SEEDS).iterdir())
    written = {name for path in paths for name in parse_file(path).specialties}
    assert len(written) >= 10
    assert {canonical_specialty(name) for name in written} <= set(CANONICAL), written


def test_a_link_with_another_wording_selects_the_one_name() -> None:
    from cases.forms import SearchForm

    form = SearchForm({"specialty": ["Physical Medicine and Rehabilitation", "Pain Medicine",
                                     "Physical Medicine & Rehabilitation"]})
    assert form.is_valid(), form.errors
    assert form.search_query().filters["specialty"] == ("Physical Medicine & Rehabilitation",
                                                        "Pain Management")
