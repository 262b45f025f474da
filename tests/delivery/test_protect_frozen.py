"""The current protected terms are checked before every dispatch against the frozen email (issue 13).

A run that ended on a 429 froze the edition; a term added before the next run must stop
the rest of the send (exit 3, reason on the edition), and removing it lets the send finish.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from digest.errors import ProtectedTermError
from tests.delivery.conftest import add_subscribers
from tests.fakes.esp_postmark import TOKEN, FakePostmark
from tests.fakes.http_api import Reply, Request, serve

RETRY_AFTER = 8  # seconds; the run waits none of it, however long a loaded machine takes to check


class SlowsDownAfterOneBatch(FakePostmark):
    """Accepts the first batch, then answers one 429 with a Retry-After longer than the run waits."""

    def handle(self, r: Request) -> Reply:
        reply = super().handle(r)
        if self.calls == 1:
            self.fail("/email/batch", status=429, headers={"Retry-After": str(RETRY_AFTER)},
                      body={"Message": "slow"})
        return reply


def test_term_added_after_a_429_stops_the_resumed_send(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "terms.txt"
    terms.write_text("# none yet\n", encoding="utf-8")
    with serve(SlowsDownAfterOneBatch()) as api:
        w = world(
            DIGEST_PROVIDER="postmark",
            DIGEST_POSTMARK_API_KEY=TOKEN,
            DIGEST_POSTMARK_BASE_URL=api.base,
            DIGEST_SEND_MAX_WAIT="0",
            DIGEST_PROTECTED_TERMS_FILE=str(terms),
        )
        add_subscribers(w.engine, 1_200)
        first = w.send()
        assert first.status == "sending", first.message
        before = len(api.delivered)
        assert 0 < before < 1_200
        edition = w.ledger.editions(1)[0]
        assert "winter coat drive" in edition.html.lower()
        # Staff add a term that is in the frozen email, typed with Cyrillic і and о and a zero-width space.
        terms.write_text("W\u0456nter c\u043e\u200bat drive\n", encoding="utf-8")
        due = w.ledger.next_retry_at(edition.key, "email:postmark")
        assert due is not None and due > time.time()
        time.sleep(due - time.time() + 0.1)  # the provider's wait is over: the rest is due
        with pytest.raises(ProtectedTermError) as stopped:
            w.send()
        assert stopped.value.exit_code == 3
        assert len(api.delivered) == before  # nothing further went out
        edition = w.ledger.edition(edition.key)
        assert edition is not None
        assert edition.status == "sending" and edition.reason.startswith("stopped by a protected term")
        assert "the frozen" in edition.reason
        events = [e for e in w.ledger.recent_events() if e["kind"] == "protected"]
        assert events and events[0]["level"] == "error"

        terms.write_text("Somebody Else\n", encoding="utf-8")  # it was a mistake: removed again
        last = w.send()
    assert last.status == "sent", last.message
    assert len(api.delivered) == 1_200 and len(set(api.delivered)) == 1_200
    assert api.violations == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DIGEST_FROM", "Ri Song-hwa <news@example.org>"),
        ("DIGEST_REPLY_TO", "\"RI, Song-hwa\" <reply@example.org>"),
        ("DIGEST_UNSUBSCRIBE_URL", "https://example.org/ri-song-hwa/u?t={token}"),
    ],
)
def test_a_name_in_a_header_setting_stops_the_send(world, tmp_path: Path, key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "terms.txt"
    terms.write_text("Ri Song-hwa\n", encoding="utf-8")
    w = world(DIGEST_PROTECTED_TERMS_FILE=str(terms), **{key: value})
    add_subscribers(w.engine, 3)
    with pytest.raises(ProtectedTermError) as stopped:
        w.send()
    assert f"setting {key}" in str(stopped.value)
    assert list((w.settings.data_dir / "outbox").rglob("*.eml")) == []


def test_a_name_only_in_a_social_template_stops_the_email(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    terms = tmp_path / "terms.txt"
    terms.write_text("김철수\n", encoding="utf-8")
    social = tmp_path / "tpl" / "social"
    social.mkdir(parents=True)
    (social / "mastodon.txt.j2").write_text("{{ text }} — 김 철수 {{ link }}\n", encoding="utf-8")
    w = world(
        DIGEST_PROTECTED_TERMS_FILE=str(terms),
        DIGEST_TEMPLATES_DIR=str(tmp_path / "tpl"),
        DIGEST_SOCIAL_PLATFORMS="mastodon",
        DIGEST_MASTODON_BASE_URL="http://127.0.0.1:9",
        DIGEST_MASTODON_TOKEN="t",
    )
    add_subscribers(w.engine, 3)
    with pytest.raises(ProtectedTermError) as stopped:
        w.send()
    assert "'김철수' in the mastodon post" in str(stopped.value)
    assert list((w.settings.data_dir / "outbox").rglob("*.eml")) == []
    assert w.ledger.editions(1) == []  # nothing frozen, nothing decided: no edition left (issue 19)


def test_a_test_copy_of_the_frozen_edition_is_checked_against_the_current_terms(  # type: ignore[no-untyped-def]
    world, tmp_path: Path
) -> None:
    from digest.deliver.testcopy import send_test
    from digest.providers import make_provider

    terms = tmp_path / "terms.txt"
    terms.write_text("# none yet\n", encoding="utf-8")
    w = world(DIGEST_PROTECTED_TERMS_FILE=str(terms))
    add_subscribers(w.engine, 2)
    assert w.send().status == "sent"
    terms.write_text("winter coat drive\n", encoding="utf-8")
    with pytest.raises(ProtectedTermError):
        send_test(w.settings, w.engine, make_provider(w.settings), "staff@example.org", now=w.now)
    assert not list((w.settings.data_dir / "outbox").rglob("tests/*.eml"))
