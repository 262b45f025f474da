"""Fake Facebook Graph API: POST /{page-id}/feed with message, link and a Page token; a photo by
POST /{page-id}/photos (multipart ``source``, at most 4 MB, ``published=false`` so it shows nowhere
until a feed post attaches it by ``attached_media[0]={"media_fbid": id}``, ``alt_text_custom``)."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.social_http import FakePlatform, Request, multipart, need, need_image

PHOTO_MAX = 4 * 1024 * 1024
KINDS = ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff")
Files = dict[str, tuple[str, str, bytes]]  # multipart name -> (file name, content type, bytes)


class FakeFacebook(FakePlatform):
    def __init__(self, page: str = "555", token: str = "ptoken") -> None:
        super().__init__()
        self.page, self.token = page, token
        self.posts: list[dict[str, Any]] = []
        self.photos: dict[str, dict[str, Any]] = {}  # id -> data, mime, alt, published, post

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        files: Files = {}
        if req.headers.get("content-type", "").startswith("multipart/form-data"):
            files = multipart(req)
            fields = {name: data.decode() for name, (filename, _kind, data) in files.items() if not filename}
        else:
            fields = req.form() if req.method == "POST" else req.query
        if fields.get("access_token") != self.token:
            return (
                401,
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                {},
            )
        if req.method == "POST" and req.path.endswith(f"/{self.page}/photos"):
            return self._photo(files, fields)
        if req.method == "POST" and req.path.endswith(f"/{self.page}/feed"):
            need(bool(fields.get("message")), "message missing")
            post = {"id": f"{self.page}_{900 + len(self.posts)}", "message": fields["message"]}
            if "attached_media[0]" in fields:
                need("link" not in fields, "a link and attached photos in one post")
                post["photo"] = self._attach(fields["attached_media[0]"], post["id"])
            else:
                need(fields.get("link", "").startswith("http"), "link missing")
            self.posts.append(post)
            return 200, {"id": post["id"]}, {}
        if req.path.endswith(f"/{self.page}/posts"):
            return 200, {"data": list(reversed(self.posts))}, {}
        return 404, {"error": {"message": "Unknown path"}}, {}

    def _photo(self, files: Files, fields: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        need("source" in files and files["source"][0] != "", "multipart file 'source' missing")
        _name, mime, data = files["source"]
        need_image(data, mime, PHOTO_MAX, KINDS)
        need(fields.get("published") == "false", "an attached photo is uploaded with published=false")
        photo_id = str(1_020_000 + len(self.photos))
        self.photos[photo_id] = {"data": data, "mime": mime, "alt": fields.get("alt_text_custom"),
                                 "published": False, "post": None}
        return 200, {"id": photo_id}, {}

    def _attach(self, value: str, post: str) -> str:
        media = json.loads(value)
        photo = self.photos.get(str(media.get("media_fbid")))
        need(photo is not None, f"photo {media.get('media_fbid')!r} was never uploaded")
        assert photo is not None
        need(photo["post"] is None, "the photo is already in a post")
        photo["post"] = post
        return str(media["media_fbid"])
