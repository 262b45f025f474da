"""The list's answer read with each claim (issue 24): the same answer as asking just before the call.

The ledger writer reads who may still be mailed, and their link ids, in the transaction that
claims the deliveries (``ClaimSpec.ask`` = ``SendReads.question``); a call built soon after takes
that answer and asks nothing itself. Each answer is taken once, and one older than ``fresh`` is
asked again, so someone who leaves between a claim and a late call is still not mailed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from digest.store import open_store
from digest.store.forgotten import forget
from digest.store.ledger import DeliveryRow, Ledger
from digest.store.link_refs import make_refs_for_the_list, refs_for
from digest.store.rows import ClaimSpec
from digest.store.sendpath import SendPath
from digest.store.sendreads import SendReads
from digest.store.subscribers import PAGE, not_to_mail, remove, unsubscribe
from tests.delivery.conftest import add_subscribers

KEY = b"k" * 32
# Every answer stays good for the test's whole length, however loaded the machine: the age limit
# itself is tested with answers too old from the start.
LONG = 3600.0
EDITION = "weekly:2026-W23"
CHANNEL = "email:smtp"


def a_list(engine: Engine) -> list[str]:
    """Ten readers (one unsubscribed, one removed, one forgotten), each with a delivery to make,
    and their link ids made, as a send's snapshot leaves them; plus a delivery to nobody on the list."""
    emails = add_subscribers(engine, 10)
    unsubscribe(engine, emails[1])
    remove(engine, emails[2])
    forget(engine, KEY, emails[3])
    make_refs_for_the_list(engine)
    ledger = Ledger(engine)
    ledger.ensure_edition(EDITION, datetime(2026, 6, 1, 7, tzinfo=UTC))
    people = [*emails, "Nobody@Example.net"]
    ledger.add_deliveries(EDITION, CHANNEL, [(f"to:{e}", [[e, "", ""]]) for e in people])
    return people


@pytest.fixture
def engine(tmp_path):  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    yield engine
    engine.dispose()


def claim(engine: Engine, reads: SendReads, n: int) -> list[DeliveryRow]:
    with SendPath(engine, durable_claims=False) as path:
        return path.settle([], ClaimSpec(EDITION, CHANNEL, "me", ask=reads.question), n)


def address(row: DeliveryRow) -> str:
    return str(row.data()[0][0])


def asked_nothing(reads: SendReads) -> bool:
    return getattr(reads._local, "raw", None) is None  # the thread never opened its connection


def takes_the_claims_answers(engine: Engine) -> None:
    people = a_list(engine)
    with SendReads(engine, KEY, fresh=LONG) as reads:
        rows = claim(engine, reads, len(people))
        assert sorted(address(r) for r in rows) == sorted(people)
        for row in rows:
            who = [address(row)]
            gone = reads.not_to_mail(who)
            assert gone == not_to_mail(engine, who, KEY)
            if not gone:  # the call's links, for whoever it still mails
                assert reads.refs(who) == refs_for(engine, who)
        assert reads.answered == len(people) and asked_nothing(reads)


def test_a_call_takes_the_answer_read_with_its_claim(either_engine: Engine) -> None:
    takes_the_claims_answers(either_engine)


def test_the_question_is_read_inside_the_claims_transaction(engine: Engine) -> None:
    a_list(engine)
    with SendReads(engine, KEY) as reads, SendPath(engine, durable_claims=False) as path:
        statements: list[str] = []
        path.raw.driver_connection.set_trace_callback(statements.append)
        path.settle([], ClaimSpec(EDITION, CHANNEL, "me", ask=reads.question), 3)
    begin = statements.index("BEGIN IMMEDIATE")
    claimed = next(n for n, s in enumerate(statements) if s.startswith("UPDATE deliveries"))
    asked = next(n for n, s in enumerate(statements) if "FROM link_refs" in s)
    assert begin < claimed < asked < statements.index("COMMIT")


def test_an_answer_is_taken_once(engine: Engine) -> None:
    a_list(engine)
    with SendReads(engine, KEY, fresh=LONG) as reads:
        who = [address(claim(engine, reads, 1)[0])]
        assert reads.not_to_mail(who) == {} and asked_nothing(reads)
        unsubscribe(engine, who[0])
        assert reads.not_to_mail(who) == {who[0]: "unsubscribed"}  # asked the list again
        assert reads.answered == 1 and not asked_nothing(reads)


def test_a_call_later_than_fresh_asks_again(engine: Engine) -> None:
    a_list(engine)
    with SendReads(engine, KEY, fresh=-1.0) as reads:  # every answer already too old
        who = [address(r) for r in claim(engine, reads, 5)]  # readers 0 to 4, 1-3 gone already
        unsubscribe(engine, who[0])
        remove(engine, who[4])
        assert reads.not_to_mail(who) == not_to_mail(engine, who, KEY)
        assert reads.not_to_mail(who)[who[0]] == "unsubscribed" and reads.answered == 0


def test_within_fresh_the_call_goes_by_its_claims_answer(engine: Engine) -> None:
    # The window this trades (docs/sending.md): who leaves between the claim and the call's
    # question, within FRESH of the claim, is mailed once more.
    a_list(engine)
    with SendReads(engine, KEY, fresh=LONG) as reads:
        who = [address(claim(engine, reads, 1)[0])]
        unsubscribe(engine, who[0])
        assert reads.not_to_mail(who) == {} and reads.answered == 1


def test_a_call_asking_about_others_than_its_claim_asks_the_list(engine: Engine) -> None:
    people = a_list(engine)
    with SendReads(engine, KEY) as reads:
        claimed = address(claim(engine, reads, 1)[0])
        others = [p for p in people[4:] if p != claimed][:2]
        assert reads.not_to_mail([claimed, *others]) == not_to_mail(engine, [claimed, *others], KEY)
        assert reads.answered == 0


def test_no_question_about_more_than_a_page_or_nobody(engine: Engine) -> None:
    def row(target: str, payload: str) -> DeliveryRow:
        return DeliveryRow(1, EDITION, CHANNEL, target, payload, "k", "sending", 1, "", "")

    many = [[f"r{i}@example.net", "", ""] for i in range(PAGE + 1)]
    with SendReads(engine, KEY) as reads:
        assert reads.question([row("batch:000001", json.dumps(many))]) is None  # asked call by call
        assert reads.question([row("campaign", "")]) is None  # the provider keeps the list
        assert reads.question([row("batch:000002", json.dumps(many[:3]))]) is not None
