"""Post images, made safe: decoded and re-encoded in memory, with nothing of the original file kept.

A photo can give away where it was taken (EXIF GPS), by whom and with what (maker notes, XMP,
IPTC), and what it looked like before it was cropped (embedded thumbnails). For an organisation
whose people can be found through a picture, the original is never uploaded: only its pixels are
decoded and written into a new file, which carries no metadata at all. A colour profile is applied
to the pixels (to sRGB) and then dropped too, since a profile's text fields are free text.

Each platform declares its own :class:`ImageLimits`; :func:`prepare` fits the picture to them.
A broken or hostile file (a decompression bomb, a truncated download, something that is not an
image, one too large to fetch) raises :class:`ImageRefused` with a one-line reason: the caller
posts without the image and says so; the post itself never stops.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage

# What any platform is offered at most; a download above this is cut off and refused.
FETCH_MAX_BYTES = 20_000_000
# Pixels decoded at most (a 40-megapixel camera fits); a bomb of 100 000 x 100 000 does not.
DECODE_MAX_PIXELS = 50_000_000
ALLOWED_INPUT = ("JPEG", "PNG", "GIF", "WEBP")


class ImageRefused(Exception):
    """The image cannot go out (the reason is one line, for the preview and the report)."""


@dataclass(frozen=True)
class ImageLimits:
    """One platform's limits for an uploaded image."""

    max_bytes: int
    max_side: int = 4096  # the longest side, in pixels
    max_pixels: int = 33_177_600  # width x height
    png: bool = True  # the platform takes PNG (kept for pictures with transparency)
    alt_max: int = 1000  # characters of alt text


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str  # image/jpeg or image/png
    width: int
    height: int
    filename: str  # never the source's name, which may name someone: image.jpg or image.png


def decode(data: bytes) -> PILImage.Image:
    """The pixels of ``data``, fully decoded, or ImageRefused for anything hostile or broken."""
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is refused, never half-shown
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_INPUT)
            width, height = image.size  # read from the header, before any pixel is decoded
            if width * height > DECODE_MAX_PIXELS:
                raise ImageRefused(f"{width}x{height} pixels is more than digest decodes (a bomb?)")
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too many pixels to decode safely (a decompression bomb?)") from None
    except Image.UnidentifiedImageError:
        raise ImageRefused("not a JPEG, PNG, GIF or WebP image") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRefused(f"the image file is broken ({' '.join(str(exc).split())[:80]})") from None
    return image


def _upright_srgb(image: PILImage.Image) -> PILImage.Image:
    """The picture turned as its EXIF orientation says (the tag itself is then dropped) and its
    colours converted to sRGB if it carries a profile, as new pixels without any ``info``."""
    from PIL import ImageOps

    try:
        image = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, TypeError, SyntaxError):
        pass  # a broken EXIF block: keep the pixels as stored
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    profile = image.info.get("icc_profile")
    image = image.convert("RGBA" if alpha else "RGB")
    if profile:
        image = _to_srgb(image, profile)
    fresh = image.copy()
    fresh.info = {}
    return fresh


def _to_srgb(image: PILImage.Image, profile: bytes) -> PILImage.Image:
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        srgb = None
    return srgb or image  # a broken profile: the pixels as they are, without it


def _fit(image: PILImage.Image, limits: ImageLimits) -> PILImage.Image:
    from PIL import Image

    width, height = image.size
    scale = min(1.0, limits.max_side / max(width, height), (limits.max_pixels / (width * height)) ** 0.5)
    if scale < 1.0:
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def encode(image: PILImage.Image, limits: ImageLimits) -> tuple[bytes, str]:
    """The picture as a new JPEG (PNG when it has transparency and the platform takes PNG) within
    ``limits.max_bytes``: lower quality first, then smaller, never any metadata."""
    from PIL import Image

    if image.mode == "RGBA" and not limits.png:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    for _ in range(8):
        image = _fit(image, limits)
        if image.mode == "RGBA":
            out, mime = _save(image, "PNG", optimize=True), "image/png"
            if len(out) <= limits.max_bytes:
                return out, mime
        else:
            for quality in (88, 80, 70, 60):
                out = _save(image, "JPEG", quality=quality, optimize=True)
                if len(out) <= limits.max_bytes:
                    return out, "image/jpeg"
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))
    raise ImageRefused(f"cannot be made smaller than {limits.max_bytes:,} bytes")


def _save(image: PILImage.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)  # no exif=, icc_profile= or pnginfo=: nothing but pixels
    return buffer.getvalue()


def prepare(data: bytes, limits: ImageLimits) -> CleanImage:
    """``data`` decoded, cleaned and re-encoded within ``limits`` (ImageRefused if it cannot be)."""
    if len(data) > FETCH_MAX_BYTES:
        raise ImageRefused(f"larger than {FETCH_MAX_BYTES:,} bytes")
    image = _upright_srgb(decode(data))
    out, mime = encode(image, limits)
    final = decode(out)  # what goes out is read back: it must open, and it is the size we say
    name = "image.png" if mime == "image/png" else "image.jpg"
    return CleanImage(out, mime, final.width, final.height, name)


def fetch(url: str, timeout: float, limits: ImageLimits) -> CleanImage:
    """The image at ``url`` fetched (time-out, size cap) and made safe by :func:`prepare`.

    Its own client, not the platform's: the platform's credentials never go to an image's host."""
    from digest.errors import ProviderError
    from digest.transport import Transport

    if not url.startswith(("https://", "http://")):
        raise ImageRefused("the image address is not http(s)")
    client = Transport("image", read_timeout=timeout, user_agent="digest-social/1",
                       timeout_key="DIGEST_SOCIAL_TIMEOUT")
    try:
        return prepare(client.download(url, FETCH_MAX_BYTES), limits)
    except ProviderError as exc:
        raise ImageRefused(f"could not be fetched ({exc})") from None
    finally:
        client.close()
