"""The public archive checks every past edition against the current protected terms (issue 20).

An edition sent before a name was added to the terms is withheld at the next request: not
listed, its page answers 410 "withdrawn" (in every language), and the dashboard names it with
the term and where it is. Taking the term out of the file shows it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import generate_password_hash

from digest.store import open_store
from digest.store.ledger import Ledger
from tests.serve.test_admin import PASSWORD, app_for, log_in

KEY = "weekly:2026-W10"
OTHER = "weekly:2026-W11"


def _sent(ledger: Ledger, key: str, korean_html: str) -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    ledger.ensure_edition(key, now)
    ledger.freeze_edition(key, f"News {key}", "<p>Winter coats for every child.</p>", "Winter coats", [],
                          bodies={"ko": (f"소식 {key}", korean_html, "겨울 외투")})
    ledger.set_status(key, "sent")


def test_an_edition_that_now_holds_a_protected_name_is_withheld(tmp_path: Path) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("# nobody yet\n", encoding="utf-8")
    app = app_for(tmp_path, DIGEST_PROTECTED_TERMS_FILE=str(terms),
                  DIGEST_ADMIN_PASSWORD=generate_password_hash(PASSWORD))
    engine = open_store(f"sqlite:///{tmp_path / 'var' / 'digest.db'}")
    # The name is only in the Korean version, spelled letter by letter inside a bidi override.
    _sent(Ledger(engine), KEY, "<p>\u202eㅜ ㅅ ㄹ ㅓ ㅊ ㅁ ㅣ ㄱ\u202c 씨가 외투를 받았습니다.</p>")
    _sent(Ledger(engine), OTHER, "<p>겨울 외투를 나눴습니다.</p>")
    client = app.test_client()
    assert KEY in client.get("/archive").get_data(as_text=True)
    assert client.get(f"/archive/{KEY}?lang=ko").status_code == 200

    terms.write_text("김철수\n", encoding="utf-8")  # staff add the name after the send

    listing = client.get("/archive").get_data(as_text=True)
    assert KEY not in listing and OTHER in listing
    for path, said in ((f"/archive/{KEY}", "withdrawn"), (f"/archive/{KEY}?lang=ko", "내려졌습니다")):
        page = client.get(path)
        assert page.status_code == 410 and said in page.get_data(as_text=True)
        assert "외투" not in page.get_data(as_text=True) and "coats" not in page.get_data(as_text=True)
    assert client.get(f"/archive/{OTHER}").status_code == 200

    assert log_in(client).status_code == 303
    dashboard = client.get("/admin").get_data(as_text=True)
    assert "Withheld from the archive" in dashboard
    assert f"{KEY}</strong>: protected term &#39;김철수&#39; in the frozen HTML (ko)" in dashboard

    terms.write_text("# a false alarm: taken out again\n", encoding="utf-8")
    assert KEY in client.get("/archive").get_data(as_text=True)
    assert client.get(f"/archive/{KEY}").status_code == 200
    assert "Withheld from the archive" not in client.get("/admin").get_data(as_text=True)
    engine.dispose()
