"""Protected terms are loaded once per run, yet the current file is checked before every dispatch.

Issue 10 asks for one load per run; issue 13 for the *current* terms before every
dispatch and publish. The run keeps the terms it read and reads the file again only
when its identity, modification time or size changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import ConfigError, ProtectedTermError
from digest.guard import stop_if_protected
from digest.protect import ProtectedTerms
from digest.terms_file import TermsFile
from tests.delivery.conftest import add_subscribers


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path the terms are read from (each is a full read and compile)."""
    seen: list[Path] = []
    real = ProtectedTerms.from_file.__func__  # type: ignore[attr-defined]

    def counting(cls: type[ProtectedTerms], path: Path | None) -> ProtectedTerms:
        if path is not None:
            seen.append(path)
        return real(cls, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(ProtectedTerms, "from_file", classmethod(counting))
    return seen


def test_one_read_for_a_whole_send_and_every_later_check(world, tmp_path: Path, reads: list[Path]) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "terms.txt"
    terms.write_text("Ri Song-hwa\n", encoding="utf-8")
    w = world(DIGEST_PROTECTED_TERMS_FILE=str(terms))
    add_subscribers(w.engine, 30)
    report = w.send()  # build, compose's blurb check, email and social checks, guard, dispatch
    assert report.status == "sent", report.message
    edition = w.ledger.editions(1)[0]
    for _ in range(50):  # as many dispatches as a long resumed send would make
        stop_if_protected(w.settings, w.ledger, edition)
    assert reads == [terms]


def test_an_edited_file_stops_the_next_dispatch(world, tmp_path: Path, reads: list[Path]) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "terms.txt"
    terms.write_text("Ri Song-hwa\n", encoding="utf-8")
    w = world(DIGEST_PROTECTED_TERMS_FILE=str(terms))
    add_subscribers(w.engine, 3)
    assert w.send().status == "sent"
    edition = w.ledger.editions(1)[0]
    assert "winter coat drive" in edition.html.lower()
    stop_if_protected(w.settings, w.ledger, edition)
    terms.write_text("Ri Song-hwa\nWinter coat drive\n", encoding="utf-8")
    with pytest.raises(ProtectedTermError):
        stop_if_protected(w.settings, w.ledger, edition)
    assert reads == [terms, terms]


def _write(path: Path, lines: list[str], tick: int) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Two saves within one clock tick of the file system can share a time; a human edit cannot.
    os.utime(path, ns=(tick * 1_000_000_000, tick * 1_000_000_000))


_TERM = st.text(alphabet=st.sampled_from("abcdefghij김철수 -"), min_size=2, max_size=12).filter(
    lambda t: t.strip() and not t.strip().startswith("#")
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=st.lists(st.lists(_TERM, max_size=4), min_size=1, max_size=6), repeats=st.integers(1, 4))
def test_the_terms_are_always_the_files_current_ones(
    tmp_path: Path, reads: list[Path], versions: list[list[str]], repeats: int
) -> None:
    path = tmp_path / "terms.txt"
    cache = TermsFile()
    reads.clear()
    for tick, lines in enumerate(versions, start=1):
        _write(path, lines, tick)
        for _ in range(repeats):
            assert cache.current(path).terms == [t.strip() for t in lines]
    assert len(reads) == len(versions)  # once per version, however often it was checked


def test_same_size_edit_and_replaced_file_are_both_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    cache = TermsFile()
    _write(path, ["Kim Ok"], 1)
    assert cache.current(path).terms == ["Kim Ok"]
    _write(path, ["Kim Ox"], 2)  # same size, new time
    assert cache.current(path).terms == ["Kim Ox"]
    other = tmp_path / "new.txt"
    _write(other, ["Pak Ox"], 2)  # same size and time: only the inode differs
    os.replace(other, path)
    assert cache.current(path).terms == ["Pak Ox"]


def test_no_file_means_no_terms_and_a_missing_one_names_the_key(tmp_path: Path) -> None:
    cache = TermsFile()
    assert cache.current(None).terms == []
    with pytest.raises(ConfigError) as missing:
        cache.current(tmp_path / "gone.txt")
    assert "DIGEST_PROTECTED_TERMS_FILE" in str(missing.value)
