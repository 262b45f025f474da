"""The dashboard's post editor refuses a protected name however it is hidden (issue 20): an edit that
hides it behind a bidi override, spells it in jamo or writes it in Hanja is refused exactly as the
plain spelling is, and nothing is saved; a clean edit is saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from digest.plugins import load_settings
from digest.social import queue_edition
from digest.store import open_store
from digest.store.social import SocialStore
from tests.paths import SAMPLE
from tests.serve.helpers import hidden_fields
from tests.serve.test_admin import PASSWORD, app_for, log_in
from tests.social.conftest import KEY, frozen_edition

SPELLINGS = {
    "plain": "Kim Chul-su",
    "bidi override": "\u202eus-luhC miK\u202c",
    "isolated and marked": "\u2067Kim\u2069 \u200fChul\u200e-su",
    "compatibility jamo": "ㄱ ㅣ ㅁ ㅊ ㅓ ㄹ ㅅ ㅜ",
    "hanja": "金哲洙",
    "hidden in Hangul by an override": "\u202e수철김\u202c",
}


@pytest.fixture
def editor(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "terms.txt").write_text("Kim Chul-su\n김철수\n", encoding="utf-8")
    env = {
        "DIGEST_ADMIN_PASSWORD": generate_password_hash(PASSWORD),
        "DIGEST_SOCIAL_PLATFORMS": "mastodon",
        "DIGEST_MASTODON_BASE_URL": "https://mastodon.example.org",
        "DIGEST_MASTODON_TOKEN": "mtoken",
        "DIGEST_PROTECTED_TERMS_FILE": str(tmp_path / "terms.txt"),
    }
    settings = load_settings(environ={"DIGEST_DATA_DIR": str(tmp_path / "var"), "DIGEST_SOURCES": str(SAMPLE),
                                      **env}, read_dotenv=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_store(settings.db_url)
    frozen_edition(engine)
    assert queue_edition(settings, engine, KEY).queued == 2  # one per article, waiting for review
    client = app_for(tmp_path, **env).test_client()
    assert log_in(client).status_code == 303
    yield client, engine
    engine.dispose()


def _edit(client, text: str):  # type: ignore[no-untyped-def]
    page = client.get("/admin").get_data(as_text=True)
    post_id = int(re.search(r'id="post-(\d+)"', page).group(1))  # type: ignore[union-attr]
    original = re.search(rf'id="text-{post_id}"[^>]*>([^<]*)</textarea>', page).group(1)  # type: ignore[union-attr]
    link = re.search(r"https?://\S+", original.replace("&amp;", "&")).group(0)  # type: ignore[union-attr]
    data = {"csrf_token": hidden_fields(page)["csrf_token"], "action": "save", "text": f"{text} {link}"}
    return post_id, client.post(f"/admin/posts/{post_id}", data=data)


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_hidden_name_is_refused_as_the_plain_one_is(editor, spelling: str) -> None:  # type: ignore[no-untyped-def]
    client, engine = editor
    post_id, answer = _edit(client, f"Our volunteers met {SPELLINGS[spelling]} this week.")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400, body
    assert "protected term" in body and ("Kim Chul-su" in body or "김철수" in body)
    saved = SocialStore(engine).post(post_id)
    assert saved is not None and saved.status == "review"
    assert "Our volunteers met" not in saved.data()["parts"][0]  # nothing of the edit was kept


def test_a_clean_edit_is_saved(editor) -> None:  # type: ignore[no-untyped-def]
    client, engine = editor
    post_id, answer = _edit(client, "Our volunteers met a family this week.")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    saved = SocialStore(engine).post(post_id)
    assert saved is not None and saved.data()["parts"][0].startswith("Our volunteers met a family")
