"""Issue 11, "the first real edition must go out": outbox rehearsals, an empty list, where it went."""

from __future__ import annotations

import gc

import pytest

from digest.cli import main
from digest.deliver.firstrun import where_it_went
from digest.deliver.resolve import recipient_counts
from digest.errors import DigestError
from digest.providers import make_provider
from digest.store.ledger import Ledger
from tests.delivery.conftest import World, add_subscribers
from tests.fakes.smtp import smtp_server


def smtp(port: int) -> dict[str, str]:
    return {"DIGEST_PROVIDER": "smtp", "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port),
            "DIGEST_SMTP_SECURITY": "none"}


def articles_of(w: World, key: str) -> set[str]:
    from digest.store import schema

    table = schema.edition_articles
    with w.engine.connect() as conn:
        return {r.article_ident for r in conn.execute(table.select().where(table.c.edition_key == key))}


def test_outbox_rehearsal_does_not_use_up_the_period_or_its_articles(world) -> None:  # type: ignore[no-untyped-def]
    rehearsal = world()
    first = rehearsal.send()
    assert first.status == "sent"
    shown = articles_of(rehearsal, first.key)
    assert shown
    with smtp_server() as (box, port):
        real = world(**smtp(port))
        real.now = rehearsal.now  # the same week
        emails = add_subscribers(real.engine, 4)
        report = real.send()
        again = real.send()
    assert report.key == first.key and report.status == "sent", report.message
    assert sorted(box.rcpts) == emails, "every subscriber got this week's edition"
    assert articles_of(real, report.key) == shown, "articles shown only in the rehearsal are still new"
    assert "nothing sent again" in again.message and len(box.raw) == 4
    keys = [e.key for e in Ledger(real.engine).editions(5)]
    assert f"{first.key}~rehearsal-1" in keys
    outbox_again = World(rehearsal.settings)
    outbox_again.now = rehearsal.now
    assert "already sent" in outbox_again.send().message  # a real send is never repeated by the outbox
    outbox_again.engine.dispose()


def test_the_real_provider_sees_the_rehearsed_period_still_open(world) -> None:  # type: ignore[no-untyped-def]
    """`digest sources` and the preview name the edition `digest send` will send: after an outbox
    rehearsal, with a real provider, this period's; with the outbox still, the next one."""
    from digest.compose.period import coming_period
    from digest.providers.registry import rehearsal_channels

    rehearsal = world()
    first = rehearsal.send()
    ledger, now = Ledger(rehearsal.engine), rehearsal.now
    ahead = coming_period(rehearsal.settings, ledger, now, rehearsal_channels("outbox"))
    assert ahead.key != first.key and "already sent" in ahead.note
    coming = coming_period(rehearsal.settings, ledger, now, rehearsal_channels("smtp"))
    assert (coming.key, coming.note) == (first.key, "")


