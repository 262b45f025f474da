"""Approval by email (DIGEST_APPROVAL=email) through the scheduler's own looks with an injected
clock, the outbox provider (each approval request is a file) and the real Flask app: the
approvers get the draft a day ahead; opening a link changes nothing; an unapproved slot sends
nothing; an Approve pressed after the slot is sent by the next look; a Hold holds; a changed
edition voids the old links and asks again; DIGEST_APPROVAL_SILENCE=send sends unanswered."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from digest.deliver.approval import look
from digest.jobs.digest_job import check_digest
from digest.serve.app import create_app
from digest.status import collect
from digest.store import approvals, open_store
from digest.store.ledger import Ledger
from digest.store.users import entries
from tests.scheduler.conftest import add_subscribers, delivery_statuses, editions, write_feed

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)  # 09:00 in Berlin (CEST)
KEY = "weekly:2026-W23"
APPROVERS = "Min-ji Editor <editor@example.org>, director@example.org"


@pytest.fixture
def setup(tmp_path: Path, make_settings):  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=3))])

    def make(**extra: str):  # type: ignore[no-untyped-def]
        settings = make_settings(**{
            "DIGEST_SOURCES": str(feed), "DIGEST_SCHEDULE": "0 9 * * 1", "DIGEST_TIMEZONE": "Europe/Berlin",
            "DIGEST_APPROVAL": "email", "DIGEST_APPROVERS": APPROVERS, "DIGEST_PUBLIC_URL": "https://news.example.org",
            "DIGEST_LINK_CHECK": "false", **extra,
        })
        engine = open_store(settings.db_url)
        add_subscribers(engine, 3)
        return settings, engine, feed

    return make


def requests_in_outbox(settings) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each approver's approval requests in the outbox: the tokens of their Approve links."""
    found: dict[str, list[str]] = {}
    for path in sorted((settings.data_dir / "outbox").glob("approval-*/*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        found.setdefault(path.stem, []).extend(re.findall(r"/approval/([\w-]+)\?do=approve", text))
    return found


def subscribers_mailed(settings) -> int:  # type: ignore[no-untyped-def]
    return len([p for p in (settings.data_dir / "outbox").glob("*/*.eml") if p.stem.startswith("reader")])


def test_the_draft_a_day_ahead_nothing_at_an_unapproved_slot_and_an_approve_after_it(setup) -> None:  # type: ignore[no-untyped-def]
    settings, engine, _feed = setup()
    assert check_digest(settings, engine, MONDAY - timedelta(hours=25)).outcome == "idle"
    assert editions(engine) == {}  # more than DIGEST_APPROVAL_LEAD (24h) ahead: nothing yet
    check_digest(settings, engine, MONDAY - timedelta(hours=23, minutes=45))
    assert editions(engine) == {KEY: "ready"}  # frozen a day ahead
    asked = requests_in_outbox(settings)
    assert sorted(asked) == ["director@example.org", "editor@example.org"]
    assert all(len(tokens) == 1 for tokens in asked.values())
    mail = next((settings.data_dir / "outbox").glob("approval-*/editor@example.org.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    when = "2026-06-01 09:00 (Europe/Berlin)"
    assert message["Subject"].startswith(f"Please approve the digest that goes out {when}")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Winter coats" in text and "?do=hold" in text and "What the checks found" in text
    assert "If nobody approves it, it does not go out." in text
    for quarter in range(1, 4):  # the watchdog's later looks ask nobody twice
        check_digest(settings, engine, MONDAY - timedelta(hours=23) + timedelta(minutes=15 * quarter))
    assert requests_in_outbox(settings) == asked

    [shown] = [e for e in collect(settings, engine, MONDAY, 5)["editions"] if e["key"] == KEY]
    assert shown["approval"] == "waiting for approval (asked of director@example.org, editor@example.org)"
    result = check_digest(settings, engine, MONDAY + timedelta(seconds=1))
    assert (result.key, result.outcome) == (KEY, "held")
    assert "not approved" in result.message and "DIGEST_MAX_LATENESS" in result.message
    assert subscribers_mailed(settings) == 0 and delivery_statuses(engine) == []
    assert [a["kind"] for a in Ledger(engine).recent_events(10) if a["level"] == "error"] == ["unapproved"]

    client = create_app(settings, engine).test_client()
    token = asked["director@example.org"][0]
    for method in ("get", "head"):  # what a mail scanner does
        assert getattr(client, method)(f"/approval/{token}?do=approve").status_code == 200
    assert look(engine, token).situation == "open"
    assert check_digest(settings, engine, MONDAY + timedelta(minutes=15)).outcome == "held"
    page = client.get(f"/approval/{token}?do=approve").get_data(as_text=True)
    assert "waiting for approval" in page and "weekly:2026-W23" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post(f"/approval/{token}", data={"csrf_token": csrf, "action": "approve"})
    [shown] = [e for e in collect(settings, engine, MONDAY, 5)["editions"] if e["key"] == KEY]
    assert shown["approval"] == "approved by director@example.org"
    assert answer.status_code == 200 and "you approved this edition" in answer.get_data(as_text=True)
    again = client.post(f"/approval/{token}", data={"csrf_token": csrf, "action": "hold"})
    assert "This link was used already: it approved the edition" in again.get_data(as_text=True)
    made = [(e.actor, e.action, e.subject, e.detail) for e in entries(engine)]
    assert made == [("director@example.org", "edition approve", KEY, "from the approval email")]  # once

    sent = check_digest(settings, engine, MONDAY + timedelta(minutes=30))  # the next look
    assert (sent.key, sent.outcome) == (KEY, "sent")
    assert subscribers_mailed(settings) == 3
    events = [e["message"] for e in Ledger(engine).recent_events(20)]
    assert f"{KEY} approved by director@example.org" in events
    assert look(engine, token).situation == "finished"


def test_a_changed_edition_voids_the_links_and_asks_again(setup) -> None:  # type: ignore[no-untyped-def]
    settings, engine, feed = setup()
    check_digest(settings, engine, MONDAY - timedelta(hours=20))
    [old] = requests_in_outbox(settings)["editor@example.org"]
    old_sha = Ledger(engine).edition(KEY).content_sha256  # type: ignore[union-attr]
    assert look(engine, old).situation == "open"
    # An edit: a new article, and the edition is built again (the dashboard's Rebuild).
    write_feed(feed, [("Winter coats", MONDAY - timedelta(days=3)),
                      ("Scholarships", MONDAY - timedelta(hours=19))])
    assert approvals.reopen(engine, KEY)
    assert look(engine, old).situation == "changed"  # being built again: the old link no longer counts
    check_digest(settings, engine, MONDAY - timedelta(hours=18))
    new_sha = Ledger(engine).edition(KEY).content_sha256  # type: ignore[union-attr]
    assert new_sha and new_sha != old_sha
    tokens = requests_in_outbox(settings)
    assert [len(t) for t in tokens.values()] == [2, 2]  # everyone asked again
    assert look(engine, old).situation == "changed"
    client = create_app(settings, engine).test_client()
    page = client.get(f"/approval/{old}").get_data(as_text=True)
    assert "no longer counts" in page and 'name="action"' not in page
    # An approval of the old bytes counts for nothing at the slot.
    assert approvals.use(engine, approvals_hash(old), "approve", MONDAY - timedelta(hours=17)) is True
    assert check_digest(settings, engine, MONDAY + timedelta(minutes=1)).outcome == "held"
    new = tokens["editor@example.org"][1]
    assert look(engine, new).situation == "open"
    from digest.deliver.approval import decide

    assert decide(engine, new, "approve", MONDAY + timedelta(minutes=2)).situation == "used"
    assert check_digest(settings, engine, MONDAY + timedelta(minutes=15)).outcome == "sent"


def approvals_hash(token: str) -> str:
    from digest.deliver.approval import token_hash

    return token_hash(token)


def test_hold_holds_and_silence_send_sends_unanswered(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from digest.deliver.approval import decide

    settings, engine, _feed = setup()
    check_digest(settings, engine, MONDAY - timedelta(hours=2))
    token = requests_in_outbox(settings)["editor@example.org"][0]
    assert decide(engine, token, "hold", MONDAY - timedelta(hours=1)).situation == "used"
    held = check_digest(settings, engine, MONDAY + timedelta(minutes=1))
    assert held.outcome == "held" and "held by editor@example.org" in held.message
    assert subscribers_mailed(settings) == 0
    # Past DIGEST_MAX_LATENESS a held edition is missed, as any edition that did not go out.
    assert check_digest(settings, engine, MONDAY + timedelta(hours=49)).outcome == "missed"


def test_silence_send(setup) -> None:  # type: ignore[no-untyped-def]
    settings, engine, _feed = setup(DIGEST_APPROVAL_SILENCE="send")
    check_digest(settings, engine, MONDAY - timedelta(hours=2))
    assert len(requests_in_outbox(settings)) == 2
    assert check_digest(settings, engine, MONDAY + timedelta(minutes=1)).outcome == "sent"
    assert subscribers_mailed(settings) == 3


def test_unknown_and_forged_tokens_are_404(setup) -> None:  # type: ignore[no-untyped-def]
    settings, engine, _feed = setup()
    client = create_app(settings, engine).test_client()
    assert client.get("/approval/" + "A" * 43).status_code == 404
    assert client.get("/approval/" + "A" * 300).status_code == 404


def test_the_request_carries_the_pre_flight_and_reads_in_korean(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.web import Site, serve

    site = Site(pages={})  # every page answers 404
    with serve(site):
        content = tmp_path / "content"
        content.mkdir()
        (content / "coats.md").write_text(
            f"---\ntitle: 겨울 외투 나눔\nurl: {site.url('/news/coats')}\ndate: 2026-05-30\n---\n"
            "이번 주에 아이들 마흔 명에게 겨울 외투를 나눠 주었습니다. "
            "자원봉사자들이 이틀 저녁 동안 치수를 정리했습니다.\n",
            encoding="utf-8",
        )
        settings = make_settings(
            DIGEST_SOURCES=str(content), DIGEST_SCHEDULE="0 9 * * 1", DIGEST_TIMEZONE="Europe/Berlin",
            DIGEST_LANGUAGE="ko", DIGEST_APPROVAL="email", DIGEST_APPROVERS="editor@example.org",
            DIGEST_PUBLIC_URL="https://news.example.org", DIGEST_FETCH_ALLOW_PRIVATE="true",
            DIGEST_LINK_CHECK_TIMEOUT="2",
        )
        engine = open_store(settings.db_url)
        add_subscribers(engine, 1)
        check_digest(settings, engine, MONDAY - timedelta(hours=3))
    [mail] = (settings.data_dir / "outbox").glob("approval-*/editor@example.org.eml")
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("2026-06-01 09:00 (Europe/Berlin)에 나갈 소식지를 승인해 주세요")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "점검 결과" in text and "승인: https://news.example.org/approval/" in text
    assert f"dead link: {site.url('/news/coats')}" in text and "404 (not found)" in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "겨울 외투 나눔" in html and "dead link" in html
    token = re.search(r"/approval/([\w-]+)\?do=hold", text).group(1)  # type: ignore[union-attr]
    client = create_app(settings, engine).test_client()
    page = client.get(f"/approval/{token}?do=hold").get_data(as_text=True)  # DIGEST_LANGUAGE=ko
    assert '<html lang="ko">' in page and "<h1>소식지 승인</h1>" in page and "승인 대기 중" in page
    assert page.index(">보류</button>") < page.index(">승인</button>")  # the button the link asked for first
    assert 'href="?do=hold&amp;lang=en"' in page and "Approve" not in page
    english = client.get(f"/approval/{token}?do=hold&lang=en").get_data(as_text=True)
    assert "<h1>Approve the digest</h1>" in english and "waiting for approval" in english
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    done = client.post(f"/approval/{token}?do=hold", data={"csrf_token": csrf, "action": "hold"})
    assert "감사합니다. 이 호를 보류하셨습니다." in done.get_data(as_text=True)


def test_an_approver_asked_after_a_restart_gets_the_posts_too(setup) -> None:  # type: ignore[no-untyped-def]
    """The edition was frozen by an earlier run (a restart since, here: an approver added): the
    request is built from the frozen articles and blurbs, the posts the queue will hold, and
    says nothing of them being shown later."""
    social = {"DIGEST_SOCIAL_PLATFORMS": "mastodon", "DIGEST_MASTODON_BASE_URL": "https://social.example.org",
              "DIGEST_MASTODON_TOKEN": "token"}
    settings, engine, _feed = setup(**social)
    check_digest(settings, engine, MONDAY - timedelta(hours=20))
    later = dataclasses.replace(settings, approvers=[*settings.approvers, "newcomer@example.org"])
    check_digest(later, engine, MONDAY - timedelta(hours=19))  # a new process: nothing composed in memory

    def posts_of(address: str) -> str:
        [mail] = (settings.data_dir / "outbox").glob(f"approval-*/{address}.eml")
        message = message_from_bytes(mail.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        return text.split("Social posts:")[1].split("The email:")[0] if "Social posts:" in text else ""

    first, restarted = posts_of("editor@example.org"), posts_of("newcomer@example.org")
    assert "[mastodon]" in first and "Winter coats" in first
    assert restarted == first
