"""Side emails (issue 18): the sign-up confirmation and alerts are rendered from templates under
templates/email/ in both languages and go out through one path that records them in the ledger;
the confirmation sequence is one, shared by the sign-up form and `subscribers import
--resubscribe`, and neither mails an address that was forgotten."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from digest import subscribers
from digest.deliver.confirm import SignUp, ask_again, ask_to_confirm
from digest.deliver.side_email import SideEmail, send_side_email, single_sender
from digest.deliver.side_queue import drain
from digest.errors import DigestError
from digest.plugins import load_settings
from digest.render.side_email import Letterhead, render_side_email
from digest.serve import create_app
from digest.store import open_store, schema_web
from digest.store.forgotten import forget
from digest.store.signups import lookup, pending_count
from digest.types import Recipient
from digest.unsubscribe import secret_key
from tests.paths import SAMPLE
from tests.serve.helpers import hidden_fields

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
HEAD = Letterhead("Hope Bridge", "1 Main St, Seoul")


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(**env: str):  # type: ignore[no-untyped-def]
        values = {
            "DIGEST_DATA_DIR": str(tmp_path / "var"),
            "DIGEST_SOURCES": str(SAMPLE),
            "DIGEST_SECRET_KEY": "side-emails-test-key-0123456789abcdef",
            "DIGEST_PUBLIC_URL": "https://news.example.org",
            **env,
        }
        settings = load_settings(environ=values, read_dotenv=False)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engines.append(open_store(settings.db_url))
        return settings, engines[-1]

    engines: list = []  # type: ignore[type-arg]
    yield make
    for engine in engines:
        engine.dispose()


def outbox(settings, address: str) -> list[email.message.EmailMessage]:  # type: ignore[no-untyped-def]
    found = sorted((settings.data_dir / "outbox").rglob(f"{address}.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in found]  # type: ignore[misc]


def side_mails(engine) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    m = schema_web.side_mails
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(m.c.kind, m.c.recipient, m.c.status).order_by(m.c.id))]


@pytest.mark.parametrize(
    ("lang", "subject", "words"),
    [
        ("en", "Please confirm your sign-up to Hope Bridge", "Someone, hopefully you"),
        ("ko", "Hope Bridge 소식지 신청을 확인해 주세요", "이 주소로 Hope Bridge 소식지를 받겠다고"),
    ],
)
def test_the_confirmation_is_rendered_in_its_language(lang: str, subject: str, words: str) -> None:
    link = 'https://news.example.org/confirm/a.b-c?x="><script>alert(1)</script>&y=2'
    done = render_side_email("confirm", lang, {"link": link}, HEAD)
    assert done.subject == subject and done.language == lang
    assert f'lang="{lang}"' in done.html and words in done.html and words in done.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=2</a>" in done.html  # autoescaped
    assert 'href="https://news.example.org/confirm/a.b-c?x=&quot;' in done.html  # the quote cannot end it
    assert done.text.rstrip().endswith(link) and "<p>" not in done.text
    assert "1 Main St, Seoul" in done.html


def test_an_alert_keeps_its_subject_prefix_in_korean() -> None:
    context = {"message": "weekly:2026-W23 was not sent", "headline": "weekly:2026-W23 was not sent"}
    done = render_side_email("alert", "ko", {**context, "edition_key": "", "when": "2026-12-01 09:00"}, HEAD)
    assert done.subject == "[digest alert] weekly:2026-W23 was not sent"
    assert "발행 회차: -" in done.text and "시각: 2026-12-01 09:00 UTC" in done.text


def test_one_path_records_each_side_email_once(world) -> None:  # type: ignore[no-untyped-def]
    settings, engine = world()
    mail = SideEmail(
        kind="alert",
        to=Recipient(email="office@example.org", name="Office"),
        language="en",
        context={"message": "m", "headline": "m", "edition_key": "w1", "when": "2026-12-01 09:00"},
        key="missed:w1",
        idem_key="i" * 40,
    )
    assert send_side_email(settings, engine, mail, NOW) is not None
    assert send_side_email(settings, engine, mail, NOW) is None  # the same key again: not sent twice
    assert side_mails(engine) == [("alert", "office@example.org", "sent")]
    [message] = outbox(settings, "office@example.org")
    assert message["Subject"] == "[digest alert] m" and message["To"] == "Office <office@example.org>"


def test_a_failed_side_email_is_recorded_and_may_be_tried_again(world) -> None:  # type: ignore[no-untyped-def]
    from tests.serve.conftest import free_port

    settings, engine = world(
        DIGEST_PROVIDER="smtp", DIGEST_SMTP_HOST="127.0.0.1", DIGEST_SMTP_PORT=str(free_port())
    )
    mail = SideEmail("alert", Recipient(email="office@example.org"), "en",
                     {"message": "m", "headline": "m", "edition_key": "", "when": "now"}, "a:1", "j" * 40)
    for _ in range(2):
        with pytest.raises((DigestError, OSError)):
            send_side_email(settings, engine, mail, NOW)
    assert side_mails(engine) == [("alert", "office@example.org", "failed")]


def test_a_campaign_provider_leaves_single_messages_to_the_stand_in(world) -> None:  # type: ignore[no-untyped-def]
    settings, _engine = world(DIGEST_PROVIDER="buttondown", DIGEST_BUTTONDOWN_API_KEY="k")
    sender = single_sender(settings)
    try:
        assert sender.kind == "message" and type(sender).stands_in
    finally:
        sender.close()


def _sign_up_by_form(settings, engine, address: str) -> int:  # type: ignore[no-untyped-def]
    client = create_app(settings, engine).test_client()
    page = client.get("/subscribe")
    fields = {"email": address, "language": "en", "consent": "yes"}
    fields.update(hidden_fields(page.get_data(as_text=True)))
    code = int(client.post("/subscribe", data=fields).status_code)
    drain(settings, engine, secret_key(settings), lambda: NOW)  # what digest serve's worker does
    return code


def test_a_forgotten_address_is_confirmed_by_neither_path(world) -> None:  # type: ignore[no-untyped-def]
    settings, engine = world()
    key = secret_key(settings)
    forget(engine, key, "gone@example.org")
    # The form: the same answer as for anyone, and no email.
    assert _sign_up_by_form(settings, engine, "gone@example.org") == 200
    # --resubscribe: even if the address is back on the list as unsubscribed (a restored backup).
    subscribers.add(engine, "gone@example.org")
    subscribers.unsubscribe(engine, "gone@example.org")
    rows = [{"email": "gone@example.org", "language": "en"}]
    assert ask_again(settings, engine, rows, lambda lang: "I agree") == (0, 1)
    signup = SignUp("gone@example.org", "en", "I agree")
    assert not ask_to_confirm(settings, engine, signup, key=key, public_url=settings.public_url, now=NOW)
    assert outbox(settings, "gone@example.org") == [] and pending_count(engine) == 0
    assert side_mails(engine) == []
    assert lookup(engine, "gone@example.org").status == "unsubscribed"  # type: ignore[union-attr]


def test_both_paths_send_the_same_recorded_confirmation(world) -> None:  # type: ignore[no-untyped-def]
    settings, engine = world()
    assert _sign_up_by_form(settings, engine, "new@example.org") == 200
    subscribers.add(engine, "back@example.org", language="ko")
    subscribers.unsubscribe(engine, "back@example.org")
    rows = [{"email": "back@example.org", "language": "ko"}]
    assert ask_again(settings, engine, rows, lambda lang: "I agree") == (1, 0)
    [by_form] = outbox(settings, "new@example.org")
    [by_import] = outbox(settings, "back@example.org")
    assert by_form["Subject"] == "Please confirm your sign-up to " + settings.org_name
    assert by_import["Subject"] == f"{settings.org_name} 소식지 신청을 확인해 주세요"
    for message in (by_form, by_import):
        assert "https://news.example.org/confirm/" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert side_mails(engine) == [
        ("confirm", "new@example.org", "sent"),
        ("confirm", "back@example.org", "sent"),
    ]
