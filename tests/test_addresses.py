"""The remembered addresses (``cases.addresses``) are reverse()'s, under any script prefix,
and the results rows' dates are Django's "M j, Y"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import dateformat

from cases.addresses import address, case_address
from cases.presentation.display import short_date

IDS = ["CM16-0247255", "cm13_9000005", "0", "00", "a0b0", "a b", "..", ".", "é-1",
       "100%", "a?b#c", "CM16-0247255.pdf"]


@pytest.fixture
def prefix() -> Iterator[str]:
    kept = get_script_prefix()
    yield kept
    set_script_prefix(kept)


@pytest.mark.parametrize("script_prefix", ["/", "/imr/", "/p0/"])
def test_case_addresses_are_reverses(prefix: str, script_prefix: str) -> None:
    set_script_prefix(script_prefix)
    for public_id in IDS:
        assert case_address(public_id) == reverse("cases:detail",
                                                  kwargs={"public_id": public_id}), public_id
    with pytest.raises(NoReverseMatch):  # as reverse() refuses it
        case_address("x/y")
    for name in ("specialty", "drug", "body_region"):
        assert address("cases:facet", name=name) == reverse("cases:facet",
                                                            kwargs={"name": name})


def test_short_dates_are_djangos() -> None:
    day = date(2013, 1, 1)
    while day < date(2015, 1, 1):
        assert short_date(day) == dateformat.format(day, "M j, Y")
        day += timedelta(days=1)
