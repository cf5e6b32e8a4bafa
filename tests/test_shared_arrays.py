"""The arrays of an index state, kept in one file beside its segments and memory-mapped
read-only by every process that searches it (``whoosh_backend.shared``)."""

from __future__ import annotations

import mmap
import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest

from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend, opened, shared
from tests.backend_contract import DOCS

QUERIES = [SearchQuery(), SearchQuery(text="therapy"), SearchQuery(text="treatment:massage"),
           SearchQuery(filters={"decision": ["Overturned"]}),
           SearchQuery(text="pain", filters={"category": ["Pharmaceuticals"]})]


@pytest.fixture
def backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    backend.index.add_bulk(DOCS[:4])
    backend.index.add_bulk(DOCS[3:])  # two segments, the first with a deleted document
    return backend


def _answers(backend: WhooshBackend) -> list[tuple[object, ...]]:
    """Each query's total, facet counts, item split and hits."""
    found = []
    for query in QUERIES:
        results = backend.search(query)
        found.append((results.total, results.facets, results.items_upheld,
                      results.items_overturned, sorted(hit.id for hit in results.hits)))
    return found


def _state_files(backend: WhooshBackend) -> list[Path]:
    return sorted(backend.directory.current().resolve().glob(
        f"{shared.STATE_PREFIX}*{shared.STATE_SUFFIX}"))


def _mapped_paths() -> set[str]:
    """The files this process has memory-mapped."""
    with open("/proc/self/maps") as maps:
        return {line.split(maxsplit=5)[5].strip() for line in maps if len(line.split()) > 5}


def test_state_arrays_mapped_read_only_not_copied(backend: WhooshBackend) -> None:
    backend.search(SearchQuery(text="therapy"))
    (path,) = _state_files(backend)
    arrays = backend.directory.open().arrays
    assert arrays.state.mapped
    assert str(path) in _mapped_paths()
    held = [arrays.live, arrays.decided, arrays.items.doc, arrays.items.codes["treatment"],
            arrays.items.pair_item["drug"], arrays.items.starts, *arrays.lengths.values(),
            *arrays.postings["specialty"].values()]
    for array in (array for array in held if array.size):  # an empty one is not mapped
        assert not array.flags.writeable and not array.flags.owndata
        base = array
        while isinstance(base, np.ndarray):
            base = base.base
        assert isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap), type(base)
    assert {"content", "treatment"} <= set(arrays.lengths)


def test_state_file_cut_while_searching_is_derived_again(backend: WhooshBackend) -> None:
    before = _answers(backend)
    (path,) = _state_files(backend)
    whole = path.stat().st_size
    with path.open("r+b") as file:  # cut in place, under the mapping
        file.truncate(whole // 2)
    assert _answers(backend) == before  # the next read saw it cut and derived it again
    (again,) = _state_files(backend)
    assert again.stat().st_size == whole
    assert backend.directory.opened is not None
    assert backend.directory.opened.arrays_intact()


@pytest.mark.parametrize("damage", ["cut", "garbled header", "removed", "not ours"])
def test_damaged_state_file_found_by_another_process_is_derived_again(
        backend: WhooshBackend, tmp_path: Path, damage: str) -> None:
    before = _answers(backend)
    (path,) = _state_files(backend)
    whole = path.read_bytes()
    if damage == "cut":
        path.write_bytes(whole[: len(whole) - 100])
    elif damage == "garbled header":
        path.write_bytes(whole[:12] + b"\xff" * 40 + whole[52:])
    elif damage == "removed":
        path.unlink()
    else:
        path.write_bytes(b"PK\x03\x04" + bytes(1000))
    other = WhooshBackend({"path": str(tmp_path / "index")})
    assert _answers(other) == before
    assert path.read_bytes() == whole  # written again, whole
    assert other.directory.open().arrays.state.mapped


def test_commit_writes_the_new_state_and_removes_the_old(backend: WhooshBackend) -> None:
    before = backend.search(SearchQuery()).total
    (old,) = _state_files(backend)
    backend.index.delete([DOCS[0].id])
    (new,) = _state_files(backend)  # the writer kept the new state's file, before a search
    assert new != old and not old.exists()
    assert backend.search(SearchQuery()).total == before - 1
    assert str(new) in _mapped_paths()


def _answers_in_child(path: str, queue: multiprocessing.Queue) -> None:
    child = WhooshBackend({"path": path})
    found = _answers(child)
    state = child.directory.open().arrays.state
    queue.put((found, state.mapped, sorted(p for p in _mapped_paths()
                                           if Path(p).name.startswith(shared.STATE_PREFIX)
                                           and p.endswith(shared.STATE_SUFFIX))))


def test_two_processes_map_one_file_and_count_alike(backend: WhooshBackend,
                                                    tmp_path: Path) -> None:
    mine = _answers(backend)
    (path,) = _state_files(backend)
    inode = path.stat().st_ino
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_answers_in_child, args=(str(tmp_path / "index"), queue))
    child.start()
    theirs, mapped, paths = queue.get(timeout=120)
    child.join(60)
    assert child.exitcode == 0
    assert theirs == mine
    assert mapped and str(path) in paths
    assert path.stat().st_ino == inode  # read, not written again


