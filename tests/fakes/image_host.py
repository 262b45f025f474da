"""A local web server for article images (127.0.0.1, a free port), and pictures made for tests.

``photo()`` makes a JPEG as a phone would: EXIF with a GPS position, the camera's make and model
and an orientation, XMP and an ICC profile; the tests check that none of it is uploaded.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from tests.fakes.social_http import FakePlatform, Request

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Yanji"/>'
       b"</rdf:RDF></x:xmpmeta>")


def photo(size: tuple[int, int] = (640, 480), orientation: int = 1, fmt: str = "JPEG") -> bytes:
    """A noisy picture carrying GPS (42.9 N, 129.5 E), camera, XMP and ICC metadata."""
    from PIL import Image, ImageCms

    image = Image.effect_noise(size, 60).convert("RGB")
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "PhoneMaker", "Phone 12", orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (42.0, 54.0, 30.5), 3: "E", 4: (129.0, 30.0, 12.25)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, icc_profile=icc, xmp=XMP, quality=90)
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A small PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class ImageHost(FakePlatform):
    """Serves ``files`` (path -> (content type, bytes)); counts requests per path."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[str, bytes]] = {}
        self.hits: dict[str, int] = {}
        self.headers_seen: list[dict[str, str]] = []

    def add(self, path: str, data: bytes, kind: str = "image/jpeg") -> str:
        self.files[path] = (kind, data)
        return self.url + path

    def handle(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        self.hits[req.path] = self.hits.get(req.path, 0) + 1
        self.headers_seen.append(req.headers)
        kind, data = self.files.get(req.path, ("text/html", b""))
        return (200 if req.path in self.files else 404), data, {"Content-Type": kind}
