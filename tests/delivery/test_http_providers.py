"""Message providers over HTTP against local fakes that check every request against the documented API."""

from __future__ import annotations

import time

import pytest

from tests.delivery.conftest import add_subscribers
from tests.fakes import esp_mailgun, esp_postmark, esp_sendgrid
from tests.fakes.http_api import FakeApi, serve


def settings_for(name: str, base: str) -> dict[str, str]:
    if name == "sendgrid":
        return {"DIGEST_SENDGRID_API_KEY": esp_sendgrid.KEY, "DIGEST_SENDGRID_BASE_URL": base}
    if name == "mailgun":
        return {
            "DIGEST_MAILGUN_API_KEY": esp_mailgun.KEY,
            "DIGEST_MAILGUN_DOMAIN": esp_mailgun.DOMAIN,
            "DIGEST_MAILGUN_BASE_URL": base + "/v3",
        }
    return {"DIGEST_POSTMARK_API_KEY": esp_postmark.TOKEN, "DIGEST_POSTMARK_BASE_URL": base}


FAKES = {
    "sendgrid": esp_sendgrid.FakeSendGrid,
    "mailgun": esp_mailgun.FakeMailgun,
    "postmark": esp_postmark.FakePostmark,
}
SIZES = {"sendgrid": 1000, "mailgun": 1000, "postmark": 500}
PATHS = {"sendgrid": "/v3/mail/send", "mailgun": "/messages", "postmark": "/email/batch"}


def run(world, name: str, api: FakeApi, n: int, **extra: str):  # type: ignore[no-untyped-def]
    w = world(
        DIGEST_PROVIDER=name,
        DIGEST_UNSUBSCRIBE_URL="https://example.org/u?t={token}",
        **settings_for(name, api.base),
        **extra,
    )
    emails = add_subscribers(w.engine, n)
    return w, emails


