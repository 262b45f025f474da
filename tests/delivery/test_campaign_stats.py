"""`digest status` reads each campaign's sent and bounce counts from its provider after the send.

The fakes serve each provider's documented statistics endpoint (checking method, path and
auth like the send endpoints); a failed read is one warning line, never a failed command.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.providers import make_provider
from digest.status import collect
from tests.delivery.test_campaign_providers import FAKES, settings_for
from tests.fakes import esp_listmonk
from tests.fakes.http_api import Counts, serve
from tests.paths import SAMPLE

REPO = Path(__file__).resolve().parents[2]

# The statistics call(s) each provider makes, as "METHOD /path" (query included).
STATS_CALLS = {
    "buttondown": ["GET /v1/emails/{id}/analytics"],
    "mailchimp": ["GET /3.0/reports/{id}"],
    "listmonk": ["GET /api/campaigns/{id}", "GET /api/bounces?campaign_id={id}&per_page=1"],
    "brevo": ["GET /v3/emailCampaigns/{id}?statistics=globalStats"],
    "sendgrid-campaign": ["GET /v3/marketing/stats/singlesends/{id}"],
}


def expected(name: str, c: Counts) -> tuple[int, int, int | None]:
    """(sent, bounced, delivered) as each provider's documented fields add up."""
    if name == "buttondown":
        return c.sent, c.hard, c.delivered  # temporary failures are retried by Buttondown, not bounces
    delivered = None if name in ("mailchimp", "listmonk") else c.delivered
    return c.sent, c.hard + c.soft, delivered


@pytest.mark.parametrize("counts", [Counts(120, 114, 4, 2), Counts(7, 3, 0, 4)], ids=["big", "small"])
@pytest.mark.parametrize("name", sorted(FAKES))
def test_status_reads_each_providers_campaign_counts(world, name: str, counts: Counts) -> None:  # type: ignore[no-untyped-def]
    with serve(FAKES[name][0]()) as api:
        api.counts = counts
        w = world(DIGEST_PROVIDER=name, **settings_for(name, api.base))
        assert w.send().status == "sent"
        campaign_id = w.rows()[0].provider_id
        before = len(api.requests)
        provider = make_provider(w.settings)
        try:
            data = collect(w.settings, w.engine, w.now, 10, provider)
        finally:
            provider.close()
    assert api.violations == []
    calls = [f"{r.method} {r.path}" for r in api.requests[before:]]
    assert calls == [c.format(id=campaign_id) for c in STATS_CALLS[name]]
    sent, bounced, delivered = expected(name, counts)
    assert data["editions"][0]["campaigns"] == [
        {
            "provider": name,
            "campaign_id": campaign_id,
            "sent": sent,
            "bounced": bounced,
            "delivered": delivered,
        }
    ]
    assert data["ok"] is True


def test_a_campaign_not_known_to_be_sent_is_not_asked_for_counts(world) -> None:  # type: ignore[no-untyped-def]
    fake = esp_listmonk.FakeListmonk()
    fake.fail("/status", drop="before")  # the start never reached listmonk: the row stays unknown
    with serve(fake) as api:
        w = world(DIGEST_PROVIDER="listmonk", **settings_for("listmonk", api.base))
        assert w.send().counts == {"unknown": 1}
        before = len(api.requests)
        data = collect(w.settings, w.engine, w.now, 10, make_provider(w.settings))
    assert data["editions"][0]["campaigns"] == []
    assert api.requests[before:] == []


def test_without_a_provider_no_counts_are_read(world) -> None:  # type: ignore[no-untyped-def]
    # The dashboard's collect (no provider): no network, an empty list.
    with serve(FAKES["mailchimp"][0]()) as api:
        w = world(DIGEST_PROVIDER="mailchimp", **settings_for("mailchimp", api.base))
        w.send()
        before = len(api.requests)
        data = collect(w.settings, w.engine, w.now, 10)
    assert data["editions"][0]["campaigns"] == [] and api.requests[before:] == []


def _env(tmp_path: Path, name: str, base: str, timeout: str = "2") -> Path:
    env = tmp_path / ".env"
    values = {
        "DIGEST_DATA_DIR": str(tmp_path / "var"),
        "DIGEST_SOURCES": str(SAMPLE),
        "DIGEST_PROVIDER": name,
        "DIGEST_HTTP_TIMEOUT": timeout,
        **settings_for(name, base),
    }
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return env


