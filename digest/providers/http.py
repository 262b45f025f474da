"""The HTTP layer every API provider stands on.

:class:`HttpProvider` owns the ``requests`` session, the timeouts, the
User-Agent ``digest/<version>-<provider>`` and the mapping of failures to
:class:`~digest.errors.ProviderError`:

- connection refused, DNS failure, connect timeout: nothing was sent -> retryable;
- 408, 425, 429, 500, 502, 503: retryable, with the wait the provider asks for
  (``Retry-After`` or the provider's own hint, see :meth:`HttpProvider.retry_hint`);
- a read timeout, a dropped connection or a 504 after the request went out: the
  provider may have acted -> ``outcome_unknown``, unless repeating is safe (a GET,
  or a request carrying an idempotency key the provider honours);
- 401 and 403: :class:`~digest.errors.AuthError` naming the API-key setting;
- any other 4xx: a permanent ProviderError with the provider's explanation.

No retry happens here: the dispatcher decides, with the ledger, when to try again.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, ClassVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from digest import __version__
from digest.errors import AuthError, ProviderError
from digest.providers.base import MANAGE_MARK, UNSUBSCRIBE_MARK, Campaign, Content, Provider, SendResult

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503}
MAX_DETAIL = 300


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


def _nothing_sent(exc: BaseException) -> bool:
    """True when a requests error happened before any byte of the request left."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
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


