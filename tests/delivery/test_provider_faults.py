"""Provider faults (issue 13): nothing crashes the run, nothing is sent twice as "sent", nothing is lost.

- a 2xx whose body cannot be read: the provider acted, so the batch is ``unknown``;
- a 5xx after the provider accepted a batch: ``unknown`` (none of these providers
  takes an idempotency key), never resent as a duplicate;
- an exception inside a provider call: the run stops, and the delivery is
  ``pending`` if nothing was handed over, ``unknown`` if it may have been;
- outbox file names never collide (``a+b@`` and ``a_b@``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.deliver.dispatch import Policy, dispatch
from digest.providers.base import SendResult
from digest.providers.handover import handing_over
from digest.providers.outbox import file_stem
from digest.store import open_store
from digest.store.ledger import DeliveryRow, Ledger
from tests.delivery.test_http_providers import FAKES, PATHS, run
from tests.fakes import esp_postmark
from tests.fakes.http_api import serve


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"ErrorCode": 0}', b"[1, 2]", b""], ids=["broken", "object", "numbers", "empty"]
)
def test_postmark_200_with_an_unreadable_answer_is_unknown_not_a_crash(world, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    fake = esp_postmark.FakePostmark()
    fake.fail("/email/batch", raw=raw)  # the batch is handled, the answer is garbage
    with serve(fake) as api:
        w, emails = run(world, "postmark", api, 700)  # two batches: 500 + 200
        report = w.send()
        calls = api.calls  # type: ignore[attr-defined]
        again = w.send()
    assert report.counts == {"sent": 1, "unknown": 1}, report.message
    assert (
        "could not be read" in report.message or "not a list" in report.message or "unknown" in report.message
    )
    assert api.calls == calls  # type: ignore[attr-defined]  # never resent
    assert "nothing sent again" in again.message
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]  # each once


@pytest.mark.parametrize("name", sorted(FAKES))
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_after_the_batch_was_accepted_is_unknown_never_a_duplicate(world, name: str, status: int) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name]()
    fake.fail(PATHS[name], status=status, handled=True, body={"message": "upstream hiccup"})
    with serve(fake) as api:
        w, emails = run(world, name, api, 30)
        report = w.send()
        rerun = w.send()
    assert report.counts == {"unknown": 1}, report.message
    assert api.calls == 1  # type: ignore[attr-defined]
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]  # once, not twice
    assert "not resent" in w.rows()[0].last_error
    assert "nothing sent again" in rerun.message


# -- an exception inside the call ------------------------------------------------------
KEY, CHANNEL = "weekly:2026-W23", "email:smtp"


def ledger(tmp_path: Path) -> Ledger:
    book = Ledger(open_store(f"sqlite:///{tmp_path / 'digest.db'}"))
    book.ensure_edition(KEY, datetime(2026, 6, 1, 7, tzinfo=UTC))
    book.add_deliveries(KEY, CHANNEL, [(f"to:{n}", [[f"r{n}@example.net", "", ""]]) for n in range(3)])
    return book


def test_a_crash_before_the_handover_leaves_the_delivery_to_send_not_unknown(tmp_path: Path) -> None:
    book = ledger(tmp_path)

    def send(row: DeliveryRow) -> SendResult:
        raise KeyError("a bug while building the request")

    with pytest.raises(KeyError):
        dispatch(book, KEY, CHANNEL, send, policy=Policy(staged=True))
    rows = book.deliveries(KEY)
    assert [r.status for r in rows] == ["pending", "pending", "pending"]  # the run stopped at the first
    assert "not sent" in rows[0].last_error and "KeyError" in rows[0].last_error
    # the next run sends it (after the retry wait)
    sent: list[str] = []
    dispatch(
        book,
        KEY,
        CHANNEL,
        lambda r: sent.append(r.target) or SendResult(),
        policy=Policy(staged=True),
        wait=lambda s: None,
    )
    assert sorted(sent) == ["to:0", "to:1", "to:2"]


def test_a_crash_after_the_handover_is_unknown(tmp_path: Path) -> None:
    book = ledger(tmp_path)

    def send(row: DeliveryRow) -> SendResult:
        handing_over()()
        raise RuntimeError("the library choked on the answer")

    with pytest.raises(RuntimeError):
        dispatch(book, KEY, CHANNEL, send, policy=Policy(staged=True))
    first = book.deliveries(KEY)[0]
    assert first.status == "unknown" and "may have gone out" in first.last_error


# -- outbox file names -------------------------------------------------------------------
def test_outbox_files_of_look_alike_addresses_differ(world) -> None:  # type: ignore[no-untyped-def]
    from digest.store.subscribers import insert_new

    w = world(DIGEST_PROVIDER="outbox")
    addresses = ["a+b@example.org", "a_b@example.org", "a-b@example.org", "a=b@example.org"]
    insert_new(w.engine, [{"email": a, "name": "", "language": ""} for a in addresses])
    report = w.send()
    assert report.status == "sent", report.message
    files = list((w.settings.data_dir / "outbox").rglob("*.eml"))
    assert len(files) == 4
    found = {f.read_bytes().split(b"\r\nTo: ", 1)[1].split(b"\r\n", 1)[0].decode() for f in files}
    assert found == set(addresses)


@given(st.lists(st.text(min_size=1, max_size=300), min_size=2, max_size=6, unique=True))
def test_file_stems_never_collide_and_are_safe(addresses: list[str]) -> None:
    stems = [file_stem(a) for a in addresses]
    assert len({s.lower() for s in stems}) == len(addresses)  # also on a case-insensitive disk
    for stem in stems:
        assert stem and not stem.startswith(".") and "/" not in stem and "\\" not in stem and "\0" not in stem
        assert len(stem.encode()) <= 200


def test_plain_addresses_keep_their_names() -> None:
    assert file_stem("ann@example.org") == "ann@example.org"
    assert file_stem("a+b@example.org").startswith("a_b@example.org~")