def test_status_prints_one_line_per_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(FAKES["brevo"][0]()) as api:
        env = _env(tmp_path, "brevo", api.base, timeout="15")  # the read must work, on a loaded machine too
        assert main(["--env-file", str(env), "send"]) == 0
        capsys.readouterr()
        assert main(["--env-file", str(env), "status"]) == 0
        out = capsys.readouterr().out
        assert main(["--env-file", str(env), "status", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
    assert api.violations == []
    assert "    campaign 1 at brevo: 120 sent, 6 bounced, 114 delivered\n" in out
    assert data["editions"][0]["campaigns"][0]["bounced"] == 6


# A failed statistics read, each way it can fail: a status, an unreadable body, a slow answer.
FAILURES = {
    "server error": ({"status": 500, "body": {"message": "boom"}}, "HTTP 500"),
    "refused key": ({"status": 401, "body": {"message": "Key not found"}}, "HTTP 401"),
    "not json": ({"raw": b"<html>maintenance</html>"}, "could not be read"),
    "no count": ({"raw": b'{"recipients": "many"}'}, "no count at recipients"),
    "slow": ({"delay": 3.0}, "no answer within 2 s"),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_read_is_one_warning_line_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], failure: str
) -> None:
    fault, reason = FAILURES[failure]
    with serve(FAKES["buttondown"][0]()) as api:
        env = _env(tmp_path, "buttondown", api.base)
        assert main(["--env-file", str(env), "send"]) == 0
        capsys.readouterr()
        api.fail("/analytics", **fault)
        api.fail("/analytics", **fault)
        assert main(["--env-file", str(env), "status"]) == 0
        out = capsys.readouterr().out
        assert main(["--env-file", str(env), "status", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
    lines = [line for line in out.splitlines() if line.startswith("    campaign em_1 at buttondown")]
    assert len(lines) == 1 and ": warning: cannot read its statistics: " in lines[0], out
    assert reason in lines[0]
    assert esp_key_absent(out)
    (campaign,) = data["editions"][0]["campaigns"]
    assert reason in campaign["warning"] and "sent" not in campaign
    assert data["ok"] is True


def esp_key_absent(text: str) -> bool:
    from tests.fakes import esp_buttondown

    return esp_buttondown.KEY not in text


def _two_sent_editions(world, tmp_path: Path, name: str, base: str):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    sources = tmp_path / "sources"
    sources.mkdir()
    article = (SAMPLE / "2026-winter-coats.md").read_text(encoding="utf-8")
    (sources / "coats.md").write_text(article, encoding="utf-8")
    settings = {"DIGEST_SOURCES": str(sources), "DIGEST_HTTP_TIMEOUT": "1", **settings_for(name, base)}
    w = world(DIGEST_PROVIDER=name, **settings)
    assert w.send().status == "sent"
    # Something new for the next week's edition.
    (sources / "classes.md").write_text(
        (SAMPLE / "2026-english-classes.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    w.now += timedelta(days=7)
    assert w.send().status == "sent"
    assert len(w.ledger.editions(10)) == 2
    return w


@pytest.mark.parametrize(
    "fault, asked",
    [({"delay": 2.0}, 1), ({"status": 401}, 1), ({"status": 503}, 1), ({"status": 404}, 2)],
    ids=["slow", "refused key", "server error", "gone campaign"],
)
def test_after_a_failure_that_would_repeat_the_rest_are_not_asked(world, tmp_path, fault, asked: int) -> None:  # type: ignore[no-untyped-def]
    with serve(FAKES["mailchimp"][0]()) as api:
        w = _two_sent_editions(world, tmp_path, "mailchimp", api.base)
        api.fail("/reports/", **fault)
        api.fail("/reports/", **fault)
        before = len(api.requests)
        data = collect(w.settings, w.engine, w.now, 10, make_provider(w.settings))
    reports = [r for r in api.requests[before:] if "/reports/" in r.path]
    assert len(reports) == asked
    newest, older = (e["campaigns"][0] for e in data["editions"])
    assert newest["warning"].startswith("cannot read its statistics: mailchimp")
    if asked == 1:
        assert older["warning"].startswith("not asked after an earlier failure: mailchimp")
    else:
        assert older["warning"].startswith("cannot read its statistics: mailchimp (HTTP 404)")