class HttpProvider(Provider):
    """A provider that talks JSON or form data over HTTPS.

    Subclasses set ``name`` and ``key_setting`` (the `.env` key of the credential,
    named in auth errors) and implement :meth:`base_url` and :meth:`auth`; they may
    override :meth:`retry_hint` and :meth:`error_detail`.
    """

    key_setting: ClassVar[str] = ""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._session: requests.Session | None = None

    # -- to implement ------------------------------------------------------
    def base_url(self) -> str:
        """The API root, without a trailing slash."""
        raise NotImplementedError

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        """(headers, basic-auth pair or None) that authenticate every request."""
        raise NotImplementedError

    def retry_hint(self, response: requests.Response) -> float | None:
        """Seconds the provider asks us to wait (default: the Retry-After header)."""
        return parse_retry_after(response.headers.get("Retry-After"))

    def error_detail(self, response: requests.Response) -> str:
        """The provider's explanation of an error, short and on one line."""
        try:
            body = response.json()
        except ValueError:
            return " ".join(response.text.split())[:MAX_DETAIL]
        if isinstance(body, dict):
            for key in ("message", "Message", "detail", "error", "errors", "title"):
                if body.get(key):
                    return " ".join(str(body[key]).split())[:MAX_DETAIL]
        return " ".join(str(body).split())[:MAX_DETAIL]

    # -- the layer ---------------------------------------------------------
    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            headers, basic = self.auth()
            session.headers.update(headers)
            session.headers["User-Agent"] = f"digest/{__version__}-{self.name}"
            session.headers["Accept"] = "application/json"
            if basic:
                session.auth = basic
            self._session = session
        return self._session

    @property
    def timeout(self) -> tuple[float, float]:
        read = float(getattr(self.settings, "http_timeout", 30.0))
        return (min(10.0, read), read)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        safe_to_repeat: bool | None = None,
    ) -> requests.Response:
        """Make one request; return the 2xx response or raise ProviderError.

        ``safe_to_repeat``: whether sending the same request twice does no harm
        (default: only for GET).
        """
        repeat = method.upper() == "GET" if safe_to_repeat is None else safe_to_repeat
        url = self.base_url().rstrip("/") + path
        try:
            response = self.session.request(
                method, url, json=json, data=data, files=files, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise self._network_error(exc, repeat) from None
        if response.status_code < 300:
            return response
        raise self._status_error(response, repeat)

    def _network_error(self, exc: requests.RequestException, repeat: bool) -> ProviderError:
        if _nothing_sent(exc):
            return ProviderError(self.name, f"cannot connect ({type(exc).__name__})", retryable=True)
        what = "no answer in time" if isinstance(exc, requests.Timeout) else "the connection dropped"
        if repeat:
            return ProviderError(self.name, f"{what}; trying again", retryable=True)
        return ProviderError(
            self.name,
            f"{what} after the request was sent; it may have gone out, so it is not resent",
            outcome_unknown=True,
        )

    def _status_error(self, response: requests.Response, repeat: bool) -> ProviderError:
        code = response.status_code
        detail = self.error_detail(response) or response.reason or "error"
        if code in (401, 403):
            fix = f"; check {self.key_setting}" if self.key_setting else ""
            return AuthError(self.name, f"the credentials were refused: {detail}{fix}", status_code=code)
        if code == 504 and not repeat:
            return ProviderError(
                self.name,
                f"gateway timeout ({detail}); the request may have gone out, so it is not resent",
                status_code=code,
                outcome_unknown=True,
            )
        if code in RETRYABLE_STATUS or code == 504:
            return ProviderError(
                self.name, detail, status_code=code, retryable=True, retry_after=self.retry_hint(response)
            )
        return ProviderError(self.name, detail, status_code=code)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class CampaignProvider(HttpProvider):
    """A provider that owns the list: one campaign per edition.

    Implement :meth:`create_draft` (never sends), :meth:`campaign_state` (reads the
    provider's status, normalised), :meth:`start` (the irreversible step) and
    :meth:`test_draft`. Set ``unsubscribe_tag`` / ``manage_tag`` to the provider's
    merge tags; they replace our per-recipient markers in the body.
    """

    kind = "campaign"
    unsubscribe_tag: ClassVar[str] = ""
    manage_tag: ClassVar[str] = ""

    def create_draft(self, campaign: Campaign, idem_key: str) -> str:
        """Create the campaign without sending it; return its id."""
        raise NotImplementedError

    def campaign_state(self, campaign_id: str) -> str:
        """``draft`` (not sent, may be started), ``sent`` (sent, sending or scheduled) or ``failed``."""
        raise NotImplementedError

    def start(self, campaign_id: str, idem_key: str) -> None:
        """Send (or schedule now) a draft to the whole list."""
        raise NotImplementedError

    def test_draft(self, campaign_id: str, address: str) -> None:
        """Send a test copy of a draft to one address."""
        raise NotImplementedError

    def html_body(self, campaign: Campaign) -> str:
        return self._tags(campaign.html)

    def text_body(self, campaign: Campaign) -> str:
        return self._tags(campaign.text)

    def _tags(self, body: str) -> str:
        return body.replace(UNSUBSCRIBE_MARK, self.unsubscribe_tag).replace(
            MANAGE_MARK, self.manage_tag or self.unsubscribe_tag
        )

    def send_campaign(self, campaign: Campaign, idem_key: str) -> SendResult:
        campaign_id = self.create_draft(campaign, idem_key)
        self.start(campaign_id, idem_key)
        return SendResult(provider_id=campaign_id)

    def send_test(self, campaign: Campaign, address: str, idem_key: str) -> SendResult:
        campaign_id = self.create_draft(campaign, idem_key)
        self.test_draft(campaign_id, address)
        return SendResult(provider_id=campaign_id)


def bodies_with(content: Content, html_var: str, text_var: str) -> tuple[str, str]:
    """The shared HTML and text with the per-recipient markers swapped for a provider's variables.

    Batch APIs substitute one value per recipient; the HTML gets an escaped copy of
    the link and the text the raw one, hence two variables.
    """
    html = content.html.replace(UNSUBSCRIBE_MARK, html_var).replace(MANAGE_MARK, html_var)
    text = content.text.replace(UNSUBSCRIBE_MARK, text_var).replace(MANAGE_MARK, text_var)
    return html, text
