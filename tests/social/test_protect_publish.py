"""A term added after a post was queued stops that post at publish time (issue 13)."""

from __future__ import annotations

from pathlib import Path

from digest.social import publish_due, queue_edition
from digest.social.queue import approve
from digest.store.ledger import Ledger
from digest.store.social import SocialStore
from tests.paths import SAMPLE
from tests.social.conftest import KEY, frozen_edition


def test_term_added_while_a_post_waits_for_approval_stops_it(  # type: ignore[no-untyped-def]
    make_settings, make_engine, social_env, fakes, tmp_path: Path
) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("# nobody yet\n", encoding="utf-8")
    settings = make_settings(
        **{**social_env, "DIGEST_SOCIAL_PLATFORMS": "mastodon", "DIGEST_PROTECTED_TERMS_FILE": str(terms)}
    )
    engine = make_engine(settings)
    frozen_edition(engine)
    assert queue_edition(settings, engine, KEY).queued == 2  # queued for review: nothing matched then
    terms.write_text("Winter Coats\n", encoding="utf-8")  # staff add a term (written in any case)
    assert approve(engine, None) == 2

    report = publish_due(settings, engine)

    assert report.published == 1  # the Korean post does not name it
    assert len(report.protected) == 1 and "'Winter Coats'" in report.protected[0]
    assert not report.ok
    statuses = [p.text if hasattr(p, "text") else p for p in fakes["mastodon"].statuses]
    assert not any("winter coats" in str(s).lower() for s in statuses)
    failed = SocialStore(engine).posts(["failed"])
    assert len(failed) == 1 and failed[0].last_error.startswith("stopped by a protected term")
    events = [e["message"] for e in Ledger(engine).recent_events() if e["kind"] == "protected"]
    assert events and "Winter Coats" in events[0]
    assert publish_due(settings, engine).published == 0  # and never later either


def test_cli_publish_exits_3_when_a_post_is_stopped(  # type: ignore[no-untyped-def]
    make_settings, make_engine, social_env, fakes, tmp_path: Path, monkeypatch
) -> None:
    from digest.cli import main

    terms = tmp_path / "terms.txt"
    terms.write_text("", encoding="utf-8")
    env = {**social_env, "DIGEST_SOCIAL_PLATFORMS": "mastodon", "DIGEST_PROTECTED_TERMS_FILE": str(terms),
           "DIGEST_SOCIAL_APPROVAL": "false", "DIGEST_DATA_DIR": str(tmp_path / "var"),
           "DIGEST_SOURCES": str(SAMPLE)}
    settings = make_settings(**env)
    engine = make_engine(settings)
    frozen_edition(engine)
    assert queue_edition(settings, engine, KEY).queued == 2
    terms.write_text("장학금\n", encoding="utf-8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert main(["social", "publish"]) == 3
    assert len(fakes["mastodon"].statuses) == 1
