"""The send path's own reads (digest/store/sendreads.py) answer as the general ones do.

Before each call a send asks who may still be mailed and reads each recipient's link id on
its own raw connection; the answers must be those of not_to_mail and refs_for, whoever left
the list and however (unsubscribed, bounced, removed, forgotten), for one address or a batch.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from digest.store import open_store
from digest.store.forgotten import forget
from digest.store.link_refs import refs_for
from digest.store.sendreads import SendReads
from digest.store.subscribers import PAGE, not_to_mail, remove, unsubscribe
from tests.delivery.conftest import add_subscribers
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)

KEY = b"k" * 32


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    emails = add_subscribers(engine, 12)
    unsubscribe(engine, emails[1])
    remove(engine, emails[2])
    forget(engine, KEY, emails[3])
    refs_for(engine, emails[:6])  # some have ids already, the others get theirs when first read
    yield engine
    engine.dispose()


ASKED = [
    ["reader000000@example.net"],
    ["READER000001@example.net"],
    ["reader000002@example.net", "reader000003@example.net", "reader000004@example.net"],
    ["nobody@example.net", "reader000011@example.net"],
    [],
]


@pytest.mark.parametrize("addresses", ASKED)
def test_who_may_not_be_mailed_is_the_same_answer(engine: Engine, addresses: list[str]) -> None:
    with SendReads(engine, KEY) as reads:
        assert reads.not_to_mail(addresses) == not_to_mail(engine, addresses, KEY)


def test_the_answers_name_each_way_of_leaving(engine: Engine) -> None:
    asked = [f"reader{i:06d}@example.net" for i in range(5)] + ["nobody@example.net"]
    with SendReads(engine, KEY) as reads:
        found = reads.not_to_mail(asked)
    assert found == {
        "reader000001@example.net": "unsubscribed",
        "reader000002@example.net": "removed",
        "reader000003@example.net": "forgotten",
        "nobody@example.net": "removed",
    }


def test_link_ids_are_the_same_and_missing_ones_are_made_once(engine: Engine) -> None:
    asked = [f"reader{i:06d}@example.net" for i in (0, 4, 7, 9)] + ["Reader000010@Example.net"]
    with SendReads(engine, KEY) as reads:
        first = reads.refs(asked)
        assert reads.refs(asked) == first and reads.refs([]) == {}
    assert first == refs_for(engine, asked) and len(set(first.values())) == 5


def test_a_batch_larger_than_a_page_and_threads_at_once(engine: Engine) -> None:
    many = add_subscribers(engine, PAGE + 5, domain="example.com")
    unsubscribe(engine, many[-1])
    with SendReads(engine, KEY) as reads:
        assert reads.not_to_mail(many) == {many[-1]: "unsubscribed"}
        answers: list[dict[str, str]] = []
        threads = [
            threading.Thread(target=lambda n=n: answers.append(reads.not_to_mail(many[n : n + 50])))
            for n in range(0, 400, 50)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert answers == [{}] * 8


def test_the_question_before_a_call_reads_its_link_ids_too(engine: Engine) -> None:
    # One statement per call: the ids come with the answer, and the call's refs() asks nothing more.
    asked = [f"reader{i:06d}@example.net" for i in (0, 1, 4, 5)]
    with SendReads(engine, KEY) as reads:
        assert reads.not_to_mail(asked) == {"reader000001@example.net": "unsubscribed"}
        statements: list[str] = []
        reads._local.raw.driver_connection.set_trace_callback(statements.append)
        due = [a for a in asked if a != "reader000001@example.net"]
        assert reads.refs(due) == refs_for(engine, due)
        assert statements == []
        # Once used, or for an address the question did not read (no id yet), refs() reads again.
        later = ["reader000004@example.net", "reader000008@example.net"]
        assert reads.refs(later) == refs_for(engine, later)
        assert len(statements) == 1


def test_the_same_answers_on_postgresql(pg_url: str) -> None:  # noqa: F811
    engine = open_store(pg_url)
    emails = add_subscribers(engine, 6)
    unsubscribe(engine, emails[1])
    forget(engine, KEY, emails[2])
    refs_for(engine, emails[:4])
    with SendReads(engine, KEY) as reads:
        assert reads.not_to_mail(emails) == not_to_mail(engine, emails, KEY)
        assert reads.refs(emails) == refs_for(engine, emails)  # the question read some, the rest made
        assert reads.not_to_mail(emails[3:4]) == {}
        assert reads.refs(emails[3:4]) == refs_for(engine, emails[3:4])
    engine.dispose()
