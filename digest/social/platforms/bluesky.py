"""Bluesky: createSession once (cached; the entryway allows few logins a day), then
com.atproto.repo.createRecord with facets, a link card and a deterministic record key,
so a retry collides with the first attempt instead of posting twice.

Rich text: links and hashtags are plain text unless described by facets. A facet
points at a range of the post in UTF-8 *byte* offsets (end exclusive). The visible
link label (``example.org/news/…``) gets a link facet to the full address; other
http(s) links link to themselves; ``#tags`` get tag facets whose value has no ``#``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from digest.config.base import setting, url
from digest.config.social import platform_key
from digest.errors import AuthError, ProviderError
from digest.social.images import CleanImage, ImageLimits
from digest.social.measure import graphemes
from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved

POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"

Session = dict[str, Any]
LINK_LABEL = 30  # graphemes of the visible link label; the facet holds the full address


@dataclass(frozen=True, kw_only=True)
class BlueskySettings:
    base_url: str = setting(
        "DIGEST_BLUESKY_BASE_URL",
        "https://bsky.social",
        "Bluesky server (PDS) of your account.",
        parse=url,
        section="Social",
    )
    handle: str = platform_key(
        "DIGEST_BLUESKY_HANDLE",
        "Bluesky handle of the account that posts.",
        secret=False,
        example="ourorg.bsky.social",
    )
    app_password: str = platform_key(
        "DIGEST_BLUESKY_APP_PASSWORD",
        "Bluesky app password (Settings > Privacy and security > App passwords).",
    )


def record_key(idem_key: str, queued_us: int) -> str:
    """A TID (13 base32-sortable chars) fixed by the post: time near queueing, clock id from the key."""
    digest = int(hashlib.sha256(idem_key.encode()).hexdigest(), 16)
    micros = queued_us + digest % 1_000_000
    value = ((micros & ((1 << 53) - 1)) << 10) | (digest >> 40) % 1024
    return "".join(_B32[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


class Bluesky(Publisher):
    """Counts extended grapheme clusters (limit 300) and UTF-8 bytes (limit 3,000); the link
    text counts as written."""

    name = "bluesky"
    auth_keys = ("DIGEST_BLUESKY_HANDLE", "DIGEST_BLUESKY_APP_PASSWORD")
    limit, unit, max_hashtags, bytes_limit = 300, "graphemes", 3, 3000
    settings_class = BlueskySettings
    required = ("handle", "app_password")
    # app.bsky.embed.images: a blob of at most 1,000,000 bytes; the app shows 2,000 graphemes of alt.
    image_limits = ImageLimits(max_bytes=1_000_000, max_side=2000, max_pixels=4_000_000, alt_max=2000)

    @classmethod
    def count(cls, text: str) -> int:
        return graphemes(text)

    @classmethod
    def link_text(cls, url: str) -> str:
        """``example.org/news/a-long-sl…``: what Bluesky shows in place of the full address."""
        parts = urlsplit(url)
        label = (parts.netloc + parts.path).removeprefix("www.").rstrip("/")
        return label if len(label) <= LINK_LABEL else label[: LINK_LABEL - 1] + "…"

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> Bluesky:
        o = settings.options(BlueskySettings)
        return cls(
            o.base_url,
            o.handle,
            o.app_password,
            settings.social_timeout,
            load=lambda: store.session(cls.name),
            save=lambda data: store.save_session(cls.name, data),
        )

    def __init__(
        self,
        base_url: str,
        handle: str,
        app_password: str,
        timeout: float,
        load: Callable[[], Session | None] = lambda: None,
        save: Callable[[Session | None], None] = lambda _s: None,
    ) -> None:
        super().__init__(base_url, timeout)
        self.handle, self.app_password = handle, app_password
        self.load, self.save = load, save
        self.session: Session | None = None

    # -- session -----------------------------------------------------------------
    def _login(self) -> Session:
        body = {"identifier": self.handle, "password": self.app_password}
        data = self.call("POST", "/xrpc/com.atproto.server.createSession", json=body).json()
        session = {"did": data["did"], "accessJwt": data["accessJwt"], "refreshJwt": data["refreshJwt"]}
        self.save(session)
        return session

    def _refresh(self, session: Session) -> Session:
        try:
            data = self.call(
                "POST",
                "/xrpc/com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {session['refreshJwt']}"},
            ).json()
        except (AuthError, ProviderError):
            return self._login()
        fresh = {
            "did": data.get("did", session["did"]),
            "accessJwt": data["accessJwt"],
            "refreshJwt": data["refreshJwt"],
        }
        self.save(fresh)
        return fresh

    def _authed(self, method: str, path: str, *, creates: bool = False,
                headers_extra: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """Call with the cached session; on an expired token refresh once and call again."""
        if self.session is None:
            self.session = self.load() or self._login()
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.session['accessJwt']}", **(headers_extra or {})}
            try:
                return self.call(method, path, creates=creates, headers=headers, **kwargs).json()
            except (AuthError, ProviderError) as exc:
                expired = exc.status_code == 401 or "ExpiredToken" in str(exc)
                if not expired or attempt == 2:
                    raise
                self.session = self._refresh(self.session)
        raise AssertionError("unreachable")

    # -- posts ---------------------------------------------------------------------
    def _rkey(self, part: PartRequest) -> str:
        return record_key(part.idem_key, int(part.payload.get("queued_us", 0)))

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        payload = part.payload
        record: dict[str, Any] = {
            "$type": POST,
            "text": part.text,
            "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "langs": [payload.get("language") or "en"],
            "facets": build_facets(part.text, payload.get("link_text", ""), payload["url"]),
        }
        if part.position == 0:
            record["embed"] = self._embed(part)
        if part.reply_to and part.root:
            record["reply"] = {
                "root": {"uri": part.root.id, "cid": part.root.extra},
                "parent": {"uri": part.reply_to.id, "cid": part.reply_to.extra},
            }
        body = {"collection": POST, "rkey": self._rkey(part), "record": record}
        try:
            data = self._authed(
                "POST", "/xrpc/com.atproto.repo.createRecord", creates=True, json=self._with_repo(body)
            )
        except ProviderError as exc:
            if exc.status_code == 400 and "exist" in str(exc).lower():
                found = self.find(part, saved)  # the first attempt got through
                if found:
                    return found
            raise
        return Ref(str(data["uri"]), _web_url(str(data["uri"]), self.handle), str(data["cid"]))

    def _embed(self, part: PartRequest) -> dict[str, Any]:
        """The article's image with its alt text (uploaded as a blob), else a link card."""
        payload = part.payload
        images = self.attach(part, self._images)
        if images is not None:
            return images
        return {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": payload["url"],
                "title": payload.get("title", "")[:300],
                "description": payload.get("description", "")[:1000],
            },
        }

    def _images(self, image: CleanImage, alt: str) -> dict[str, Any]:
        blob = self._authed("POST", "/xrpc/com.atproto.repo.uploadBlob", data=image.data,
                            headers_extra={"Content-Type": image.mime})["blob"]
        ratio = {"width": image.width, "height": image.height}
        return {"$type": "app.bsky.embed.images",
                "images": [{"image": blob, "alt": alt, "aspectRatio": ratio}]}

    def _with_repo(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = self.load() or self._login()
        return {"repo": self.session["did"], **body}

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        params = {"collection": POST, "rkey": self._rkey(part)}
        try:
            data = self._authed("GET", "/xrpc/com.atproto.repo.getRecord", params=self._with_repo(params))
        except ProviderError as exc:
            if exc.status_code in (400, 404) and "notfound" in str(exc).lower().replace(" ", ""):
                return None
            raise
        return Ref(str(data["uri"]), _web_url(str(data["uri"]), self.handle), str(data["cid"]))


def _web_url(uri: str, handle: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


# -- rich text ---------------------------------------------------------------------
_TAG = r"(?<![\p{L}\p{N}_#])#(?P<tag>(?=[\p{L}\p{N}_]*\p{L})[\p{L}\p{N}_]{1,64})"


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": {"byteStart": _bytes(text, start), "byteEnd": _bytes(text, end)},
        "features": [feature],
    }


def build_facets(text: str, link_label: str, link_url: str) -> list[dict[str, Any]]:
    """The facets of ``text``: ``link_label`` (its last occurrence) links to ``link_url``,
    then every other http(s) link and every ``#tag``, in the order they appear."""
    # Imported here: every command reads the platforms' settings, and these cost its start-up.
    import regex

    from digest.social.urls import find_links

    facets: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    label_at = text.rfind(link_label) if link_label else -1
    if label_at >= 0:
        end = label_at + len(link_label)
        facets.append(_facet(text, label_at, end, {"$type": "app.bsky.richtext.facet#link", "uri": link_url}))
        taken.append((label_at, end))
    for link in find_links(text, bare_domains=False):
        if any(s < link.end and link.start < e for s, e in taken):
            continue
        facets.append(
            _facet(text, link.start, link.end, {"$type": "app.bsky.richtext.facet#link", "uri": link.url})
        )
        taken.append((link.start, link.end))
    for match in regex.finditer(_TAG, text):  # the regex module caches the compiled pattern
        if any(s <= match.start() < e for s, e in taken):
            continue
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group("tag")}
        facets.append(_facet(text, match.start(), match.end(), feature))
    return sorted(facets, key=lambda f: f["index"]["byteStart"])
