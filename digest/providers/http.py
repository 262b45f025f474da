"""The HTTP base of every API provider, on the shared :mod:`digest.transport`.

:class:`HttpProvider` gives a provider a :class:`~digest.transport.Transport` with the
User-Agent ``digest/<version>-<provider>``, ``DIGEST_HTTP_TIMEOUT`` and the mail
rules of the transport's table (401/403 refuse the credentials and name
``key_setting``; 408, 425 and 429 are retryable; a 5xx or a lost answer to a
request that is not safe to repeat leaves the outcome unknown, because a 500 can
come after the provider accepted the batch; a 2xx whose body cannot be read,
:meth:`HttpProvider.answer`, likewise). A request that is not safe to repeat is
recorded as handed over before it leaves (:mod:`digest.providers.handover`).

No retry happens here: the dispatcher decides, with the ledger, when to try again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from digest import __version__
from digest.errors import ProviderError
from digest.providers.base import Campaign, CampaignStats, Content, Provider, SendResult, Shared
from digest.providers.handover import handing_over
from digest.render.marks import fill_links
from digest.transport import SERVER_ERRORS, Rules, Transport, error_detail, parse_retry_after, retry_after

if TYPE_CHECKING:
    import requests

__all__ = ["CampaignProvider", "HttpProvider", "bodies_with", "parse_retry_after"]


# Any 5xx to a request not safe to repeat may come after the provider acted: its outcome is unknown.
SEND_RULES = Rules(unknown=SERVER_ERRORS)

class HttpProvider(Provider):
    """A provider that talks JSON or form data over HTTPS.

    Subclasses set ``name`` and ``key_setting`` (the `.env` key of the credential,
    named in auth errors) and implement :meth:`auth`; they may override
    :meth:`base_url`, :meth:`retry_hint` and :meth:`error_detail`.
    """

    key_setting: ClassVar[str] = ""
    records_handover = True

    def __init__(self, options: Any, shared: Shared) -> None:
        super().__init__(options, shared)
        self._transport: Transport | None = None

    # -- to implement ------------------------------------------------------
    def base_url(self) -> str:
        """The API root (default: the ``base_url`` of the provider's settings, its
        ``DIGEST_<NAME>_BASE_URL``)."""
        return str(self.options.base_url)

    def auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        """(headers, basic-auth pair or None) that authenticate every request."""
        raise NotImplementedError

    def retry_hint(self, response: requests.Response) -> float | None:
        """Seconds the provider asks us to wait (default: the Retry-After header)."""
        return retry_after(response)

    def error_detail(self, response: requests.Response) -> str:
        """The provider's explanation of an error, short and on one line."""
        return error_detail(response)

    # -- the layer ---------------------------------------------------------
    @property
    def transport(self) -> Transport:
        if self._transport is None:
            transport = Transport(
                self.name,
                read_timeout=self.shared.http_timeout,
                user_agent=f"digest/{__version__}-{self.name}",
                auth_fix=f"check {self.key_setting}" if self.key_setting else "check the credentials",
                timeout_key="DIGEST_HTTP_TIMEOUT",
                rules=SEND_RULES,
                hint=self.retry_hint,
                detail=self.error_detail,
            )
            headers, basic = self.auth()
            transport.session.headers.update(headers)
            transport.session.headers["Accept"] = "application/json"
            if basic:
                transport.session.auth = basic
            self._transport = transport
        return self._transport

    @property
    def session(self) -> requests.Session:
        return self.transport.session

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
        """Make one request; return the answer or raise ProviderError.

        ``safe_to_repeat``: whether sending the same request twice does no harm
        (default: only for GET).
        """
        repeat = method.upper() == "GET" if safe_to_repeat is None else safe_to_repeat
        url = self.base_url().rstrip("/") + path
        if not repeat:
            handing_over()()  # recorded before the request can leave (after a crash: sent or not?)
        return self.transport.request(
            method, url, repeat=repeat, json=json, data=data, files=files, headers=headers
        )

    def answer(self, response: requests.Response, *path: str | int) -> Any:
        """The JSON of a 2xx answer, or the value at ``path`` in it (keys and indexes).

        An answer that is not JSON, or lacks ``path``, raises ProviderError: after a
        request that is not safe to repeat the provider has acted, so the outcome is
        unknown; after a GET it is retryable.
        """
        try:
            value = response.json()
            for step in path:
                value = value[step]
        except (ValueError, KeyError, IndexError, TypeError):
            what = f"answered {response.status_code} but its answer could not be read"
            if response.request is not None and response.request.method in ("GET", "HEAD"):
                raise ProviderError(self.name, f"{what}; trying again", retryable=True) from None
            raise ProviderError(
                self.name, f"{what}; it acted on the request, so it is not resent", outcome_unknown=True
            ) from None
        return value

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None


