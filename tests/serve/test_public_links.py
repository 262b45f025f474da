"""Emailed links never take their host from the request (issue 20).

Every link in a confirmation comes from DIGEST_PUBLIC_URL, whatever Host or X-Forwarded-Host a
request carries (a trusted proxy's included). Without DIGEST_PUBLIC_URL, sign-up is closed and
says so, the same way for every address and sending nothing, and `digest serve` listens on this
machine only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.conftest import add_people, free_port
from tests.serve.helpers import first_link, hidden_fields, outbox_messages, sent_for_real

PUBLIC = "http://digest.localhost"  # http is allowed for a name of this machine
FORGED = [
    {"Host": "evil.example"},
    {"X-Forwarded-Host": "evil.example"},
    {
        "Host": "evil.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "Referer": "https://evil.example/subscribe",  # what CSRF asks of https, forged alike
    },
]


def sign_up(server, address: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    server.session.cookies.clear()
    page = server.session.get(server.url("/subscribe"), headers=headers)
    fields = {**hidden_fields(page.text), "email": address, "language": "en", "consent": "yes"}
    return server.session.post(server.url("/subscribe"), data=fields, headers=headers)


@pytest.mark.parametrize("proxy", ["", "127.0.0.1"], ids=["no proxy", "trusted proxy"])
def test_a_forged_host_never_reaches_a_confirmation_link(make_server, proxy: str) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_PUBLIC_URL=PUBLIC, DIGEST_TRUSTED_PROXY=proxy, DIGEST_SIGNUPS_PER_IP="100")
    for n, headers in enumerate(FORGED):
        address = f"forged{n}@example.org"
        assert sign_up(srv, address, headers).status_code == 200
        [message] = outbox_messages(srv.root, address)
        link = first_link(message, "/confirm/")
        assert link.startswith(PUBLIC + "/confirm/"), link
        assert "evil.example" not in message.as_string()


def test_without_a_public_url_sign_up_is_closed_and_says_so_alike_for_everyone(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_PUBLIC_URL="")
    add_people(srv, ("member@example.org", "en"))
    form = srv.session.get(srv.url("/subscribe"), headers={"Host": "evil.example"})
    assert form.status_code == 503 and "not open yet" in form.text and "<form" not in form.text
    assert "DIGEST_" not in form.text  # no setting named to visitors
    log = next(srv.root.glob("serve-*.log")).read_text()
    assert "DIGEST_PUBLIC_URL" in log  # the volunteer reading the log learns the fix


def test_a_closed_sign_up_answers_a_posted_form_alike_for_member_and_stranger(tmp_path: Path) -> None:
    from tests.serve.helpers import app_client

    client, engine = app_client(tmp_path, ["member@example.org"])
    client.application.config["WTF_CSRF_ENABLED"] = False  # a form posted from elsewhere, as it may be
    answers = []
    try:
        for address in ("member@example.org", "newcomer@example.org"):
            fields = {"email": address, "language": "en", "consent": "yes"}
            answer = client.post("/subscribe", data=fields, headers={"X-Forwarded-Host": "evil.example"})
            answers.append((answer.status_code, answer.get_data(as_text=True)))
    finally:
        engine.dispose()
    assert answers[0] == answers[1] and answers[0][0] == 503  # nothing tells the two apart
    assert "not open yet" in answers[0][1] and "member@" not in answers[0][1]
    assert not (tmp_path / "var" / "outbox").exists()


def test_korean_visitors_read_it_in_korean(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_PUBLIC_URL="")
    page = srv.session.get(srv.url("/subscribe?lang=ko"))
    assert page.status_code == 503 and "아직 신청을 받지 않습니다" in page.text


def test_without_a_public_url_serve_listens_on_this_machine_only(tmp_path: Path) -> None:
    from tests.serve.conftest import Server, base_env

    srv = Server(root=tmp_path, env={**base_env(tmp_path), "DIGEST_PUBLIC_URL": ""})
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        done = srv.cli("serve", "--host", host, "--port", str(free_port()))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "DIGEST_PUBLIC_URL" in done.stderr and "--host" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_the_archive_page_takes_no_host_from_the_request(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_PUBLIC_URL=PUBLIC)
    add_people(srv, ("reader@example.org", ""))
    [message] = sent_for_real(srv, "reader@example.org")
    view = first_link(message, "/archive/").replace(PUBLIC, srv.base)
    for headers in FORGED:
        page = srv.session.get(view, headers=headers)
        assert page.status_code == 200 and f'href="{PUBLIC}/' in page.text  # its own links: ours
        assert "evil.example" not in page.text
