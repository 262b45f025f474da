"""The contract every platform client implements, on the shared HTTP transport.

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
from typing import TYPE_CHECKING, Any

from digest.transport import SERVER_ERRORS, Rules, Transport

if TYPE_CHECKING:
    import requests


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
    # A post can be looked for after an unknown outcome (find), so any 5xx to a request
    # that creates one counts as unknown; a 403 is a refusal (X: duplicate), not a login.
    rules = Rules(auth=frozenset({401}), retry=frozenset({408, 425, 429}) | SERVER_ERRORS,
                  unknown=SERVER_ERRORS)

    def __init__(self, base_url: str, timeout: float, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        keys = " and ".join(self.auth_keys) or "the credentials"
        self.transport = Transport(
            self.name,
            read_timeout=timeout,
            user_agent="digest-social/1",
            auth_fix=f"the channel needs re-authorisation: put a new token in {keys}, "
            "then run digest social publish",
            timeout_key="DIGEST_SOCIAL_TIMEOUT",
            rules=self.rules,
            _session=session,
        )
        self.http = self.transport.session
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
        self.transport.close()

    def call(self, method: str, path: str, *, creates: bool = False, **kwargs: Any) -> requests.Response:
        """One request through the shared transport (see :mod:`digest.transport`).

        ``creates``: the request makes a post, so it is not safe to repeat: a timeout
        or a 5xx after sending leaves the outcome unknown (it may exist).
        """
        url = path if path.startswith("http") else self.base_url + path
        return self.transport.request(method, url, repeat=not creates, **kwargs)
