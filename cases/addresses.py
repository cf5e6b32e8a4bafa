"""The site's addresses, reversed once each rather than once per link.

``reverse()`` took 30-80 microseconds a call here, and a results page asked it for every
row's case link and every facet's "Show all" link: a millisecond or more of a page whose
search takes a few. The addresses depend only on the URLconf and the script prefix the
site is served under, so they are kept per prefix.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.urls import get_script_prefix, reverse


def address(viewname: str, **kwargs: str) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered (for a few names and values)."""
    return _reversed(get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=256)
def _reversed(prefix: str, viewname: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    return reverse(viewname, kwargs=dict(kwargs))


# Ids that reverse() puts in an address as they are (unreserved characters, no dots): the
# case numbers and digests the archive gives.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+\Z")
_MARKER = "0"


def case_address(public_id: str) -> str:
    """The permanent page of the letter ``public_id``, as ``reverse("cases:detail")`` gives
    it: a plain id put in place of a marker in the page's remembered address; any other id
    reversed."""
    if not _PLAIN_ID.match(public_id):
        return reverse("cases:detail", kwargs={"public_id": public_id})
    head, tail = address("cases:detail", public_id=_MARKER).rsplit(_MARKER, 1)
    return f"{head}{public_id}{tail}"
