"""The contract every platform client implements, and the HTTP seam they share.

A platform client (one module each) subclasses :class:`Publisher` and implements:

- ``publish(part, note, saved) -> Ref``: create one post (one part of a thread).
  Call ``note(container_id)`` as soon as an intermediate object exists (Threads'
  container), so a crash after it is recoverable; ``saved`` is what an earlier
  attempt noted. Return the remote id.
- ``find(part, saved) -> Ref | None``: after an unknown outcome, look for the
  post on the platform (``saved`` is what was recorded for that part). ``None``
  means it is not there, so it may be published again.

Both raise :class:`~digest.errors.ProviderError` (``retryable`` when nothing was
posted and a later try may work; ``outcome_unknown`` when it may have been posted)
or :class:`~digest.errors.AuthError` on HTTP 401. Clients know nothing of `.env`,
the CLI or the ledger: they get their settings in the constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from digest.errors import AuthError, ProviderError


@dataclass(frozen=True)
class Ref:
    id: str
    url: str = ""
    extra: str = ""  # Bluesky: the record's cid (needed to reply to it)


@dataclass(frozen=True)
class PartRequest:
    text: str
    position: int
    idem_key: str  # stable for this part for ever
    payload: dict[str, Any]
    reply_to: Ref | None = None  # the previous part of the thread
    root: Ref | None = None  # the first part of the thread


@dataclass(frozen=True)
class Saved:
    container_id: str = ""


class Publisher:
    name = "base"
    auth_keys: tuple[str, ...] = ()  # the .env keys to fix when the platform answers 401

    def __init__(self, base_url: str, timeout: float, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()
        self.http.headers["User-Agent"] = "digest-social/1"

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        """Publish one part; return its reference. Must be implemented by each platform.

        Call ``note`` with any id that must survive a crash before the irreversible
        step (e.g. a Threads container). Raises ProviderError (AuthError on 401).
        """
        raise NotImplementedError

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        """Look for a part whose outcome is unknown; None if it was not published."""
        raise NotImplementedError

    def close(self) -> None:
        self.http.close()

    # -- HTTP --------------------------------------------------------------------
    def call(self, method: str, path: str, *, creates: bool = False, **kwargs: Any) -> requests.Response:
        """One request; maps failures to ProviderError as the module docstring says.

        ``creates``: the request makes a post, so a timeout or a 5xx after sending
        leaves the outcome unknown (it may exist) instead of merely retryable.
        """
        url = path if path.startswith("http") else self.base_url + path
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectTimeout, requests.exceptions.InvalidURL) as exc:
            raise ProviderError(self.name, f"cannot connect ({type(exc).__name__})", retryable=True) from None
        except requests.ConnectionError as exc:
            refused = "NewConnectionError" in repr(exc) or "NameResolution" in repr(exc)
            raise ProviderError(
                self.name,
                "cannot connect" if refused else "the connection broke during the request",
                retryable=refused,
                outcome_unknown=creates and not refused,
            ) from None
        except requests.Timeout:
            raise ProviderError(
                self.name,
                f"no answer within {self.timeout:g} s (DIGEST_SOCIAL_TIMEOUT)",
                retryable=not creates,
                outcome_unknown=creates,
            ) from None
        self.check(response, creates)
        return response

    def check(self, response: requests.Response, creates: bool) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = _detail(response)
        if status == 401:
            keys = " and ".join(self.auth_keys) or "the credentials"
            raise AuthError(
                self.name,
                f"the platform refused the credentials ({detail}); the channel needs re-authorisation: "
                f"put a new token in {keys}, then run digest social publish",
                status_code=401,
            )
        if status == 429:
            raise ProviderError(
                self.name,
                f"rate limited ({detail})",
                status_code=429,
                retryable=True,
                retry_after=_wait(response),
            )
        if status >= 500:
            raise ProviderError(
                self.name,
                f"server error ({detail})",
                status_code=status,
                retryable=not creates,
                outcome_unknown=creates,
                retry_after=_wait(response),
            )
        raise ProviderError(self.name, f"refused: {detail}", status_code=status)


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason or "no details"
    if isinstance(body, dict):
        if isinstance(body.get("error"), str) and body.get("message"):
            return f"{body['error']}: {body['message']}"[:200]  # atproto: code and text
        for key in ("error_description", "message", "detail", "error", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if value:
                return str(value)[:200]
    return str(body)[:200]


def _wait(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    try:
        return float(raw) if raw else None
    except ValueError:
        return None
