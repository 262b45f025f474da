"""Bytes to text with the charset the server or the document declares.

The order follows the HTML standard's: a byte-order mark, then the HTTP
``Content-Type`` charset, then the document's own ``<meta charset>`` or XML
declaration; only when none is present is the encoding guessed (valid UTF-8
first, then charset-normalizer).
"""

from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels whose web meaning is a superset of Python's codec of that name (WHATWG Encoding).
_WEB_SUPERSET = {
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
_HEADER_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.IGNORECASE)


def codec_for(label: str) -> str | None:
    """Python's codec for a charset label, or None when the label is unknown."""
    name = label.strip().lower()
    name = _WEB_SUPERSET.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def bom_codec(data: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def header_codec(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type.encode("latin-1", "replace"))
    return codec_for(match.group(1).decode("ascii")) if match else None


def document_codec(data: bytes) -> str | None:
    """The charset the document declares in its first 4 KB (XML declaration or <meta>)."""
    head = data[:4096]
    match = _XML_DECL.search(head) or _META.search(head)
    return codec_for(match.group(1).decode("ascii")) if match else None


def declared_codec(data: bytes, content_type: str) -> tuple[str | None, str]:
    """(codec, where it was declared) or (None, "") when nothing usable is declared."""
    for codec, where in (
        (bom_codec(data), "byte-order mark"),
        (header_codec(content_type), "HTTP header"),
        (document_codec(data), "document"),
    ):
        if codec:
            return codec, where
    return None, ""


def guessed_codec(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else charset-normalizer's best guess."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return "utf-8"
    # Among the near-equally clean readings take the most coherent text; on a tie,
    # windows-1252, the web's fallback (charset-normalizer alone picks cp1257 for French).
    least = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= least + 0.05]
    best = max(close, key=lambda m: (m.coherence, m.encoding == "cp1252"))
    return codec_for(best.encoding) or "utf-8"


def decode_bytes(data: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, how the charset was chosen). Never raises; bytes that do not fit become U+FFFD."""
    codec, where = declared_codec(data, content_type)
    how = f"{codec} ({where})" if codec else ""
    if not codec:
        codec = guessed_codec(data)
        how = f"{codec} (guessed)"
    text = data.decode(codec, errors="replace")
    return text.removeprefix("\ufeff"), how
