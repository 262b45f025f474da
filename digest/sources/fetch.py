"""Fetching from the web: timeouts, a User-Agent, and a cap on size."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from digest import __version__
from digest.errors import SourceError

USER_AGENT = f"digest/{__version__} (+newsletter digest; https://example.org)"


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    content_type: str


def fetch(url: str, *, timeout: float, max_bytes: int, session: requests.Session | None = None) -> Fetched:
    """GET ``url``; raise SourceError for anything but a 2xx body within ``max_bytes``."""
    if not url.startswith(("http://", "https://")):
        raise SourceError(f"{url}: only http:// and https:// addresses can be fetched")
    getter = session or requests
    try:
        with getter.get(
            url,
            timeout=(min(timeout, 10.0), timeout),
            stream=True,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        ) as response:
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
            return Fetched(response.url, bytes(body), response.headers.get("Content-Type", ""))
    except requests.Timeout:
        raise SourceError(f"{url}: no answer within {timeout:g} s (DIGEST_FETCH_TIMEOUT)") from None
    except requests.RequestException as exc:
        raise SourceError(f"{url}: could not fetch ({type(exc).__name__})") from None
