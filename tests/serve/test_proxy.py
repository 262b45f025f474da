"""Behind a reverse proxy: X-Forwarded-* headers are believed only from DIGEST_TRUSTED_PROXY.

Without it, a client's own X-Forwarded-For cannot dodge the per-IP sign-up limit; with
it, the proxy's header tells clients apart and X-Forwarded-Proto: https makes the
dashboard's cookie Secure-only as it should be.
"""

from __future__ import annotations

from tests.serve.helpers import hidden_fields


def sign_up(server, address: str, forwarded: str):  # type: ignore[no-untyped-def]
    server.session.cookies.clear()
    headers = {"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"}
    page = server.session.get(server.url("/subscribe"), headers=headers)
    fields = {**hidden_fields(page.text), "email": address, "language": "en", "consent": "yes"}
    referer = {"Referer": server.url("/subscribe").replace("http://", "https://"), **headers}
    return server.session.post(server.url("/subscribe"), data=fields, headers=referer).status_code


def test_client_sent_forwarded_headers_are_ignored_without_a_trusted_proxy(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_SIGNUPS_PER_IP="2")
    assert https_post_without_referer(srv) == 200  # its X-Forwarded-Proto: https was not believed
    codes = [sign_up(srv, f"spoof{n}@example.org", f"203.0.113.{n}") for n in range(2)]
    assert codes == [200, 429]  # one client, whatever X-Forwarded-For it claims


def test_a_trusted_proxy_tells_clients_apart_and_https_is_seen(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server(DIGEST_SIGNUPS_PER_IP="2", DIGEST_TRUSTED_PROXY="127.0.0.1")
    codes = [sign_up(srv, f"viaproxy{n}@example.org", f"203.0.113.{n}") for n in range(4)]
    assert codes == [200, 200, 200, 200]  # four clients behind the proxy
    same = [sign_up(srv, f"sameclient{n}@example.org", "198.51.100.7") for n in range(3)]
    assert same == [200, 200, 429]
    assert https_post_without_referer(srv) == 400  # seen as https: CSRF then insists on a same-origin Referer


def https_post_without_referer(server) -> int:  # type: ignore[no-untyped-def]
    server.session.cookies.clear()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.99"}
    page = server.session.get(server.url("/subscribe"), headers=headers)
    fields = {
        **hidden_fields(page.text),
        "email": "noreferer@example.org",
        "language": "en",
        "consent": "yes",
    }
    return int(server.session.post(server.url("/subscribe"), data=fields, headers=headers).status_code)
