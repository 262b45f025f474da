"""Fetching from the web: public addresses only, a total deadline, a User-Agent, a cap on size."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from digest import __version__
from digest.errors import SourceError
from digest.links import url_problem
from digest.sources.netguard import Guard, guarded_session

USER_AGENT = f"digest/{__version__} (+newsletter digest; https://example.org)"
MAX_REDIRECTS = 5
_PRIVATE_FIX = "set DIGEST_FETCH_ALLOW_PRIVATE=true only for an intranet you trust"


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def fetch(url: str, *, timeout: float, max_bytes: int, allow_private: bool = False) -> Fetched:
    """GET ``url``; raise SourceError for anything but a 2xx body within ``max_bytes`` and ``timeout``.

    ``timeout`` is the deadline for the whole fetch, redirects included. Every
    connection (each redirect hop too) must reach a public address unless
    ``allow_private``.
    """
    import requests

    guard = Guard(allow_private)
    timer = threading.Timer(timeout, guard.cut)
    timer.daemon = True
    timer.start()
    try:
        with guarded_session(guard) as session:
            return _follow(session, url, timeout, max_bytes, guard)
    except requests.RequestException as exc:
        if guard.refused:
            raise SourceError(f"{url}: refused: {guard.refused}; {_PRIVATE_FIX}") from None
        if guard.expired or isinstance(exc, requests.Timeout):
            raise _timeout(url, timeout) from None
        raise SourceError(f"{url}: could not fetch ({type(exc).__name__})") from None
    finally:
        timer.cancel()


def _follow(session: Any, url: str, timeout: float, max_bytes: int, guard: Guard) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        problem = url_problem(current)
        if problem:
            raise SourceError(f"{url}: cannot fetch {current!r}: {problem}")
        with session.get(
            current,
            timeout=(min(timeout, 10.0), timeout),
            stream=True,
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        ) as response:
            if response.is_redirect:
                current = urljoin(current, response.headers.get("Location", ""))
                continue
            body = _body(response, url, max_bytes)
            if guard.expired:
                raise _timeout(url, timeout)
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Fetched(current, body, headers.get("content-type", ""), headers)
    raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _body(response: Any, url: str, max_bytes: int) -> bytes:
    if response.status_code >= 400:
        raise SourceError(f"{url}: the server answered HTTP {response.status_code}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"{url}: {declared} bytes is over DIGEST_FETCH_MAX_BYTES")
    body = bytearray()
    for chunk in response.iter_content(65536):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise SourceError(f"{url}: larger than DIGEST_FETCH_MAX_BYTES ({max_bytes})")
    return bytes(body)


def _timeout(url: str, timeout: float) -> SourceError:
    return SourceError(f"{url}: no answer within {timeout:g} s (DIGEST_FETCH_TIMEOUT)")
