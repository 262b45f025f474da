"""Several `digest serve` processes share one PostgreSQL (issue 14): a one-click POST to either
server is honoured once, and each server sees what the other changed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from digest.store.signups import lookup
from tests.fakes.postgres import pg_url, postgres_server  # noqa: F401 (fixtures)
from tests.serve.conftest import add_people, link, running

KEY = "postgresql-serve-test-key-0123456789"
ONE_CLICK = "List-Unsubscribe=One-Click"


def test_two_servers_on_one_postgresql_honour_every_one_click(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    people = [f"reader{n:02d}@example.org" for n in range(24)]
    settings = {"DIGEST_SECRET_KEY": KEY, "DIGEST_DATABASE_URL": pg_url}
    for folder in ("a", "b"):  # two installs, as on two machines: only the database is shared
        (tmp_path / folder).mkdir()
    with running(tmp_path / "a", **settings) as first, running(tmp_path / "b", **settings) as second:
        add_people(first, *((address, "") for address in people))
        stay = "stays@example.org"
        add_people(first, (stay, ""))
        servers = [first, second]
        paths = [link(first, "unsubscribe", address, KEY) for address in people]  # ids made on PostgreSQL

        def one_click(n: int) -> int:
            server = servers[n % 2]
            url = server.url(paths[n])
            with requests.Session() as session:
                session.trust_env = False
                return session.post(url, data=ONE_CLICK, timeout=30,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(one_click, range(len(people))))
        assert codes == [200] * len(people)

        # Each server reads the shared database: both see every address gone, the bystander kept.
        for server in servers:
            engine = server.engine()
            try:
                assert {lookup(engine, a).status for a in people} == {"unsubscribed"}  # type: ignore[union-attr]
                assert lookup(engine, stay).status == "active"  # type: ignore[union-attr]
            finally:
                engine.dispose()
        # A second one-click for the same person, at the other server, changes nothing and still answers 200.
        again = second.session.post(second.url(paths[0]), data=ONE_CLICK,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
        assert again.status_code == 200