class CampaignProvider(HttpProvider):
    """A provider that owns the list: one campaign per edition.

    Implement :meth:`create_draft` (never sends), :meth:`campaign_state` (reads the
    provider's status, normalised), :meth:`start` (the irreversible step) and
    :meth:`test_draft`. Set ``unsubscribe_tag`` / ``manage_tag`` to the provider's
    merge tags; they replace our per-recipient markers in the body. Without a ``manage_tag``
    (the provider has no preferences page) the email's "Manage preferences" line is left out.
    """

    kind = "campaign"
    unsubscribe_tag: ClassVar[str] = ""
    manage_tag: ClassVar[str] = ""
    # The provider's statuses of a campaign that mean "not started" and "sent, sending or scheduled".
    draft_statuses: ClassVar[frozenset[str]] = frozenset({"draft"})
    sent_statuses: ClassVar[frozenset[str]] = frozenset()

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

    def state_of(self, status: object) -> str:
        """The provider's status in our words: ``draft``, ``sent`` or ``failed`` (anything else)."""
        text = str(status or "")
        if text in self.draft_statuses:
            return "draft"
        return "sent" if text in self.sent_statuses else "failed"

    def create(self, path: str, body: dict[str, Any], *id_at: str) -> str:
        """POST a draft to ``path``; its id, found at ``id_at`` in the answer."""
        # A draft sends nothing: repeating the create at worst leaves an unused draft.
        return str(self.answer(self.request("POST", path, json=body, safe_to_repeat=True), *id_at))

    def campaign_stats(self, campaign_id: str) -> CampaignStats | None:
        """Sent and bounce counts of a started campaign, read from the provider (None: it offers none)."""
        return None

    def count(self, data: Any, *path: str | int) -> int:
        """The whole number at ``path`` in an answer; a missing or non-numeric one raises ProviderError."""
        value = data
        try:
            for step in path:
                value = value[step]
        except (KeyError, IndexError, TypeError):
            value = None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            where = ".".join(str(p) for p in path)
            raise ProviderError(self.name, f"its statistics have no count at {where}", retryable=True)
        return int(value)

    def html_body(self, campaign: Campaign) -> str:
        return self._tags(campaign.html)

    def text_body(self, campaign: Campaign) -> str:
        return self._tags(campaign.text)

    def _tags(self, body: str) -> str:
        return fill_links(body, self.unsubscribe_tag, self.manage_tag)

    def send_test(self, campaign: Campaign, address: str, idem_key: str) -> SendResult:
        """One test copy of a campaign to ``address``: a draft of its own, never started."""
        campaign_id = self.create_draft(campaign, idem_key)
        self.test_draft(campaign_id, address)
        return SendResult(provider_id=campaign_id)


def bodies_with(content: Content, html_vars: tuple[str, str], text_vars: tuple[str, str]) -> tuple[str, str]:
    """The shared HTML and text with the per-recipient markers swapped for a provider's variables.

    Batch APIs substitute one value per recipient; the HTML gets an escaped copy of each
    link and the text the raw one, hence two variables per link: (unsubscribe, preferences).
    An empty preferences variable (no preferences page) leaves that footer line out.
    """
    return fill_links(content.html, *html_vars), fill_links(content.text, *text_vars)
