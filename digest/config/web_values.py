"""The shapes of the web settings' values: an address that makes sense in front of a proxy, a proxy
waitress can recognise, a dashboard password worth having.

Each parser raises ValueError saying what to write instead, so a value that would be unsafe or
meaningless at run time is exit 2 at start-up, naming its key.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from digest.config.base import url

MIN_PASSWORD = 12  # as `digest serve --hash-password` asks
HASH_PREFIXES = ("scrypt:", "scrypt$", "pbkdf2:", "pbkdf2$")  # Werkzeug's hashes, which the dashboard checks
SCRYPT = re.compile(r"scrypt(?::(\d{1,8}):(\d{1,3}):(\d{1,3}))?\Z")
PBKDF2 = re.compile(r"pbkdf2(?::(\w{1,20})(?::(\d{1,9}))?)?\Z")
HEX = re.compile(r"[0-9a-f]+\Z")
SALT = re.compile(r"[A-Za-z0-9]{1,100}\Z")
# Other programs' hashes (argon2, bcrypt, crypt): the dashboard cannot check them.
FOREIGN_HASH = re.compile(r"\$(argon2(id|i|d)?|2[abxy]?|[1567]|pbkdf2[\w-]*|scrypt|y|gy)\$")
_HASH_FIX = "print a new one with digest serve --hash-password"


def is_local(host: str) -> bool:
    """Whether ``host`` names this machine (http is fine there: nothing crosses a network)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_address(raw: str) -> str:
    """DIGEST_PUBLIC_URL: the root of the site as people reach it, https unless on this machine."""
    value = link_base(raw)
    parts = urlsplit(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValueError(
            f"{value!r} has a path, query or fragment, but digest serve answers at the root of its "
            "host; give only the scheme and host, e.g. https://news.example.org"
        )
    return value


def link_base(raw: str) -> str:
    """An address that emailed links start with (DIGEST_PUBLIC_URL, DIGEST_UNSUBSCRIBE_URL): no user
    name or password in it, a host and port a reader's browser can reach, https unless the host is
    this machine (the links carry tokens; RFC 8058 asks https of one-click unsubscribe)."""
    value = url(raw)
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r} holds a user name or password; give only https://host")
    host = parts.hostname or ""
    if parts.port == 0 or _no_ones_address(host):
        raise ValueError(f"{value!r} is no address a reader can reach; give your site's, e.g. https://example.org")
    if parts.scheme != "https" and not is_local(host):
        raise ValueError(
            f"{value!r} is plain http: unsubscribe links and log-ins would cross the network "
            "unencrypted; use https:// (the proxy in front holds the certificate)"
        )
    return value


def signup_origins(raw: str) -> list[str]:
    """DIGEST_SIGNUP_ORIGINS: the sites whose own pages may hold our sign-up form, each as a browser
    names it in ``Origin`` (scheme and host, a port only when not the default), https unless local."""
    found: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item in ("*", "null"):
            raise ValueError(f"{item!r} would let any page sign people up; list your sites, e.g. https://example.org")
        parts = urlsplit(link_base(item))
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"{item!r} has a path; give only the scheme and host, e.g. https://example.org")
        found.append(origin_of(item))
    return sorted(set(found))


def origin_of(address: str) -> str:
    """The ``Origin`` a browser sends from a page at ``address`` (scheme, host, a non-default port)."""
    parts = urlsplit(address.strip())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port not in (None, default) else ""
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{port}"


