"""X: API v2 POST /2/tweets, signed with OAuth 1.0a user context (the tokens do not expire)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from requests_oauthlib import OAuth1

from digest.social.platforms.base import PartRequest, Publisher, Ref, Saved


class X(Publisher):
    name = "x"
    auth_keys = ("DIGEST_X_ACCESS_TOKEN", "DIGEST_X_ACCESS_SECRET")

    def __init__(
        self, base_url: str, api_key: str, api_secret: str, token: str, token_secret: str, timeout: float
    ) -> None:
        super().__init__(base_url, timeout)
        self.http.auth = OAuth1(api_key, api_secret, token, token_secret, signature_type="AUTH_HEADER")

    def publish(self, part: PartRequest, note: Callable[[str], None], saved: Saved) -> Ref:
        body: dict[str, Any] = {"text": part.text}
        if part.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": part.reply_to.id}
        data = self.call("POST", "/2/tweets", creates=True, json=body).json()["data"]
        return Ref(str(data["id"]), f"https://x.com/i/web/status/{data['id']}")

    def find(self, part: PartRequest, saved: Saved) -> Ref | None:
        me = self.call("GET", "/2/users/me").json()["data"]["id"]
        fields = {"max_results": 20, "tweet.fields": "entities,referenced_tweets"}
        tweets = self.call("GET", f"/2/users/{me}/tweets", params=fields).json().get("data", [])
        for tweet in tweets:
            replied = [r["id"] for r in tweet.get("referenced_tweets", []) if r.get("type") == "replied_to"]
            if part.reply_to:
                if part.reply_to.id in replied:
                    return Ref(str(tweet["id"]))
                continue
            urls = [u.get("expanded_url") for u in tweet.get("entities", {}).get("urls", [])]
            if part.payload["url"] in urls:
                return Ref(str(tweet["id"]))
        return None
