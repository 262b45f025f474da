"""The contract every platform client implements, on the shared HTTP transport.

A platform is one module here with one :class:`Publisher` subclass that owns
everything about it: its ``name`` (the DIGEST_SOCIAL_PLATFORMS value; the registry,
:mod:`digest.social.platforms.registry`, finds the module), its limit and counting
rule (``limit``, ``unit``, :meth:`Publisher.count`, ``url_weight``, ``bytes_limit``),
``max_hashtags``, the text a link shows (:meth:`Publisher.link_text`), its settings
(``settings_class``, ``required``) and how it is built from them
(:meth:`Publisher.from_settings`). No other module of digest names a platform.

The client implements:

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

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from digest.errors import AuthError, ProviderError
from digest.social.images import CleanImage, ImageLimits, ImageRefused, fetch
from digest.social.measure import Measure, utf8_len, utf16_len
from digest.transport import SERVER_ERRORS, Rules, Transport

if TYPE_CHECKING:
    import requests

    from digest.store.social import SocialStore

T = TypeVar("T")

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
    name = ""
    auth_keys: tuple[str, ...] = ()  # the .env keys to fix when the platform answers 401
    limit: ClassVar[int] = 0  # the most ``unit`` a post may have
    unit: ClassVar[str] = "characters"
    bytes_limit: ClassVar[int] = 0  # a second limit in UTF-8 bytes, 0 for none
    url_weight: ClassVar[int | None] = None  # what every link counts, whatever its length
    max_hashtags: ClassVar[int] = 3
    settings_class: ClassVar[type | None] = None
    image_limits: ClassVar[ImageLimits | None] = None  # None: its posts never carry an uploaded image
    required: ClassVar[tuple[str, ...]] = ()  # fields of settings_class needed to publish
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
        self.notes: list[str] = []  # what went differently but did not stop a post (an image left out)

    # -- what the platform declares ------------------------------------------------
    @classmethod
    def count(cls, text: str) -> int:
        """The length of ``text`` in ``unit`` (default: UTF-16 code units)."""
        return utf16_len(text)

    @classmethod
    def limit_for(cls, settings: Any) -> int:
        """The limit with these settings (a server may set its own)."""
        return cls.limit

    @classmethod
    def rejected(cls, text: str) -> str:
        """Characters of ``text`` the platform refuses in any post, as ``U+XXXX`` codes."""
        return ""

    @classmethod
    def measure(cls, text: str, limit: int | None = None) -> Measure:
        """``text`` counted by this platform's rule against ``limit`` (default: the class's)."""
        size = limit or cls.limit
        if cls.bytes_limit:
            return Measure(cls.count(text), size, cls.unit, utf8_len(text), cls.bytes_limit)
        return Measure(cls.count(text), size, cls.unit, rejected=cls.rejected(text))

    @classmethod
    def link_text(cls, url: str) -> str:
        """What the post shows for the article link (default: the address itself)."""
        return url

    @classmethod
    def required_keys(cls, settings: Any) -> list[tuple[str, str]]:
        """(env key, value) of each required setting, in declaration order."""
        if cls.settings_class is None:
            return []
        options = settings.options(cls.settings_class)
        keys = {f.name: f.metadata["env"] for f in dataclasses.fields(cls.settings_class)}
        return [(keys[name], str(getattr(options, name))) for name in cls.required]

    @classmethod
    def from_settings(cls, settings: Any, store: SocialStore) -> Publisher:
        """The client, built from the platform's settings (``store`` keeps a session, if any)."""
        raise NotImplementedError(f"{cls.__name__} must implement from_settings")

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        """Publish one part; return its reference. Must be implemented by each platform.

        Call ``note`` with any id that must survive a crash before the irreversible
        step (e.g. a Threads container). Raises ProviderError (AuthError on 401).
        """
        raise NotImplementedError

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        """Look for a part whose outcome is unknown; None if it was not published."""
        raise NotImplementedError

    def image_for(self, part: PartRequest) -> tuple[CleanImage, str] | None:
        """The article's image, made safe for this platform, and its alt text, for the first part
        of a post; None (and a note saying why) when there is none or it cannot go."""
        address = str(part.payload.get("image") or "")
        if part.position or not address or self.image_limits is None:
            return None
        try:
            image = fetch(address, self.timeout, self.image_limits)
        except ImageRefused as exc:
            self.left_out(part, str(exc))
            return None
        return image, str(part.payload.get("image_alt") or "")[: self.image_limits.alt_max]

    def attach(self, part: PartRequest, upload: Callable[[CleanImage, str], T]) -> T | None:
        """What ``upload(image, alt)`` makes of the article's cleaned image (a media id, an embed),
        for the first part of a post. None, with a note saying why, when there is no image or it
        cannot go: the post then goes without it, never lost for it. Uploading posts nothing, so
        it is safe to repeat; only a refused credential stops the platform, as for the post."""
        ready = self.image_for(part)
        if ready is None:
            return None
        try:
            return upload(*ready)
        except AuthError:
            raise
        except ImageRefused as exc:
            self.left_out(part, str(exc))
        except ProviderError as exc:
            self.left_out(part, f"the upload was refused ({exc})")
        except (KeyError, TypeError, ValueError):
            self.left_out(part, "the platform's answer to the upload was not understood")
        return None

    def left_out(self, part: PartRequest, reason: str) -> None:
        title = part.payload.get("article_title", "")
        self.notes.append(f"{self.name} post for {title!r}: published without its image: {reason}")

    def close(self) -> None:
        self.transport.close()

    def call(self, method: str, path: str, *, creates: bool = False, **kwargs: Any) -> requests.Response:
        """One request through the shared transport (see :mod:`digest.transport`).

        ``creates``: the request makes a post, so it is not safe to repeat: a timeout
        or a 5xx after sending leaves the outcome unknown (it may exist).
        """
        url = path if path.startswith("http") else self.base_url + path
        return self.transport.request(method, url, repeat=not creates, **kwargs)