def test_message_provider_with_no_subscribers_refuses_and_freezes_nothing(world, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as (box, port):
        w = world(**smtp(port))
        with pytest.raises(DigestError, match="digest subscribers import"):
            w.send()
        for key, value in {**smtp(port), "DIGEST_DATA_DIR": str(w.settings.data_dir),
                           "DIGEST_SOURCES": w.settings.sources[0]}.items():
            monkeypatch.setenv(key, value)
        assert main(["send"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no subscribers" in err[0] and "digest subscribers import" in err[0]
    assert box.raw == []
    # Issue 19: refused before anything was frozen, so no edition is left behind (status showed a
    # stray "building" one, and the scheduler then took the fresh install for a missed edition).
    assert Ledger(w.engine).editions(5) == []
    assert main(["status"]) == 0 and "No editions yet" in capsys.readouterr().out
    from datetime import timedelta

    from digest.compose.build import current_period
    from digest.jobs.digest_job import check_digest

    _key, slot = current_period(w.settings, w.now)
    later = check_digest(w.settings, w.engine, slot + w.settings.max_lateness + timedelta(hours=1))
    assert later.outcome == "idle" and "no edition yet" in later.message, later.message


def test_outbox_keeps_its_one_copy_rehearsal_and_says_where(world, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("DIGEST_SOURCES", w.settings.sources[0])
    assert main(["send"]) == 0
    out = capsys.readouterr().out
    files = list((w.settings.data_dir / "outbox").rglob("*.eml"))
    assert len(files) == 1 and files[0].name.startswith("newsletter@example.org")
    line = next(x for x in out.splitlines() if x.startswith("outbox:"))
    assert "1 .eml file(s)" in line and str(files[0].parent) in line
    assert "recipients: 1 sent" in out


def test_send_freezes_its_start_up_and_leaves_the_collector_as_it_found_it(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`digest send` freezes what start-up made (no collection walks it again during the send),
    then unfreezes it and leaves the collector on or off as the caller had it (the tests run
    many commands in one process)."""
    import digest.deliver.send as send_module

    w = world()
    monkeypatch.setenv("DIGEST_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("DIGEST_SOURCES", w.settings.sources[0])
    during: list[tuple[bool, int]] = []
    real = send_module.send_current

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        during.append((gc.isenabled(), gc.get_freeze_count()))
        return real(*args, **kwargs)

    monkeypatch.setattr(send_module, "send_current", watched)
    assert gc.isenabled()
    assert main(["send"]) == 0
    assert during[0][0] and during[0][1] > 0  # collecting again, start-up frozen out of its way
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        assert main(["send"]) == 0  # already sent this period: nothing more
        assert not during[1][0] and not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_status_and_send_count_recipients_not_batches(world) -> None:  # type: ignore[no-untyped-def]
    w = world()
    add_subscribers(w.engine, 120)  # the outbox writes 50 per batch: 3 batches
    report = w.send()
    assert report.counts == {"sent": 3}
    assert recipient_counts(w.engine, report.key) == {"sent": 120}
    assert where_it_went(w.settings, w.engine, report.key)[0].startswith("outbox: 120 .eml file(s)")
    provider = make_provider(w.settings)
    assert provider.batch_size == 50


def test_late_first_scheduled_run_after_a_rehearsal_is_not_missed(world) -> None:  # type: ignore[no-untyped-def]
    """Only rehearsals so far: a first slot more than DIGEST_MAX_LATENESS ago is a fresh install,
    not a missed edition with an alert."""
    from datetime import timedelta

    from digest.jobs.digest_job import check_digest
    from digest.schedule import last_due_slot, parse_cadence

    rehearsal = world()
    slot = last_due_slot(parse_cadence("0 9 * * 1", "UTC"), rehearsal.now)
    assert slot is not None
    rehearsal.now = slot + timedelta(hours=1)
    assert rehearsal.send().status == "sent"
    with smtp_server() as (box, port):
        real = world(**smtp(port))
        add_subscribers(real.engine, 2)
        result = check_digest(real.settings, real.engine, slot + timedelta(hours=72))
    assert result.outcome == "idle", result.message
    assert box.raw == [] and not [e for e in Ledger(real.engine).editions(5) if e.status == "missed"]


def test_campaign_send_names_the_campaign_id(world) -> None:  # type: ignore[no-untyped-def]
    from tests.delivery.test_campaign_providers import FAKES, settings_for
    from tests.fakes.http_api import serve

    with serve(FAKES["buttondown"][0]()) as api:
        w = world(DIGEST_PROVIDER="buttondown", **settings_for("buttondown", api.base))
        report = w.send()
    assert report.status == "sent", report.message
    [row] = Ledger(w.engine).deliveries(report.key, "email:buttondown")
    assert row.provider_id
    lines = where_it_went(w.settings, w.engine, report.key)
    assert lines == [f"buttondown: campaign {row.provider_id} sent to the provider's list; "
                     "see it in buttondown's dashboard"]


@pytest.mark.parametrize(
    ("extra", "warned"),
    [
        ({}, True),  # no DIGEST_PUBLIC_URL: only the mailto link
        ({"DIGEST_PUBLIC_URL": "https://news.hope.test"}, False),
    ],
)
def test_a_real_send_with_only_a_mailto_unsubscribe_says_so(world, extra, warned) -> None:  # type: ignore[no-untyped-def]
    from digest.deliver.firstrun import sent_summary

    rehearsal = world(**extra)
    first = rehearsal.send()
    assert not any("mailto" in line for line in sent_summary(rehearsal.settings, rehearsal.engine, first.key))
    with smtp_server() as (_box, port):
        real = world(**smtp(port), **extra)
        real.now = rehearsal.now
        add_subscribers(real.engine, 2)
        report = real.send()
    assert report.status == "sent", report.message
    lines = sent_summary(real.settings, real.engine, report.key)
    said = [line for line in lines if "only a mailto: unsubscribe" in line]
    assert bool(said) == warned, lines
    if warned:
        assert "DIGEST_PUBLIC_URL" in said[0] and "digest doctor" in said[0]
