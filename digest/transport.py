"""The one HTTP layer of mail providers and social platforms: failures to ProviderError.

:class:`Transport` owns the ``requests`` session, the timeouts and the User-Agent,
and maps every failure by one table. ``repeat`` says whether sending the same
request twice does no harm (a GET, a request carrying an idempotency key the
service honours, a login):

- connection refused, DNS failure, connect timeout, a malformed address: nothing
  was sent -> retryable;
- a read timeout or a dropped connection after the request went out: retryable if
  ``repeat``, else the service may have acted -> ``outcome_unknown``;
- an answer in ``rules.auth`` (401, 403 for providers): :class:`AuthError` naming
  the keys to fix;
- an answer in ``rules.unknown`` (504 for providers, any 5xx for platforms, whose
  posts can be looked for afterwards): ``outcome_unknown`` unless ``repeat``;
- an answer in ``rules.retry`` (408, 425, 429, 500, 502, 503...): retryable, with
  the wait the service asks for (``Retry-After`` or its own hint);
- any other 4xx or 5xx: a permanent ProviderError with the service's explanation.

No retry happens here: what a failure turns into in the ledger is decided once, in
:mod:`digest.attempts`, for email and social alike.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from digest.errors import AuthError, ProviderError

if TYPE_CHECKING:
    import requests

MAX_DETAIL = 300


@dataclass(frozen=True)
class Rules:
    """Which HTTP answers mean what (see the module docstring)."""

    auth: frozenset[int] = frozenset({401, 403})
    retry: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})
    unknown: frozenset[int] = frozenset({504})


SERVER_ERRORS = frozenset(range(500, 600))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (now if now is not None else time.time()), 0.0)


def retry_after(response: requests.Response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"))


def error_detail(response: requests.Response) -> str:
    """The service's explanation of an error, short and on one line."""
    try:
        body = response.json()
    except ValueError:
        return _short(response.text) or response.reason or "no details"
    if isinstance(body, dict):
        if isinstance(body.get("error"), str) and body.get("message"):
            return _short(f"{body['error']}: {body['message']}")  # atproto: code and text
        for key in ("message", "Message", "error_description", "detail", "error", "errors", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")  # Graph API: {"error": {"message": ...}}
            if value:
                return _short(str(value))
    return _short(str(body))


def _short(text: str) -> str:
    return " ".join(text.split())[:MAX_DETAIL]


def nothing_sent(exc: BaseException) -> bool:
    """True when a requests error happened before any byte of the request left."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.InvalidURL)):
        return True
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
            return True
        stack += [getattr(item, "reason", None), item.__cause__, item.__context__]
        stack += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
    return False


@dataclass
class Transport:
    """One service's HTTP client.

    ``name`` is named in every error; ``auth_fix`` says what to do when the
    credentials are refused; ``timeout_key`` is the setting that holds ``read_timeout``.
    ``hint`` and ``detail`` read the service's wait and explanation from an answer.
    """

    name: str
    read_timeout: float
    user_agent: str
    auth_fix: str = "check the credentials"
    timeout_key: str = ""
    rules: Rules = field(default_factory=Rules)
    hint: Callable[[requests.Response], float | None] = retry_after
    detail: Callable[[requests.Response], str] = error_detail
    _session: requests.Session | None = field(default=None, repr=False)

    @property
    def session(self) -> requests.Session:
        """The session (made on first use): set auth and headers on it."""
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers["User-Agent"] = self.user_agent
        return self._session

    @property
    def timeout(self) -> tuple[float, float]:
        return (min(10.0, self.read_timeout), self.read_timeout)

    def request(self, method: str, url: str, *, repeat: bool, **kwargs: Any) -> requests.Response:
        """Make one request; return the answer below 400 or raise ProviderError by the table."""
        import requests

        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise self.network_error(exc, repeat) from None
        if response.status_code < 400:
            return response
        raise self.status_error(response, repeat, self.credentials(kwargs))

    def download(self, url: str, max_bytes: int) -> bytes:
        """GET ``url`` (a file such as an article's image) as bytes, refusing more than ``max_bytes``:
        a ProviderError if the answer is an error, too large (declared or sent) or too slow."""
        import requests

        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as response:
                if response.status_code >= 400:
                    raise self.status_error(response, True)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ProviderError(self.name, f"{url}: larger than {max_bytes:,} bytes")
                body = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > max_bytes:
                        raise ProviderError(self.name, f"{url}: larger than {max_bytes:,} bytes")
                return bytes(body)
        except requests.RequestException as exc:
            raise self.network_error(exc, True) from None

    def credentials(self, kwargs: dict[str, Any]) -> list[str]:
        """Every credential this request carries (auth headers, Basic auth, token parameters such
        as an ``access_token`` in the query): an answer quoting one back must not print or store it."""
        from digest.redact import credentials_in

        auth = self.session.auth if isinstance(self.session.auth, tuple) else ()
        fields = [kwargs.get(name) for name in ("params", "data", "json")]
        return credentials_in(dict(self.session.headers), auth, *fields)

    def network_error(self, exc: BaseException, repeat: bool) -> ProviderError:
        import requests

        if nothing_sent(exc):
            return ProviderError(self.name, f"cannot connect ({type(exc).__name__})", retryable=True)
        if isinstance(exc, requests.Timeout):
            where = f" ({self.timeout_key})" if self.timeout_key else ""
            what = f"no answer within {self.read_timeout:g} s{where}"
        else:
            what = "the connection dropped"
        if repeat:
            return ProviderError(self.name, f"{what}; trying again", retryable=True)
        return ProviderError(
            self.name,
            f"{what} after the request was sent; it may have gone out, so it is not resent",
            outcome_unknown=True,
        )

    def status_error(
        self, response: requests.Response, repeat: bool, secrets: Sequence[str] = ()
    ) -> ProviderError:
        from digest.redact import redact

        code, rules = response.status_code, self.rules
        detail = redact(self.detail(response) or response.reason or "error", secrets)
        if code in rules.auth:
            return AuthError(self.name, f"the credentials were refused ({detail}); {self.auth_fix}",
                             status_code=code)
        if code in rules.unknown and not repeat:
            return ProviderError(
                self.name,
                f"{code} ({detail}); the request may have gone out, so it is not resent",
                status_code=code,
                outcome_unknown=True,
                retry_after=self.hint(response),
            )
        if code in rules.retry or code in rules.unknown:
            return ProviderError(self.name, detail, status_code=code, retryable=True,
                                 retry_after=self.hint(response))
        return ProviderError(self.name, f"refused: {detail}", status_code=code)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