def _no_ones_address(host: str) -> bool:
    """An IP address no machine answers at: 0.0.0.0 or ::, multicast, broadcast and reserved."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return False  # ::1 sits in IPv6's reserved ::/8
    return address.is_unspecified or address.is_multicast or address.is_reserved


def proxy_address(raw: str) -> str:
    """DIGEST_TRUSTED_PROXY: the one IP address whose X-Forwarded-* headers are believed."""
    value = raw.strip()
    if value == "*":
        raise ValueError(
            "'*' believes X-Forwarded-For from anyone, so any client could pose as any address; "
            "give your proxy's IP address, e.g. 127.0.0.1"
        )
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        raise ValueError(
            f"{value[:60]!r} is not an IP address (waitress compares the peer's address, never a "
            "name); give your proxy's, e.g. 127.0.0.1"
        ) from None
    if _no_ones_address(str(address)):
        raise ValueError(f"{address} is no proxy's address; give your proxy's, e.g. 127.0.0.1")
    return str(address)  # as waitress writes the peer's address (::1, not 0:0:...:1)


def admin_password(raw: str) -> str:
    """DIGEST_ADMIN_PASSWORD: a Werkzeug hash that can be checked, or a password of 12 characters
    or more (hashed when digest serve starts)."""
    value = raw.strip()
    if value.startswith(HASH_PREFIXES):
        problem = hash_problem(value)
        if problem:
            raise ValueError(f"is a malformed password hash ({problem}); {_HASH_FIX}")
        return value
    if FOREIGN_HASH.match(value):
        raise ValueError(f"is another program's password hash, which digest cannot check; {_HASH_FIX}")
    if len(value) < MIN_PASSWORD:
        raise ValueError(
            f"is {len(value)} characters; use at least {MIN_PASSWORD} (a few words work well), best "
            "as a hash from digest serve --hash-password"
        )
    weak = guessable(value)
    if weak:
        raise ValueError(f"{weak}; use a few words that go together only for you (12 characters or more)")
    return value


# The first guesses of any attacker (their letters, lower case; p@ssword is pssword): common passwords, the
# program's own names, and runs along the keyboard or the alphabet.
COMMON = frozenset(
    ("password", "passwort", "pssword", "motdepasse", "contrasena", "admin", "administrator", "root",
     "letmein", "welcome", "iloveyou", "qwerty", "qwertz", "azerty", "secret", "changeme", "default",
     "digest", "dashboard", "newsletter", "monkey", "dragon")
)  # fmt: skip
RUNS = (
    "abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)  # fmt: skip


def guessable(value: str) -> str:
    """Why a password of the right length is still among the first guesses (or cannot be typed), or ''."""
    if any(unicodedata.category(ch) == "Cf" for ch in value):
        return "holds an invisible character (a zero-width space, a direction mark) that no keyboard types"
    lowered = value.casefold()
    # Each character once, case folded on its own: "İ" folds to two code points and "ﬁ" to two
    # letters, which would count a password of four kinds as five.
    kinds = len({ch.casefold() for ch in value})
    if kinds < 5:
        return f"uses only {kinds} different character(s)"
    if _in_run(lowered):
        return "is a run along the keyboard or the alphabet"
    words = "".join(ch if ch.isalpha() else " " for ch in lowered).split()
    if words and all(w in COMMON or len(w) >= 3 and _in_run(w) for w in words):
        return "is a common password or a run along the keyboard, with digits or signs added"
    return ""


def _in_run(text: str) -> bool:
    return any(text in run * 3 or text in run[::-1] * 3 for run in RUNS)


def hash_problem(value: str) -> str:
    """What makes a Werkzeug hash (method$salt$hex) uncheckable, or ''."""
    method, _, rest = value.partition("$")
    salt, _, digest = rest.partition("$")
    if not SALT.match(salt) or not HEX.match(digest):
        return "it must read method$salt$hex"
    if found := SCRYPT.match(method):
        n, r, p = (int(x) for x in found.groups("0")) if found.group(1) else (2**15, 8, 1)
        # Every log-in pays this cost: at most 4 times Werkzeug's default (n=32768, r=8, p=1).
        if not (n >= 2 and n & (n - 1) == 0 and r >= 1 and p >= 1 and n * r * p <= 2**20):
            return "its scrypt cost is out of range"
        size = 64
    elif found := PBKDF2.match(method):
        name, rounds = found.group(1) or "sha256", int(found.group(2) or 600_000)
        if name not in hashlib.algorithms_guaranteed or name.startswith(("shake", "blake")):
            return f"{name} is not a hash function digest knows"
        if not 1 <= rounds <= 4_000_000:  # 4 times Werkzeug's default; each log-in pays them
            return "its round count is out of range"
        size = hashlib.new(name).digest_size
    else:
        return f"{method[:20]!r} is not scrypt or pbkdf2"
    return "" if len(digest) == 2 * size else "its hash part has the wrong length"
