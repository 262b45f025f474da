"""Fake Bluesky PDS: createSession, refreshSession, createRecord (checks facets' UTF-8 byte
offsets, the embed and the TID record key), getRecord."""

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
        if rkey in self.records:
            return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}
        uri = f"at://did:plc:org/app.bsky.feed.post/{rkey}"
        self.records[rkey] = {"uri": uri, "cid": f"cid-{rkey}", "value": record}
        return 200, {"uri": uri, "cid": f"cid-{rkey}"}, {}
