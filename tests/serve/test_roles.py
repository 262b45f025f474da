"""Volunteers' own log-ins and roles on the dashboard (issue 22): each role is refused, with a 403
page naming the role needed, exactly what it may not do; a removed account's log-ins end at once;
a role change counts from the next request; the admin's page adds, re-roles and removes accounts
(with CSRF) and every change is in the audit log under the account that made it; a sign-in link
works once, only by POST, and only for a short while."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from digest import clock
from digest.serve import auth
from digest.serve.site import site
from digest.store.admin_sessions import add_link
from digest.store.users import entries, remove_user, save_user, set_password
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.serve.test_admin import PASSWORD, app_for, csrf_of, log_in

OWN = "mina's own long password"
# (method, path, form, area): every dashboard action that changes something
ACTIONS = [
    ("post", "/admin/posts/1", {"action": "skip"}, "posts"),
    ("post", "/admin/editions/pause", {}, "editions"),
    ("post", "/admin/editions/weekly:2027-W01/approval", {"action": "approve"}, "editions"),
    ("post", "/admin/deliveries", {"id": "1", "action": "sent"}, "deliveries"),
    ("post", "/admin/users", {"action": "add", "email": "x@example.org", "role": "editor"}, "users"),
    ("get", "/admin/users", {}, "users"),
]
NEEDED = {"posts": "editor", "editions": "approver", "deliveries": "approver", "users": "admin"}


@pytest.fixture(autouse=True)
def _short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILED_LOGIN_PAUSE", 0.01)


def volunteer(app, email: str, role: str, password: str = OWN) -> None:  # type: ignore[no-untyped-def]
    engine = site(app).engine
    save_user(engine, email, role, clock.now(), "test")
    set_password(engine, email, generate_password_hash(password), clock.now(), "test")


def own_log_in(client, email: str, password: str = OWN):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/admin/login")
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token})


def act(client, method: str, path: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(path)
    return client.post(path, data={**form, "csrf_token": csrf_of(client, "/admin")})


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_each_role_is_refused_what_it_may_not_do_and_told_which_role_may(tmp_path: Path, role: str) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    volunteer(app, "mina@example.org", role)
    client = app.test_client()
    assert own_log_in(client, "Mina@Example.org").status_code == 303
    assert "Logged in as mina@example.org (" + role + ")" in client.get("/admin").get_data(as_text=True)
    ranks = ["editor", "approver", "admin"]
    for method, path, form, area in ACTIONS:
        answer = act(client, method, path, form)
        page = answer.get_data(as_text=True)
        if ranks.index(role) < ranks.index(NEEDED[area]):
            assert answer.status_code == 403, (role, path)
            assert f"needs the <strong>{NEEDED[area]}</strong> role" in page and "an " + role in page
        else:
            assert answer.status_code != 403 and "Not allowed" not in page, (role, path, answer.status_code)


def test_the_shared_password_is_an_admin_and_recorded_as_the_shared_admin(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    client = app.test_client()
    hint = "Leave it empty to use the organisation's shared admin password"
    assert hint in client.get("/admin/login").get_data(as_text=True)
    assert log_in(client).status_code == 303
    assert client.get("/admin/users").status_code == 200
    act(client, "post", "/admin/users", {"action": "add", "email": "jun@example.org", "role": "approver"})
    assert [(e.actor, e.action, e.subject) for e in entries(site(app).engine)] == [
        ("shared admin", "user added", "jun@example.org")
    ]


def test_an_admin_manages_accounts_on_the_dashboard_and_each_change_names_them(tmp_path: Path) -> None:
    app = app_for(tmp_path)  # no shared password: an account alone turns the dashboard on
    volunteer(app, "ha@example.org", "admin")
    admin = app.test_client()
    assert own_log_in(admin, "ha@example.org").status_code == 303
    steps = [
        {"action": "add", "email": "Jun@Example.org", "role": "editor"},
        {"action": "role", "email": "jun@example.org", "role": "approver"},
        {"action": "remove", "email": "jun@example.org"},
    ]
    for form in steps:
        answer = act(admin, "post", "/admin/users", form)
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/users")
    assert "jun@example.org removed" in admin.get("/admin/users").get_data(as_text=True)
    log = [(e.actor, e.action, e.subject, e.detail) for e in reversed(entries(site(app).engine))][2:]
    assert log == [
        ("ha@example.org", "user added", "jun@example.org", "role editor"),
        ("ha@example.org", "user changed", "jun@example.org", "role approver"),
        ("ha@example.org", "user removed", "jun@example.org", ""),
    ]
    for form in ({"action": "remove"}, {"action": "role", "role": "approver"}):
        alone = act(admin, "post", "/admin/users", {**form, "email": "ha@example.org"})
        assert alone.status_code == 400 and "is the last admin" in alone.get_data(as_text=True)
    bad = act(admin, "post", "/admin/users", {"action": "add", "email": "not-an-address", "role": "editor"})
    assert bad.status_code == 400 and "is not an email address" in bad.get_data(as_text=True)
    bad = act(admin, "post", "/admin/users", {"action": "add", "email": "a@example.org", "role": "owner"})
    assert bad.status_code == 400 and "editor, approver, admin" in bad.get_data(as_text=True)
    no_token = admin.post("/admin/users", data={"action": "add", "email": "b@example.org", "role": "admin"})
    assert no_token.status_code == 400
    assert [e.subject for e in entries(site(app).engine)][0] == "jun@example.org"  # nothing else changed
    assert log_in(app.test_client()).status_code == 401  # no shared password to log in with
    login_page = app.test_client().get("/admin/login").get_data(as_text=True)
    assert "shared admin password" not in login_page and 'autocomplete="username" required' in login_page


def test_a_removed_account_is_logged_out_at_once_and_a_new_role_counts_at_once(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    volunteer(app, "mina@example.org", "editor")
    laptop, phone = app.test_client(), app.test_client()
    assert own_log_in(laptop, "mina@example.org").status_code == 303
    assert own_log_in(phone, "mina@example.org").status_code == 303
    engine = site(app).engine
    assert act(laptop, "post", "/admin/editions/pause", {}).status_code == 403
    save_user(engine, "mina@example.org", "approver", clock.now(), "test")
    assert act(laptop, "post", "/admin/editions/pause", {}).status_code == 303
    remove_user(engine, "mina@example.org", clock.now(), "test")
    for client in (laptop, phone):
        answer = client.get("/admin")
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/login")
    save_user(engine, "mina@example.org", "editor", clock.now(), "test")  # back, without a password
    assert laptop.get("/admin").status_code == 303  # the old log-in stays ended
    assert own_log_in(laptop, "mina@example.org").status_code == 401


def test_a_new_own_password_ends_the_log_ins_of_the_old_one(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    volunteer(app, "mina@example.org", "editor")
    client = app.test_client()
    assert own_log_in(client, "mina@example.org", "a wrong password here").status_code == 401
    assert own_log_in(client, "nobody@example.org").status_code == 401
    assert own_log_in(client, "mina@example.org", PASSWORD).status_code == 401  # not the shared one
    assert own_log_in(client, "mina@example.org").status_code == 303
    set_password(site(app).engine, "mina@example.org", generate_password_hash("another one entirely"),
                 clock.now(), "test")
    assert client.get("/admin").status_code == 303
    assert own_log_in(client, "mina@example.org", "another one entirely").status_code == 303


def link_for(app, email: str, made_ago: timedelta = timedelta(0)) -> str:  # type: ignore[no-untyped-def]
    from digest.deliver.signin import LIFETIME

    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    add_link(site(app).engine, digest, email, clock.now() - made_ago, LIFETIME)
    return f"/admin/login/link/{token}"


def test_a_sign_in_link_logs_in_once_by_its_button_and_only_while_young(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_PUBLIC_URL="https://news.example.org")
    volunteer(app, "mina@example.org", "editor")
    client = app.test_client()
    link = link_for(app, "mina@example.org")
    for _ in range(3):  # a mail scanner opens it as often as it likes
        page = client.get(link)
        assert page.status_code == 200 and "Log in as mina@example.org?" in page.get_data(as_text=True)
    assert client.get("/admin").status_code == 303
    assert client.post(link, data={"csrf_token": csrf_of(client, link)}).status_code == 303
    assert "Logged in as mina@example.org (editor)" in client.get("/admin").get_data(as_text=True)
    other = app.test_client()
    assert other.get(link).status_code == 404  # used
    old = link_for(app, "mina@example.org", made_ago=timedelta(minutes=16))
    assert other.get(old).status_code == 404
    assert other.post(old, data={"csrf_token": csrf_of(other, "/admin/login")}).status_code == 404
    assert other.get("/admin").status_code == 303
    gone = link_for(app, "mina@example.org")
    remove_user(site(app).engine, "mina@example.org", clock.now(), "test")
    assert other.get(gone).status_code == 404 and client.get("/admin").status_code == 303


def test_asking_for_a_link_says_the_same_for_any_address(tmp_path: Path) -> None:
    from digest.store.side_mails import unsettled_count

    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD, DIGEST_PUBLIC_URL="https://news.example.org")
    volunteer(app, "mina@example.org", "editor")
    client = app.test_client()
    pages = []
    for address in ("mina@example.org", "nobody@example.org"):
        token = csrf_of(client, "/admin/login")
        answer = client.post("/admin/login/link", data={"email": address, "csrf_token": token})
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        assert "If " + address[0] + "***@example.org has an account here" in page
        pages.append(page.split("<main")[1].replace(address[0] + "***", "?"))
    assert pages[0] == pages[1]
    assert unsettled_count(site(app).engine) == 2  # the worker decides; only an account gets a link
    token = csrf_of(client, "/admin/login")
    bad = client.post("/admin/login/link", data={"email": "nope", "csrf_token": token})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    without = app_for(tmp_path / "other", DIGEST_ADMIN_PASSWORD=PASSWORD).test_client()
    assert "Email me a log-in link" not in without.get("/admin/login").get_data(as_text=True)
    token = csrf_of(without, "/admin/login")
    asked = without.post("/admin/login/link", data={"email": "mina@example.org", "csrf_token": token})
    assert asked.status_code == 404


def test_accounts_log_ins_and_links_on_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    """The same rules on PostgreSQL (migration 60 adds the account to existing log-ins there too)."""
    app = app_for(tmp_path, DIGEST_DATABASE_URL=pg_url, DIGEST_ADMIN_PASSWORD=PASSWORD,
                  DIGEST_PUBLIC_URL="https://news.example.org")
    volunteer(app, "mina@example.org", "editor")
    client, other = app.test_client(), app.test_client()
    assert own_log_in(client, "mina@example.org").status_code == 303
    assert act(client, "post", "/admin/editions/pause", {}).status_code == 403
    assert act(client, "post", "/admin/posts/1", {"action": "skip"}).status_code != 403
    link = link_for(app, "mina@example.org")
    assert other.get(link).status_code == 200 and other.get("/admin").status_code == 303
    assert other.post(link, data={"csrf_token": csrf_of(other, link)}).status_code == 303
    assert other.post(link, data={"csrf_token": csrf_of(other, "/admin")}).status_code == 404  # once
    remove_user(site(app).engine, "mina@example.org", clock.now(), "test")
    assert client.get("/admin").status_code == 303 and other.get("/admin").status_code == 303
    assert log_in(app.test_client()).status_code == 303  # the shared password, an admin still
