"""Volunteers with their own accounts (issue 22): `digest users` and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.accounts import ROLES, check_role, may
from digest.store.users import entries
from tests.serve.conftest import Server, base_env


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return Server(root=tmp_path, env=base_env(tmp_path))


def listed(server: Server) -> list[list[str]]:
    done = server.cli("users", "list")
    assert done.returncode == 0, done.stderr
    return [line.split(",")[:3] for line in done.stdout.splitlines()[1:]]


def test_users_are_added_listed_changed_and_removed(server: Server) -> None:
    people = (("Mina@Example.org", "editor"), ("jun@example.org", "approver"), ("ha@example.org", "admin"))
    for address, role in people:
        done = server.cli("users", "add", address, "--role", role)
        assert done.returncode == 0 and "added" in done.stdout, done.stderr
    assert listed(server) == [
        ["ha@example.org", "admin", "no"],
        ["jun@example.org", "approver", "no"],
        ["mina@example.org", "editor", "no"],
    ]
    assert "now admin" in server.cli("users", "add", "mina@example.org", "--role", "admin").stdout
    assert "already" in server.cli("users", "add", "mina@example.org", "--role", "admin").stdout
    assert server.cli("users", "remove", "jun@example.org").returncode == 0
    assert [row[:2] for row in listed(server)] == [["ha@example.org", "admin"], ["mina@example.org", "admin"]]
    engine = server.engine()
    try:
        log = [(e.action, e.subject, e.detail) for e in reversed(entries(engine))]
        actors = {e.actor for e in entries(engine)}
    finally:
        engine.dispose()
    assert log == [
        ("user added", "mina@example.org", "role editor"),
        ("user added", "jun@example.org", "role approver"),
        ("user added", "ha@example.org", "role admin"),
        ("user changed", "mina@example.org", "role admin"),  # the repeat changed nothing: not logged
        ("user removed", "jun@example.org", ""),
    ]
    assert len(actors) == 1 and next(iter(actors)).endswith("on the command line")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "not-an-address", "--role", "editor"), "not an email address"),
        (("add", "a@example.org", "--role", "owner"), "invalid choice"),
        (("remove", "nobody@example.org"), "has no account"),
        (("add", "a@example.org"), "--role"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(server: Server, args: tuple[str, ...], says: str) -> None:  # noqa: E501
    done = server.cli("users", *args)
    assert done.returncode != 0 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert listed(server) == []


def test_each_role_may_do_what_the_one_before_may() -> None:
    assert [r for r in ROLES if may(r, "posts")] == list(ROLES)
    assert [r for r in ROLES if may(r, "editions")] == ["approver", "admin"]
    assert [r for r in ROLES if may(r, "deliveries")] == ["approver", "admin"]
    assert [r for r in ROLES if may(r, "users")] == ["admin"]
    assert not may("viewer", "posts")
    assert check_role(" Editor ") == "editor"
    with pytest.raises(ValueError, match="editor, approver, admin"):
        check_role("owner")


def test_the_dashboard_records_its_changes_and_shows_the_log(make_server) -> None:  # type: ignore[no-untyped-def]
    import lxml.html

    from tests.serve.helpers import hidden_fields

    srv = make_server(DIGEST_ADMIN_PASSWORD="correct horse battery staple")
    assert srv.cli("users", "add", "mina@example.org", "--role", "editor").returncode == 0
    http = srv.session
    assert http.get(srv.url("/admin/audit"), allow_redirects=False).status_code == 303  # log-in first
    login_page = http.get(srv.url("/admin/login")).text
    password = {"password": "correct horse battery staple"}
    http.post(srv.url("/admin/login"), data={**hidden_fields(login_page), **password})
    token = hidden_fields(http.get(srv.url("/admin")).text)["csrf_token"]
    assert http.post(srv.url("/admin/editions/pause"), data={"csrf_token": token}).status_code == 200
    page = lxml.html.fromstring(http.get(srv.url("/admin/audit")).text)
    rows = [[td.text_content() for td in tr.findall("td")] for tr in page.findall(".//tbody/tr")]
    assert [r[1:4] for r in rows][0][:2] == ["shared admin", "edition pause"]
    assert rows[-1][2:4] == ["user added", "mina@example.org"] and rows[-1][1].endswith("on the command line")


def test_a_volunteers_own_password_from_the_command_line(server: Server) -> None:
    import subprocess

    from werkzeug.security import check_password_hash

    from digest.store.users import user_row
    from tests.serve.conftest import DIGEST

    def password(address: str, typed: str, *extra: str) -> subprocess.CompletedProcess[str]:
        command = [*DIGEST, "users", "password", address, *extra]
        return subprocess.run(command, cwd=server.root, env=server.env, input=typed + "\n",
                              capture_output=True, text=True, timeout=180)

    missing = password("mina@example.org", "a long enough pass phrase")
    assert missing.returncode != 0 and "has no account; add it first" in missing.stderr
    assert server.cli("users", "add", "mina@example.org", "--role", "editor").returncode == 0
    short = password("mina@example.org", "too short")
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    assert "Traceback" not in short.stderr
    done = password("Mina@Example.org", "our garden gate creaks at noon")
    assert done.returncode == 0 and "password set" in done.stdout, done.stderr
    assert listed(server) == [["mina@example.org", "editor", "yes"]]
    engine = server.engine()
    try:
        stored = user_row(engine, "mina@example.org")
        assert stored is not None and stored[1].startswith("scrypt:")  # the shared password's scheme
        assert check_password_hash(stored[1], "our garden gate creaks at noon")
        assert "our garden gate" not in done.stdout + done.stderr
        assert password("mina@example.org", "", "--remove").returncode == 0
        assert user_row(engine, "mina@example.org") == ("editor", "")
        assert [e.action for e in entries(engine)][:2] == ["password removed", "password set"]
    finally:
        engine.dispose()
