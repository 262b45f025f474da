"""Fake LinkedIn Posts API: version headers, Restli 2.0.0, escaped commentary, x-restli-id; the
Images API: POST /rest/images?action=initializeUpload (owner URN) answers with an upload address
and an image URN, the bytes are PUT there with the same token (JPEG, PNG or GIF, under 36,152,320
pixels), and a post shows the image by ``content.media`` (``id``, ``altText`` up to 4,086)."""

from __future__ import annotations

import io
import re
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need, need_image

# Reserved little-text characters that must carry a backslash (outside links and #tags).
_UNESCAPED = re.compile(r"(?<!\\)[|{}@\[\]()<>*_~]")
IMAGE_MAX = 5 * 1024 * 1024  # what the fake takes; LinkedIn documents the pixel count
KINDS = ("image/jpeg", "image/png", "image/gif")


class FakeLinkedIn(FakePlatform):
    def __init__(self, token: str = "ltoken") -> None:
        super().__init__()
        self.token = token
        self.posts: list[dict[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {}  # urn -> owner, data, mime, post

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Invalid access token", "status": 401}, {}
        if req.method == "PUT" and req.path.startswith("/dms-uploads/"):
            return self._bytes(req)  # the upload address: LinkedIn's own storage, not the REST API
        need(re.fullmatch(r"\d{6}", req.headers.get("linkedin-version", "")) is not None, "LinkedIn-Version")
        need(req.headers.get("x-restli-protocol-version") == "2.0.0", "X-Restli-Protocol-Version")
        if req.method == "POST" and req.path == "/rest/images":
            return self._initialize(req)
        if req.method == "POST" and req.path == "/rest/posts":
            body = req.json()
            need(body.get("author", "").startswith("urn:li:"), "author URN")
            need(body.get("lifecycleState") == "PUBLISHED", "lifecycleState")
            need(body.get("visibility") == "PUBLIC", "visibility")
            need(body["distribution"]["feedDistribution"] == "MAIN_FEED", "distribution")
            plain = re.sub(r"https?://\S+|#\w+", "", body["commentary"])
            need(not _UNESCAPED.search(plain), "unescaped reserved character: LinkedIn would cut the post")
            urn = f"urn:li:share:{700 + len(self.posts)}"
            self._content(body.get("content", {}), body["author"], urn)
            self.posts.append({"id": urn, **body})
            return 201, {}, {"x-restli-id": urn}
        if req.path == "/rest/posts" and req.query.get("q") == "author":
            return 200, {"elements": list(reversed(self.posts))}, {}
        return 404, {"message": "Not found"}, {}

    def _initialize(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        need(req.query.get("action") == "initializeUpload", "action=initializeUpload expected")
        need(req.headers.get("content-type", "").startswith("application/json"), "JSON body expected")
        owner = req.json().get("initializeUploadRequest", {}).get("owner", "")
        need(re.fullmatch(r"urn:li:(organization|person):\w+", owner) is not None, f"owner {owner!r}")
        urn = f"urn:li:image:C4E10AQ{len(self.images):06d}"
        self.images[urn] = {"owner": owner, "data": None, "mime": "", "post": None}
        address = f"{self.url}/dms-uploads/{urn.rsplit(':', 1)[1]}"
        value = {"uploadUrlExpiresAt": 1_800_000_000_000, "uploadUrl": address, "image": urn}
        return 200, {"value": value}, {}

    def _bytes(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        from PIL import Image

        urn = "urn:li:image:" + req.path.rsplit("/", 1)[1]
        need(urn in self.images, "no upload was initialized at this address")
        mime = req.headers.get("content-type", "")
        need_image(req.body, mime, IMAGE_MAX, KINDS)
        width, height = Image.open(io.BytesIO(req.body)).size
        need(width * height < 36_152_320, f"{width}x{height} pixels is over LinkedIn's pixel count")
        self.images[urn].update(data=req.body, mime=mime)
        return 201, b"", {}

    def _content(self, content: dict[str, Any], author: str, post: str) -> None:
        need(len(content) <= 1 and set(content) <= {"article", "media"}, f"content {sorted(content)}")
        if "media" not in content:
            return
        media = content["media"]
        image = self.images.get(media.get("id", ""))
        need(image is not None and image["data"] is not None, f"image {media.get('id')!r} was never uploaded")
        assert image is not None
        need(image["owner"] == author, "the image belongs to another owner than the post's author")
        need(image["post"] is None, "the image is already in a post")
        need(isinstance(media.get("altText", ""), str) and len(media.get("altText", "")) <= 4086, "altText")
        image["post"] = post
