"""Fetching from the web: public addresses only, a total deadline, a User-Agent, a cap on size.

:func:`fetch` reads a feed or a page; :func:`probe` only asks whether a link works (the
pre-flight's link check), by the same rules: every connection and redirect hop to a public
address only, one deadline for the whole fetch, and never more than a small cap of the body.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

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

    with _guarded(timeout, allow_private) as (session, guard):
        try:
            return _follow(session, url, timeout, max_bytes, guard)
        except requests.RequestException as exc:
            why = _failure(exc, guard, timeout, " (DIGEST_FETCH_TIMEOUT)")
            raise SourceError(f"{url}: {why}", _failure_kind(exc, guard)) from None


@contextmanager
def _guarded(timeout: float, allow_private: bool) -> Iterator[tuple[Any, Guard]]:
    """A guarded session and its guard, whose timer cuts every socket when ``timeout`` passes."""
    guard = Guard(allow_private)
    timer = threading.Timer(timeout, guard.cut)
    timer.daemon = True
    timer.start()
    try:
        with guarded_session(guard) as session:
            yield session, guard
    finally:
        timer.cancel()


def _failure(exc: BaseException, guard: Guard, timeout: float, key: str = "") -> str:
    import requests

    if guard.refused:
        return f"refused: {guard.refused}; {_PRIVATE_FIX}"
    if guard.expired or isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s{key}"
    if _no_such_host(exc):
        return NO_SUCH_HOST
    return f"could not fetch ({type(exc).__name__})"


def _failure_kind(exc: BaseException, guard: Guard) -> str:
    """The kind of a failed fetch, in a word or two (source health)."""
    import requests

    if guard.refused:
        return "refused address"
    if guard.expired or isinstance(exc, requests.Timeout):
        return "timeout"
    return "no such host" if _no_such_host(exc) else "unreachable"


NO_SUCH_HOST = "no such host (the name does not resolve)"


def _no_such_host(exc: BaseException) -> bool:
    """True when the host name did not resolve (DNS), anywhere in the exception's causes."""
    import socket


    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror):  # a temporary failure (EAI_AGAIN) is not an answer
            return item.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        stack += [getattr(item, "reason", None), item.__cause__, item.__context__]
        stack += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
    return False


def _follow(session: Any, url: str, timeout: float, max_bytes: int, guard: Guard) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        problem = url_problem(current)
        if problem:
            raise SourceError(f"{url}: cannot fetch {current!r}: {problem}", "bad address")
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
    raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects", "redirect loop")


def _body(response: Any, url: str, max_bytes: int) -> bytes:
    if response.status_code >= 400:
        code = response.status_code
        raise SourceError(f"{url}: the server answered HTTP {code}", f"HTTP {code}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"{url}: {declared} bytes is over DIGEST_FETCH_MAX_BYTES", "too large")
    body = bytearray()
    for chunk in response.iter_content(65536):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise SourceError(f"{url}: larger than DIGEST_FETCH_MAX_BYTES ({max_bytes})", "too large")
    return bytes(body)


def _timeout(url: str, timeout: float) -> SourceError:
    return SourceError(f"{url}: no answer within {timeout:g} s (DIGEST_FETCH_TIMEOUT)", "timeout")


@dataclass(frozen=True)
class Probe:
    """What one link led to: the last answer's ``status`` (0 for none, then ``problem`` says
    why) at ``final_url``, and the first ``peek`` bytes of its page when it is on another host."""

    url: str
    status: int = 0
    final_url: str = ""
    problem: str = ""
    peek: bytes = b""

    @property
    def no_such_host(self) -> bool:
        return self.problem == NO_SUCH_HOST


def probe(url: str, *, timeout: float, peek_bytes: int = 32_768, allow_private: bool = False) -> Probe:
    """Follow ``url`` (GET, redirects one hop at a time, each checked like :func:`fetch`'s) and
    say where it ended and what answered; never raises for a network failure.

    The body is not read, except up to ``peek_bytes`` of a page on another host than ``url``'s
    (to recognise a parked domain); a GET, not a HEAD, because many sites answer HEAD wrongly.
    """
    import requests

    with _guarded(timeout, allow_private) as (session, guard):
        try:
            return _probe(session, url, timeout, peek_bytes)
        except requests.RequestException as exc:
            return Probe(url, problem=_failure(exc, guard, timeout))
        except SourceError as exc:
            return Probe(url, problem=str(exc).removeprefix(f"{url}: "))


def _probe(session: Any, url: str, timeout: float, peek_bytes: int) -> Probe:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        problem = url_problem(current)
        if problem:
            raise SourceError(f"{url}: cannot follow {current!r}: {problem}")
        with session.get(current, timeout=(min(timeout, 10.0), timeout), stream=True, allow_redirects=False,
                         headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}) as response:
            if response.is_redirect:
                current = urljoin(current, response.headers.get("Location", ""))
                continue
            other_host = urlsplit(current).hostname != urlsplit(url).hostname
            peek = _peek(response, peek_bytes) if other_host and response.status_code < 400 else b""
            return Probe(url, response.status_code, current, peek=peek)
    raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _peek(response: Any, limit: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(8192):
        body.extend(chunk)
        if len(body) >= limit:
            break
    return bytes(body[:limit])