@pytest.mark.parametrize("name", sorted(FAKES))
def test_every_subscriber_once_in_full_batches(world, name: str) -> None:  # type: ignore[no-untyped-def]
    with serve(FAKES[name]()) as api:
        w, emails = run(world, name, api, 2_345)
        report = w.send()
        again = w.send()
    assert api.violations == []
    assert report.status == "sent", report.message
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]
    assert api.calls == -(-2_345 // SIZES[name])  # type: ignore[attr-defined]
    assert "already sent" in again.message and api.calls == -(-2_345 // SIZES[name])  # type: ignore[attr-defined]
    ua = {r.header("User-Agent") for r in api.requests}
    assert ua == {f"digest/0.1.0-{name}"}


@pytest.mark.parametrize("name", sorted(FAKES))
def test_429_with_retry_after_and_408_are_retried(world, name: str) -> None:  # type: ignore[no-untyped-def]
    # A 5xx is no longer retried: it can come after the batch was accepted (issue 13; see
    # test_provider_faults.py). A 429 or 408 means the request was not acted on.
    fake = FAKES[name]()
    fake.fail(PATHS[name], status=429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    fake.fail(PATHS[name], status=408, body={"message": "request timeout"})
    with serve(fake) as api:
        w, emails = run(world, name, api, 1_200)
        started = time.monotonic()
        report = w.send()
        took = time.monotonic() - started
    assert api.violations == []
    assert report.status == "sent", report.message
    assert sorted(api.delivered) == emails  # type: ignore[attr-defined]
    assert took >= 1.0  # Retry-After honoured
    assert report.stats.retried == 2


@pytest.mark.parametrize("name", sorted(FAKES))
def test_timeout_after_sending_is_unknown_and_never_resent(world, name: str) -> None:  # type: ignore[no-untyped-def]
    fake = FAKES[name]()
    fake.fail(PATHS[name], delay=2.5)  # handled (delivered), answered too late
    with serve(fake) as api:
        w, emails = run(world, name, api, 600, DIGEST_HTTP_TIMEOUT="1")
        report = w.send()
        api.await_faults()  # the late batch was handled, whenever it reached the fake
        calls = api.calls  # type: ignore[attr-defined]
        rerun = w.send()
    assert report.status == "partial" and report.counts.get("unknown") == 1
    assert "unknown" in report.message
    assert api.calls == calls  # type: ignore[attr-defined]
    assert "nothing sent again" in rerun.message
    # Each subscriber got at most one copy: the late batch went out exactly once.
    assert len(api.delivered) == len(set(api.delivered)) == 600  # type: ignore[attr-defined]


def test_dropped_connection_after_the_request_is_unknown(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_sendgrid.FakeSendGrid()
    fake.fail("/v3/mail/send", drop="after")
    with serve(fake) as api:
        w, _ = run(world, "sendgrid", api, 10)
        report = w.send()
    assert report.counts == {"unknown": 1}
    assert "may have gone out" in w.rows()[0].last_error


def test_refused_connection_is_retried_then_failed(world) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.smtp import free_port

    w = world(
        DIGEST_PROVIDER="sendgrid",
        DIGEST_SENDGRID_API_KEY="k",
        DIGEST_SENDGRID_BASE_URL=f"http://127.0.0.1:{free_port()}",
        DIGEST_SEND_MAX_ATTEMPTS="2",
    )
    add_subscribers(w.engine, 3)
    report = w.send()
    assert report.counts == {"failed": 1}
    assert report.stats.retried == 1
    assert "cannot connect" in w.rows()[0].last_error


def test_postmark_checks_each_entry_of_the_batch(world) -> None:  # type: ignore[no-untyped-def]
    with serve(esp_postmark.FakePostmark(inactive=frozenset({"reader000003@example.net"}))) as api:
        w, emails = run(world, "postmark", api, 7)
        report = w.send()
    assert report.status == "sent"
    assert "reader000003@example.net: 406" in w.rows()[0].last_error
    assert len(api.delivered) == 6  # type: ignore[attr-defined]


def test_mailgun_rate_limit_date_in_the_body_is_honoured(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    fake = esp_mailgun.FakeMailgun()
    fake.fail(
        "/messages", status=429, body={"message": f"Domain is not allowed to send: try again after {when}"}
    )
    with serve(fake) as api:
        w, _ = run(world, "mailgun", api, 3)
        started = time.monotonic()
        report = w.send()
    assert report.status == "sent" and time.monotonic() - started >= 1.0
    assert api.violations == []


def test_wrong_key_is_an_auth_error_naming_the_setting(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_sendgrid.FakeSendGrid()
    fake.fail("/v3/mail/send", status=401, body={"errors": [{"message": "bad key"}]})
    with serve(fake) as api:
        w, _ = run(world, "sendgrid", api, 3)
        report = w.send()
    assert report.counts == {"failed": 1}
    assert "DIGEST_SENDGRID_API_KEY" in w.rows()[0].last_error


def _sent_bodies(name: str, api: FakeApi) -> list[tuple[str, str, dict[str, str]]]:
    """(html, text, headers) of each message as the provider would deliver it, variables filled."""
    from email.parser import BytesParser

    out = []
    for r in (r for r in api.requests if r.path.endswith(PATHS[name])):
        if name == "postmark":
            for m in r.json():
                headers = {h["Name"]: h["Value"] for h in m["Headers"]}
                out.append((m["HtmlBody"], m["TextBody"], headers))
        elif name == "sendgrid":
            body = r.json()
            html, text = body["content"][1]["value"], body["content"][0]["value"]
            for p in body["personalizations"]:
                fill = p["substitutions"]
                for var, value in fill.items():
                    html, text = html.replace(var, value), text.replace(var, value)
                out.append((html, text, {**body["headers"], **p["headers"]}))
                html, text = body["content"][1]["value"], body["content"][0]["value"]
        else:
            raw = b"Content-Type: " + r.header("Content-Type").encode() + b"\r\n\r\n" + r.body
            form = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True).decode()
                    for p in BytesParser().parsebytes(raw).get_payload()}
            variables = __import__("json").loads(form["recipient-variables"])
            headers = {k[2:]: v for k, v in form.items() if k.startswith("h:")}
            for values in variables.values():
                html, text = form["html"], form["text"]
                for var, value in values.items():
                    html = html.replace(f"%recipient.{var}%", value)
                    text = text.replace(f"%recipient.{var}%", value)
                out.append((html, text, headers))
    return out


@pytest.mark.parametrize("name", sorted(FAKES))
@pytest.mark.parametrize("public", ["https://news.example.org", ""])
def test_each_message_has_its_own_links_and_says_its_language(world, name: str, public: str) -> None:  # type: ignore[no-untyped-def]
    """'Manage preferences' is the recipient's own preferences page, never the unsubscribe link
    again (without a preferences page its line is left out); Content-Language names the language."""
    import re

    with serve(FAKES[name]()) as api:
        w, emails = run(world, name, api, 3, DIGEST_PUBLIC_URL=public, DIGEST_LANGUAGE="ko")
        assert w.send().status == "sent"
    sent = _sent_bodies(name, api)
    assert len(sent) == 3 and api.violations == []
    seen = set()
    for html, text, headers in sent:
        assert headers.get("Content-Language") == "ko"
        token = r"t[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])"
        manage = re.findall(r"https://news\.example\.org/preferences/" + token, text)
        unsub = re.findall(r"https://example\.org/u\?t=" + token, text)
        assert len(unsub) == 1 and "%%" not in text + html and "%recipient" not in text + html
        if public:
            assert len(manage) == 1 and manage[0] in html and manage[0] not in seen
            seen.add(manage[0])
        else:
            assert manage == [] and "수신 설정 변경" not in text + html  # "Manage preferences", left out
        assert not any(e.split("@")[0] in text for e in emails)  # no link names the recipient
