"""Fake Bluesky PDS: createSession, refreshSession, createRecord (checks facets' UTF-8 byte
offsets, the embed and the TID record key), getRecord, uploadBlob (raw bytes with their image
Content-Type, at most 1,000,000 bytes for a post image; an images embed must cite such a blob and
carry ``alt``)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, need

TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


class FakeBluesky(FakePlatform):
    def __init__(self, handle: str = "org.bsky.social", password: str = "app-pass") -> None:
        super().__init__()
        self.account, self.password = handle, password
        self.records: dict[str, dict[str, Any]] = {}
        self.logins = 0
        self.access = "access-1"
        self.expired: set[str] = set()
        self.blobs: dict[str, tuple[str, bytes]] = {}  # cid -> (mime type, bytes)

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/xrpc/com.atproto.server.createSession":
            body = req.json()
            if (body.get("identifier"), body.get("password")) != (self.account, self.password):
                return (
                    401,
                    {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                    {},
                )
            self.logins += 1
            self.access = f"access-{self.logins}"
            return (
                200,
                {
                    "did": "did:plc:org",
                    "accessJwt": self.access,
                    "refreshJwt": "refresh-1",
                    "handle": self.account,
                },
                {},
            )
        if req.path == "/xrpc/com.atproto.server.refreshSession":
            need(req.headers.get("authorization") == "Bearer refresh-1", "refresh token expected")
            self.access = self.access + "r"
            return 200, {"did": "did:plc:org", "accessJwt": self.access, "refreshJwt": "refresh-1"}, {}
        token = req.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.expired:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if token != self.access:
            return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
        if req.path == "/xrpc/com.atproto.repo.uploadBlob":
            return self._blob(req)
        if req.path == "/xrpc/com.atproto.repo.createRecord":
            return self._create(req.json())
        if req.path == "/xrpc/com.atproto.repo.getRecord":
            rkey = req.query.get("rkey", "")
            if rkey not in self.records:
                return 400, {"error": "RecordNotFound", "message": "Could not locate record"}, {}
            return 200, self.records[rkey], {}
        return 404, {"error": "NotFound"}, {}

    def _create(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        need(body.get("repo") == "did:plc:org", "repo must be the session's DID")
        need(body.get("collection") == "app.bsky.feed.post", "collection")
        rkey = body.get("rkey", "")
        need(bool(TID.match(rkey)), f"rkey {rkey!r} is not a TID")
        record = body["record"]
        need(record.get("$type") == "app.bsky.feed.post", "$type")
        text = record["text"]
        need(len(text.encode()) <= 3000, "text over 3000 bytes")
        need(record["createdAt"].endswith("Z"), "createdAt must be UTC ISO 8601")
        raw = text.encode()
        for facet in record.get("facets", []):
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            need(0 <= start < end <= len(raw), "facet outside the text")
            segment = raw[start:end].decode("utf-8")  # raises if not on character boundaries
            feature = facet["features"][0]
            if feature["$type"] == "app.bsky.richtext.facet#tag":
                need(segment == "#" + feature["tag"], f"tag facet covers {segment!r}")
            else:
                need(feature["$type"] == "app.bsky.richtext.facet#link", "unknown facet")
                need(feature["uri"].startswith("http"), "link facet uri")
        self._check_embed(record.get("embed"))
        if rkey in self.records:
            return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}
        uri = f"at://did:plc:org/app.bsky.feed.post/{rkey}"
        self.records[rkey] = {"uri": uri, "cid": f"cid-{rkey}", "value": record}
        return 200, {"uri": uri, "cid": f"cid-{rkey}"}, {}

    def _blob(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        need(req.method == "POST", "uploadBlob is a POST")
        mime = req.headers.get("content-type", "")
        need(mime in ("image/jpeg", "image/png"), f"blob Content-Type {mime!r}")
        need(0 < len(req.body) <= 1_000_000, f"blob of {len(req.body)} bytes (the image limit is 1,000,000)")
        cid = f"bafkrei{len(self.blobs):04d}"
        self.blobs[cid] = (mime, req.body)
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(req.body)}
        return 200, {"blob": blob}, {}

    def _check_embed(self, embed: Any) -> None:
        if embed is None:
            return
        if embed["$type"] == "app.bsky.embed.external":
            need(bool(embed["external"].get("uri")), "link card without uri")
            return
        need(embed["$type"] == "app.bsky.embed.images", f"embed {embed['$type']!r}")
        images = embed["images"]
        need(1 <= len(images) <= 4, "1 to 4 images")
        for image in images:
            need(isinstance(image.get("alt"), str), "alt is required (may be empty)")
            blob = image["image"]
            uploaded = blob.get("$type") == "blob" and blob["ref"]["$link"] in self.blobs
            need(uploaded, "image is not an uploaded blob")
            ratio = image.get("aspectRatio", {"width": 1, "height": 1})
            need(ratio["width"] > 0 and ratio["height"] > 0, "aspectRatio")
