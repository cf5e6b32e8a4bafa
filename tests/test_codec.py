"""The codec with packed posting blocks reads every posting Whoosh 3's reads, both ways."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import fields, index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.qparser import QueryParser

from cases.search.whoosh_backend.arrays import term_postings
from cases.search.whoosh_backend.codec import ArrayCodec, DamagedBlockError, _packed_ints, _unpacked

WORDS = ["knee", "lumbar", "therapy", "massage", "tramadol", "acupuncture", "pillow"]


def _schema() -> fields.Schema:
    # Frequencies without positions (as the letters' text), positions (as the treatment),
    # a boosted field (weights that are not whole numbers) and a keyword facet.
    return fields.Schema(
        content=fields.TEXT(phrase=False), treatment=fields.TEXT(phrase=True),
        title=fields.TEXT(phrase=False, field_boost=1.5),
        facet=fields.KEYWORD(commas=True, scorable=True))


def _documents(count: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    documents = []
    for n in range(count):
        words = rng.choices(WORDS[:-1], k=rng.randint(1, 12))
        if n % 300 == 0:  # a rare word: deltas of hundreds, two bytes each
            words.append("pillow")
        if n % 997 == 0:  # a word said 300 times: a frequency past one byte
            words += ["repeated"] * 300
        documents.append({"content": " ".join(words),
                          "treatment": " ".join(rng.sample(WORDS, 3)),
                          "title": rng.choice(WORDS),
                          "facet": ",".join(rng.sample(["a", "b", "c"], rng.randint(1, 3)))})
    return documents


def _build(path: Path, codec: W3Codec, batches: list[list[dict[str, str]]]) -> index.Index:
    path.mkdir()
    ix = index.create_in(str(path), _schema())
    for batch in batches:
        writer = ix.writer(codec=codec)
        for document in batch:
            writer.add_document(**document)
        writer.commit(merge=False)
    return ix


def _every_posting(ix: index.Index) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    with ix.reader() as reader:
        return {(field, text): tuple(a.tolist() for a in term_postings(reader, field, text))
                for field in ("content", "treatment", "title", "facet")
                for text in reader.field_terms(field)}


def _whoosh_answers(ix: index.Index) -> list[list[tuple[int, float]]]:
    """Whoosh's own matching and scoring: a phrase (positions), AND, OR and a facet."""
    answers = []
    with ix.searcher() as searcher:
        for field, text in (("treatment", '"lumbar therapy"'), ("content", "knee AND pillow"),
                            ("content", "massage OR repeated"), ("facet", "b"),
                            ("title", "tramadol")):
            hits = searcher.search(QueryParser(field, ix.schema).parse(text), limit=None)
            answers.append([(hit.docnum, round(hit.score, 9)) for hit in hits])
    return answers


@pytest.fixture(scope="module")
def documents() -> list[dict[str, str]]:
    return _documents(6000)


def test_packed_blocks_hold_every_posting_whoosh_3_holds(tmp_path: Path,
                                                         documents: list[dict[str, str]]) -> None:
    ours = _build(tmp_path / "ours", ArrayCodec(), [documents])
    theirs = _build(tmp_path / "theirs", W3Codec(), [documents])
    postings = _every_posting(ours)
    assert postings == _every_posting(theirs)
    assert len(postings["content", "knee"][0]) > ArrayCodec()._blocklimit  # several blocks
    assert set(postings["content", "repeated"][1]) == {300.0}
    assert all(w % 1 for w in postings["title", "knee"][1])  # boosted: 1.5
    assert _whoosh_answers(ours) == _whoosh_answers(theirs)
    with ours.searcher() as searcher:  # frequencies as values, read back by Whoosh:
        matcher = searcher.postings("content", "repeated")  # kept as the weights
        assert matcher.value_as("frequency") == 300
        matcher = searcher.postings("title", "knee")  # kept apart: weights are boosted
        assert (matcher.weight(), matcher.value_as("frequency")) == (1.5, 1)
        # Positions: their lengths packed and the values joined, read back by Whoosh.
        matcher = searcher.postings("treatment", "lumbar")
        matcher._read_data()
        lengths, joined = matcher._data[2]
        assert isinstance(joined, bytes)
        assert len(joined) == int(_unpacked(lengths, matcher._blocklength).astype(int).sum())
        assert matcher.value_as("positions") in ([0], [1], [2])


def test_an_index_of_both_codecs_reads_alike_and_merges_into_packed_blocks(
        tmp_path: Path, documents: list[dict[str, str]]) -> None:
    """An index written before the codec keeps its segments; a merge rewrites them."""
    halves = [documents[:3000], documents[3000:]]
    mixed = _build(tmp_path / "mixed", W3Codec(), halves[:1])
    writer = mixed.writer(codec=ArrayCodec())
    for document in halves[1]:
        writer.add_document(**document)
    writer.commit(merge=False)
    reference = _build(tmp_path / "reference", W3Codec(), halves)
    assert [type(s.codec()) for s in mixed._segments()] == [W3Codec, ArrayCodec]
    assert _every_posting(mixed) == _every_posting(reference)
    assert _whoosh_answers(mixed) == _whoosh_answers(reference)
    mixed.writer(codec=ArrayCodec()).commit(optimize=True)
    reference.writer(codec=W3Codec()).commit(optimize=True)
    assert [type(s.codec()) for s in mixed._segments()] == [ArrayCodec]
    assert _every_posting(mixed) == _every_posting(reference)
    assert _whoosh_answers(mixed) == _whoosh_answers(reference)


@pytest.mark.parametrize("top", [0, 255, 256, 65535, 65536, 2**32 - 1])
def test_packed_ints_take_the_narrowest_width(top: int) -> None:
    values = np.array([0, top // 2, top], dtype=np.int64)
    packed = _packed_ints(values)
    assert len(packed) == 1 + 3 * (1 if top < 256 else 2 if top < 65536 else 4)
    assert _unpacked(packed, 3).tolist() == values.tolist()


@pytest.mark.parametrize("damaged", [b"", b"\x02\x01", b"\x09" + bytes(6), b"\x01" + bytes(4)])
def test_a_block_array_that_does_not_hold_its_postings_is_damage(damaged: bytes) -> None:
    with pytest.raises(DamagedBlockError) as caught:
        _unpacked(damaged, 3)
    assert isinstance(caught.value, EOFError)  # what the reading side counts as damage
