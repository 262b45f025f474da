"""One transport layer and one retry policy for email and social (digest/transport.py,
digest/attempts.py): the same table, the same ledger states, DIGEST_SEND_MAX_ATTEMPTS for both."""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.attempts import RetryPolicy
from digest.errors import AuthError, ProviderError
from digest.providers.http import SEND_RULES, HttpProvider
from digest.social import publish_due, queue_edition
from digest.social.platforms.base import Publisher
from digest.store.ledger import Ledger
from digest.transport import Rules, Transport
from tests.fakes.smtp import free_port
from tests.social.conftest import KEY, frozen_edition

REPO = Path(__file__).resolve().parents[2]
EMAIL_RULES = Rules()
SOCIAL_RULES = Publisher.rules


class _Answer(BaseHTTPRequestHandler):
    """Answers GET/POST /<status>[/<seconds to wait>] with that status and a JSON error."""

    def _serve(self) -> None:
        parts = self.path.strip("/").split("/")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if len(parts) > 1:
            time.sleep(float(parts[1]))
        body = b'{"message": "because"}'
        try:
            self.send_response(int(parts[0]))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Retry-After", "7")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = _serve  # noqa: N815 (http.server's names)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _response(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b'{"message": "because"}'
    response.headers["Retry-After"] = "7"
    return response


@settings(max_examples=300, deadline=None)
@given(
    status=st.integers(min_value=400, max_value=599),
    repeat=st.booleans(),
    rules=st.sampled_from([EMAIL_RULES, SOCIAL_RULES]),
)
def test_one_table_for_every_answer(status: int, repeat: bool, rules: Rules) -> None:
    error = Transport("svc", read_timeout=1.0, user_agent="t", rules=rules).status_error(
        _response(status), repeat
    )
    assert error.status_code == status and "because" in str(error) and "\n" not in str(error)
    assert not (error.retryable and error.outcome_unknown)
    if status in rules.auth:
        assert isinstance(error, AuthError) and not error.retryable and not error.outcome_unknown
        return
    assert not isinstance(error, AuthError)
    if repeat:
        assert not error.outcome_unknown  # a request safe to repeat is never left unknown
    if status in rules.unknown and not repeat:
        assert error.outcome_unknown
    elif status in rules.retry or status in rules.unknown:
        assert error.retryable and error.retry_after == 7.0
    else:
        assert not error.retryable and not error.outcome_unknown


def test_email_and_social_keep_their_documented_rules() -> None:
    assert {401, 403} == set(EMAIL_RULES.auth) and SOCIAL_RULES.auth == {401}  # X's 403: a duplicate
    assert 500 in EMAIL_RULES.retry and 500 not in EMAIL_RULES.unknown  # ESPs: 500 = not processed
    assert {500, 502, 503, 504} <= SOCIAL_RULES.unknown  # a post can be looked for afterwards


@pytest.mark.parametrize("rules", [EMAIL_RULES, SOCIAL_RULES])
def test_network_failures_by_one_rule(server: str, rules: Rules) -> None:
    t = Transport("svc", read_timeout=2.0, user_agent="t", rules=rules, timeout_key="DIGEST_X_TIMEOUT")
    with pytest.raises(ProviderError) as refused:
        t.request("POST", f"http://127.0.0.1:{free_port()}/", repeat=False)
    assert refused.value.retryable and not refused.value.outcome_unknown  # nothing left
    with pytest.raises(ProviderError) as late:
        t.request("POST", f"{server}/200/6", repeat=False)
    assert late.value.outcome_unknown and "DIGEST_X_TIMEOUT" in str(late.value)
    with pytest.raises(ProviderError) as late_get:
        t.request("GET", f"{server}/200/6", repeat=True)
    assert late_get.value.retryable and not late_get.value.outcome_unknown
    assert t.request("GET", f"{server}/204", repeat=True).status_code == 204
    t.close()


def test_providers_and_platforms_use_the_transport(make_settings) -> None:  # type: ignore[no-untyped-def]
    from digest.providers import make_provider

    provider = make_provider(make_settings(DIGEST_PROVIDER="postmark", DIGEST_POSTMARK_API_KEY="k"))
    assert isinstance(provider, HttpProvider) and isinstance(provider.transport, Transport)
    assert provider.transport.rules == SEND_RULES and 500 in SEND_RULES.unknown
    publisher = Publisher("http://127.0.0.1:9", 3.0)
    assert isinstance(publisher.transport, Transport) and publisher.transport.rules == SOCIAL_RULES
    assert publisher.http is publisher.transport.session
    provider.close()
    publisher.close()


def test_social_imports_nothing_from_deliver() -> None:
    for path in (REPO / "digest" / "social").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert not any(n == "digest.deliver" or n.startswith("digest.deliver.") for n in names), path


@settings(max_examples=300, deadline=None)
@given(
    attempts=st.integers(min_value=1, max_value=20),
    max_attempts=st.integers(min_value=1, max_value=20),
    retryable=st.booleans(),
    unknown=st.booleans(),
    hint=st.one_of(st.none(), st.floats(min_value=0, max_value=10_000)),
)
def test_one_retry_policy(attempts: int, max_attempts: int, retryable: bool, unknown: bool,
                          hint: float | None) -> None:
    policy = RetryPolicy(max_attempts=max_attempts, max_wait=300.0)
    exc = ProviderError("svc", "x", retryable=retryable, outcome_unknown=unknown, retry_after=hint)
    after = policy.after(exc, attempts, 1000.0)
    if unknown:
        assert after.status == "unknown" and after.retry_at is None
    elif retryable and attempts < max_attempts:
        assert after.status == "pending" and after.retry_at is not None
        wait = after.retry_at - 1000.0
        assert wait == pytest.approx(hint) if hint is not None else 0 < wait <= 300.0
    else:
        assert after.status == "failed" and after.retry_at is None


@pytest.fixture
def social(make_settings, make_engine, social_env):  # type: ignore[no-untyped-def]
    def make(**extra: str):  # type: ignore[no-untyped-def]
        settings = make_settings(**{**social_env, "DIGEST_SOCIAL_PLATFORMS": "mastodon",
                                    "DIGEST_SOCIAL_APPROVAL": "false", **extra})
        engine = make_engine(settings)
        frozen_edition(engine)
        queue_edition(settings, engine, KEY)
        return settings, engine

    return make


@pytest.mark.parametrize("max_attempts", [1, 2, 5])
def test_social_honours_send_max_attempts(social, fakes, max_attempts) -> None:  # type: ignore[no-untyped-def]
    """It once hard-coded 5 tries. A rate-limited post waits while tries are left, then fails."""
    settings, engine = social(DIGEST_SEND_MAX_ATTEMPTS=str(max_attempts))
    for attempt in range(1, max_attempts + 1):
        fakes["mastodon"].fail_next("statuses", 429, **{"Retry-After": "0"})
        report = publish_due(settings, engine)
        assert report.published == 0
        if attempt < max_attempts:
            assert report.waiting == 1 and report.failed == 0, attempt
        else:
            assert report.failed == 1 and report.waiting == 0, attempt
    assert Ledger(engine).counts(KEY).get("failed") == 1
    assert publish_due(settings, engine).published == 1  # the other post, no longer held up
