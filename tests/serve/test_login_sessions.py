"""Dashboard log-ins end, and guessing is slowed without ever locking a volunteer out.

A log-in lives on the server: log-out and a new DIGEST_ADMIN_PASSWORD end it, and the cookie
copied before is refused afterwards (checked on a real `digest serve`, restarted with the new
password). Only wrong passwords count, per account and per address, as growing waits: any
number of right log-ins changes nothing, and the right password after an attacker's guesses
from the same address gets in.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.security import generate_password_hash

from digest.serve import auth, throttle
from digest.serve.site import EXTENSION, MAX_HELD_LOGINS, site
from digest.serve.throttle import FailureDelays
from tests.serve.helpers import hidden_fields
from tests.serve.test_admin import PASSWORD, app_for, log_in


def quick(app, **delays: float):  # type: ignore[no-untyped-def]
    """The app with waits scaled down (the same rule, in tenths of the time)."""
    app.extensions[EXTENSION] = dataclasses.replace(site(app), login_delays=FailureDelays(**delays))
    return app


@pytest.fixture(autouse=True)
def _short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILED_LOGIN_PAUSE", 0.01)


def test_log_out_ends_the_log_in_and_its_cookie_is_refused(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    client = app.test_client()
    assert log_in(client).status_code == 303
    copied = client.get_cookie("session").value  # type: ignore[union-attr]
    assert client.get("/admin").status_code == 200
    token = hidden_fields(client.get("/admin").get_data(as_text=True))["csrf_token"]
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/admin").status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", copied)
    answer = thief.get("/admin")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/login")


def test_each_log_in_is_its_own_and_ending_one_keeps_the_others(tmp_path: Path) -> None:
    app = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD)
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop).status_code == 303 and log_in(phone).status_code == 303
    token = hidden_fields(laptop.get("/admin").get_data(as_text=True))["csrf_token"]
    laptop.post("/admin/logout", data={"csrf_token": token})
    assert laptop.get("/admin").status_code == 303 and phone.get("/admin").status_code == 200


def test_a_new_password_ends_every_log_in_of_the_old_one(tmp_path: Path) -> None:
    old = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=generate_password_hash(PASSWORD))
    client = old.test_client()
    assert log_in(client).status_code == 303
    copied = client.get_cookie("session").value  # type: ignore[union-attr]
    new = app_for(tmp_path, DIGEST_ADMIN_PASSWORD="another password entirely")  # the same database
    later = new.test_client()
    later.set_cookie("session", copied)
    assert later.get("/admin").status_code == 303
    assert old.test_client().get("/admin").status_code == 303
    assert log_in(later, "another password entirely").status_code == 303
    assert later.get("/admin").status_code == 200


def test_a_plain_password_survives_a_restart_unchanged(tmp_path: Path) -> None:
    client = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD).test_client()
    assert log_in(client).status_code == 303
    copied = client.get_cookie("session").value  # type: ignore[union-attr]
    again = app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD).test_client()  # hashed anew, same password
    again.set_cookie("session", copied)
    assert again.get("/admin").status_code == 200


def test_a_real_server_refuses_the_old_cookie_after_log_out_and_after_a_password_change(
    make_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    def enter(server, password: str) -> requests.Session:  # type: ignore[no-untyped-def]
        http = requests.Session()
        http.trust_env = False
        page = http.get(server.url("/admin/login")).text
        answer = http.post(
            server.url("/admin/login"),
            data={**hidden_fields(page), "password": password},
            allow_redirects=False,
        )
        assert answer.status_code == 303, answer.status_code
        return http

    def dashboard(server, cookie: str) -> int:  # type: ignore[no-untyped-def]
        got = requests.get(server.url("/admin"), cookies={"session": cookie}, allow_redirects=False)
        return got.status_code

    srv = make_server(DIGEST_ADMIN_PASSWORD=PASSWORD)
    first = enter(srv, PASSWORD)
    cookie = first.cookies["session"]
    assert dashboard(srv, cookie) == 200
    token = hidden_fields(first.get(srv.url("/admin")).text)["csrf_token"]
    assert first.post(srv.url("/admin/logout"), data={"csrf_token": token}, allow_redirects=False).ok
    assert dashboard(srv, cookie) == 303

    second = enter(srv, PASSWORD).cookies["session"]
    assert dashboard(srv, second) == 200
    srv.stop()
    srv.env["DIGEST_ADMIN_PASSWORD"] = "a brand new dashboard password"
    srv.start()
    assert dashboard(srv, second) == 303
    assert dashboard(srv, enter(srv, "a brand new dashboard password").cookies["session"]) == 200


def test_many_right_log_ins_from_one_address_never_slow_or_lock(tmp_path: Path) -> None:
    app = quick(app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD))
    codes = [log_in(app.test_client()).status_code for _ in range(12)]
    assert codes == [303] * 12
    assert site(app).login_delays.wait([auth.ACCOUNT, "127.0.0.1"]) == 0


def test_an_attackers_guesses_slow_down_but_never_lock_the_volunteer_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # the waits, not the hash, in view
    app = quick(app_for(tmp_path, DIGEST_ADMIN_PASSWORD=cheap), first=0.2, cap=0.8)
    waits: list[float] = []
    now = [1000.0]

    class Clock:
        """Time that passes only while the server waits, so a loaded machine's slow requests
        do not shorten the waits measured (the rule, not the machine, is under test)."""

        @staticmethod
        def monotonic() -> float:
            return now[0]

        @staticmethod
        def sleep(seconds: float) -> None:
            if seconds != auth.FAILED_LOGIN_PAUSE:
                waits.append(seconds)
            now[0] += seconds

    monkeypatch.setattr(auth, "time", Clock)
    monkeypatch.setattr(throttle, "time", Clock)
    attacker = app.test_client()  # from the volunteers' own address (the test client's 127.0.0.1)
    codes = [log_in(attacker, f"guess {n}").status_code for n in range(8)]
    assert codes == [401] * 8  # a wrong password is only ever wrong: never 429
    # three typos cost nothing more; then the wait doubles after each failure, up to the cap
    assert waits == pytest.approx([0.2, 0.4, 0.8, 0.8, 0.8]), waits
    volunteer = app.test_client()  # a new session, same address, right password
    assert log_in(volunteer).status_code == 303  # held at most the cap, never refused
    assert waits[5:] == pytest.approx([0.8]), waits
    assert volunteer.get("/admin").status_code == 200


def test_guesses_from_many_addresses_count_against_the_account() -> None:
    delays = FailureDelays(free=3, first=1.0, cap=16.0, window=900)
    for n in range(5):
        delays.failed([auth.ACCOUNT, f"198.51.100.{n}"], now=100.0 + n)
    assert delays.wait([auth.ACCOUNT, "203.0.113.9"], now=104.0) == pytest.approx(4.0)  # 2**(5-3) s
    assert delays.wait(["203.0.113.9"], now=104.0) == 0
    assert delays.wait([auth.ACCOUNT], now=104.0 + 900) == 0  # failures older than the window count no more
    for n in range(10):
        delays.failed([auth.ACCOUNT], now=200.0 + n)
    assert delays.wait([auth.ACCOUNT], now=209.0) == pytest.approx(16.0)  # the cap


def test_a_flood_of_waiting_attempts_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = quick(app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD), first=0.5, cap=0.5)
    codes: list[int] = []
    held: list[float] = []
    release = threading.Event()

    class Clock:
        """A clock that stands still, and waits that last until the test has seen every attempt
        arrive: however slowly the threads start on a loaded machine, each must wait."""

        @staticmethod
        def monotonic() -> float:
            return 1000.0

        @staticmethod
        def sleep(seconds: float) -> None:
            if seconds != auth.FAILED_LOGIN_PAUSE:
                held.append(seconds)
                release.wait(60)

    monkeypatch.setattr(auth, "time", Clock)
    monkeypatch.setattr(throttle, "time", Clock)
    attacker = app.test_client()
    for n in range(3):
        log_in(attacker, f"guess {n}")
    token = hidden_fields(attacker.get("/admin/login").get_data(as_text=True))["csrf_token"]

    def guess() -> None:
        answer = attacker.post("/admin/login", data={"password": "x", "csrf_token": token})
        codes.append(answer.status_code)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(held) + codes.count(429) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join()
    many = MAX_HELD_LOGINS
    assert len(held) == many and sorted(codes) == [401] * many + [429] * (8 - many)  # at most 4 held at once


def test_a_browser_that_logged_in_before_gets_in_while_a_flood_holds_every_waiting_place(
    tmp_path: Path,
) -> None:
    app = quick(app_for(tmp_path, DIGEST_ADMIN_PASSWORD=PASSWORD), first=30.0, cap=30.0)
    volunteer = app.test_client()
    assert log_in(volunteer).status_code == 303
    token = hidden_fields(volunteer.get("/admin").get_data(as_text=True))["csrf_token"]
    assert volunteer.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    attacker = app.test_client()  # from the volunteer's own address, as behind one office router
    assert [log_in(attacker, f"guess {n}").status_code for n in range(3)] == [401] * 3
    held = site(app).login_held
    while held.acquire(blocking=False):  # the flood's guesses now hold every waiting place
        pass
    assert log_in(app.test_client()).status_code == 429  # an unknown browser waits with the flood
    forged = app.test_client()
    forged.set_cookie(auth.DEVICE_COOKIE, "t" + "A" * 40, path="/admin")
    assert log_in(forged).status_code == 429  # a made-up device cookie is no device
    started = time.monotonic()
    assert log_in(volunteer).status_code == 303  # the right password from a known browser: never refused
    assert time.monotonic() - started < 10.0  # not held the account's 30 s (the hash itself is slow)
    assert volunteer.get("/admin").status_code == 200
