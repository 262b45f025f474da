"""A local web server for article images (127.0.0.1, a free port), and pictures made for tests.

``photo()`` makes a JPEG as a phone would: EXIF with a GPS position, the camera's make and model
and an orientation, XMP and an ICC profile; the tests check that none of it is uploaded.
"""

from __future__ import annotations

import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


class ImageHost:
    """Serves ``files`` (path -> (content type, bytes)); counts requests per path."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.hits: dict[str, int] = {}
        self.headers_seen: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    def add(self, path: str, data: bytes, kind: str = "image/jpeg") -> str:
        self.files[path] = (kind, data)
        return self.url + path

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ImageHost:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                host.hits[self.path] = host.hits.get(self.path, 0) + 1
                host.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
                kind, data = host.files.get(self.path, ("text/html", b""))
                self.send_response(200 if self.path in host.files else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
