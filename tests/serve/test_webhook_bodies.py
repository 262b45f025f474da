"""Issue 20: webhook bodies as providers really send them, and as attackers might.

A SendGrid batch of thousands of events (megabytes) is accepted whole through a real `digest serve`;
a body over DIGEST_WEBHOOK_MAX_MB is refused (413) before it is all read, chunked or not; a body
nested deeper than the guard allows is a clean 400 at every webhook, with no traceback in the log.
The depth guard reads the raw bytes: checked against Python's parser on generated JSON."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.providers.webhook import MAX_DEPTH, nesting_depth
from digest.store.mail_events import counts
from digest.store.subscribers import insert_new
from tests.serve.helpers import app_client, sendgrid_headers, sendgrid_key_pair, sent_to

SG_KEY, SG_PUBLIC = sendgrid_key_pair()
SECRET = "webhook-secret-for-tests-0123456789abcdef"
MB = 1024 * 1024


def sendgrid_batch(addresses: list[str], message: str, start: int = 0) -> list[dict[str, Any]]:
    """Events shaped as SendGrid documents them (about 0.4 KB each), one per address."""
    return [
        {
            "email": who,
            "timestamp": int(time.time()),
            "event": "delivered",
            "smtp-id": f"<{message}.{n}@ismtpd0001p1lon1.sendgrid.net>",
            "sg_event_id": f"ZGVsaXZlcmVkLTAtMjQ2NzY5{start + n:08d}",
            "sg_message_id": f"{message}.filterdrecv-5bd9d6c9f-6jxqm-1-6745D1C4-21.{n}",
            "response": "250 2.0.0 OK  1732629956 d9443c01a7336-2129bb4e1b7si34623765ad.1 - gsmtp",
            "category": ["digest", "weekly"],
            "useragent": "",
            "ip": "149.72.154.232",
            "tls": 1,
        }
        for n, who in enumerate(addresses)
    ]


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


# Strings full of what could fool a byte scanner: quotes, backslashes, brackets, other scripts.
PIECES = [*'"\\[]{}ab 한\u2028', "\\u0022", '\\"', "\\\\"]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSONISH, st.lists(st.booleans(), max_size=2 * MAX_DEPTH), st.booleans())
def test_the_depth_guard_agrees_with_the_parser(value: Any, wraps: list[bool], ascii_only: bool) -> None:
    for as_list in wraps:  # nest it deeper, in lists and objects
        value = [value] if as_list else {'k"[': value}
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    found = nesting_depth(body)
    assert (found > MAX_DEPTH) == (depth(value) > MAX_DEPTH)
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH:  # below that it need not count
        assert found == depth(value)


def test_the_depth_guard_is_linear_on_hostile_shapes() -> None:
    for body in (b"[" * 5 * MB, b'"' + b'\\"' * (2 * MB), b'""' * (2 * MB) + b"[" * 40, b"[]" * (2 * MB)):
        start = time.process_time()  # CPU time: a loaded machine's waiting does not count
        nesting_depth(body)
        assert time.process_time() - start < 3.0  # each is well under a second; quadratic would be hours


@pytest.fixture
def hooks(tmp_path: Path):  # type: ignore[no-untyped-def]
    keys = {
        "DIGEST_SENDGRID_WEBHOOK_KEY": SG_PUBLIC,
        "DIGEST_MAILGUN_WEBHOOK_KEY": SECRET,
        "DIGEST_POSTMARK_WEBHOOK_KEY": SECRET,
        "DIGEST_BREVO_WEBHOOK_KEY": SECRET,
    }
    client, engine = app_client(tmp_path, ["a@example.org"], **keys)
    yield client, engine
    engine.dispose()


@pytest.mark.parametrize("shape", [b"[" * 100_000, b'{"a":' * 50_000, b'[{"x":' * 20_000 + b"1"])
def test_a_deeply_nested_body_is_a_clean_400_at_every_webhook(hooks, caplog, shape: bytes) -> None:  # type: ignore[no-untyped-def]
    client, engine = hooks
    caplog.set_level(logging.DEBUG)
    auth = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
    answers = {
        "mailgun": client.post("/webhooks/mailgun", data=shape, content_type="application/json"),
        "sendgrid": client.post("/webhooks/sendgrid", data=shape, headers=sendgrid_headers(SG_KEY, shape)),
        "postmark": client.post("/webhooks/postmark", data=shape, headers=auth),
        "brevo": client.post("/webhooks/brevo", data=shape, headers=auth),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 400)
    assert all(b"deeper than" in a.data for a in answers.values())
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    assert counts(engine) == {}


def test_a_body_that_is_not_utf8_is_refused(hooks) -> None:  # type: ignore[no-untyped-def]
    client, _ = hooks
    body = json.dumps({"event": "x"}).encode("utf-16")
    auth = {"Authorization": f"Bearer {SECRET}"}
    answer = client.post("/webhooks/brevo", data=body, headers=auth, content_type="application/json")
    assert answer.status_code == 400


def test_sendgrid_batches_of_megabytes_through_the_real_server(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_SENDGRID_WEBHOOK_KEY=SG_PUBLIC, DIGEST_WEBHOOK_MAX_MB="2")
    people = [f"reader{n:05d}@example.org" for n in range(4000)]
    engine = srv.engine()
    try:
        insert_new(engine, [{"email": who, "name": "", "language": ""} for who in people])
        sent_to(engine, people, "Z9x1qD7oTmWx8PlbqGM1eQ", provider="sendgrid")
        body = json.dumps(sendgrid_batch(people, "Z9x1qD7oTmWx8PlbqGM1eQ")).encode()
        assert 1 * MB < len(body) < 2 * MB  # the batch the issue lost was over 64 KB
        started = time.perf_counter()
        answer = srv.session.post(
            srv.url("/webhooks/sendgrid"), data=body, headers=sendgrid_headers(SG_KEY, body)
        )
        took = time.perf_counter() - started
        print(f"{len(body) / MB:.1f} MB, 4,000 events: {took:.2f} s")
        assert answer.status_code == 200, answer.text
        assert counts(engine) == {"delivered": 4000}
        assert took < 60  # measured: about 1 s for 4,000 events on the 2-core test machine

        # Over the cap: refused, whether the size is announced or the body comes in chunks.
        more = sendgrid_batch(people * 2, "Z9x1qD7oTmWx8PlbqGM1eQ", start=4000)
        big = json.dumps(more).encode()
        assert len(big) > 2 * MB
        headers = sendgrid_headers(SG_KEY, big)
        assert srv.session.post(srv.url("/webhooks/sendgrid"), data=big, headers=headers).status_code == 413
        pieces = (big[i : i + 65536] for i in range(0, len(big), 65536))
        chunked = srv.session.post(srv.url("/webhooks/sendgrid"), data=pieces, headers=headers)
        assert chunked.status_code == 413
        assert counts(engine) == {"delivered": 4000}
    finally:
        engine.dispose()


def test_a_deep_body_leaves_no_traceback_in_the_server_log(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_MAILGUN_WEBHOOK_KEY=SECRET)
    answer = requests.post(
        srv.url("/webhooks/mailgun"),
        data=b"[" * 500_000,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400
    assert srv.session.get(srv.url("/healthz"), timeout=10).text == "ok\n"
    srv.stop()
    log = "".join(p.read_text() for p in srv.root.glob("serve-*.log"))
    assert "Traceback" not in log and "RecursionError" not in log