def test_state_of_a_superseded_generation_is_not_kept(backend: WhooshBackend) -> None:
    """A process opening a state that a commit has already replaced derives its arrays for
    itself: a file kept for it would outlive its readers."""
    reader = backend.directory.open().searcher.reader()
    directory = backend.directory.current().resolve()
    backend.index.delete([DOCS[1].id])
    name = shared.state_name(reader)
    assert name is not None and not (directory / name).exists()
    state = shared.load_state(reader, directory, lambda: ({"a": np.arange(3)}, {}))
    assert not state.mapped and state.arrays["a"].tolist() == [0, 1, 2]
    assert not (directory / name).exists()


def test_partial_files_of_dead_writers_are_removed(backend: WhooshBackend) -> None:
    directory = backend.directory.current().resolve()
    dead = directory / f".{shared.STATE_PREFIX}1-ab.arrays.{2**22 + 12345}.tmp"
    living = directory / f".{shared.STATE_PREFIX}1-ab.arrays.{os.getpid()}.tmp"
    dead.write_bytes(b"x")
    living.write_bytes(b"x")
    backend.index.delete([DOCS[2].id])  # a commit: its writer keeps the new state
    assert not dead.exists() and living.exists()
    assert opened.file_sizes(directory).keys().isdisjoint(
        {p.name for p in _state_files(backend)})


def test_a_state_published_first_is_not_replaced(tmp_path: Path) -> None:
    """Two processes deriving one state at once: the second to finish maps the first's
    file, so that both share its pages; a damaged file is replaced."""
    path = tmp_path / "state-1-ab.arrays"
    shared.write_state(path, {"a": np.arange(5, dtype=np.int32)}, {"v": ["x"]})
    first = path.stat().st_ino
    shared.write_state(path, {"a": np.arange(5, dtype=np.int32)}, {"v": ["x"]})
    assert path.stat().st_ino == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no partial left
    with path.open("r+b") as file:
        file.truncate(70)
    shared.write_state(path, {"a": np.arange(5, dtype=np.int32)}, {"v": ["x"]})
    state = shared.map_state(path)
    assert state is not None and state.arrays["a"].tolist() == [0, 1, 2, 3, 4]
    assert state.values == {"v": ["x"]}


def test_a_file_of_another_layout_is_never_mapped(backend: WhooshBackend, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A release that derives other arrays (LAYOUT bumped) names its files apart: it derives
    its own beside the old release's file rather than mapping one it cannot read, and the
    next commit removes the older one."""
    before = _answers(backend)
    (old,) = _state_files(backend)
    monkeypatch.setattr(shared, "LAYOUT", shared.LAYOUT + 1)
    upgraded = WhooshBackend({"path": str(tmp_path / "index")})
    assert _answers(upgraded) == before
    files = _state_files(upgraded)
    assert len(files) == 2 and old in files  # side by side while both releases run
    assert old.read_bytes() != b"" and upgraded.directory.open().arrays.state.mapped
    upgraded.index.delete([DOCS[0].id])
    (new,) = _state_files(upgraded)
    assert not old.exists() and new not in files
