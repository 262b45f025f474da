"""The pre-flight's link check: every link of the email and the posts, asked once, in parallel.

Each address goes through the safe fetcher (:func:`digest.sources.fetch.probe`: public
addresses only, unless DIGEST_FETCH_ALLOW_PRIVATE; a deadline per link; the body not read) on a
few threads at once, and the whole check stops at DIGEST_LINK_CHECK_DEADLINE: a link not
answered by then is reported as not checked, never waited for. Answers are kept in a
:class:`LinkCache` for the edition, so the email's and the posts' copies of a link (which differ
only by their utm_* parameters) and a second look at the same edition ask the site once.

Every finding here is **reported**, never blocking: the weekly send is automatic, and a site
that is down for an hour, refuses robots (401, 403, 429) or cannot be reached from this machine
must not stop it. A link that is gone (404, 410, or a name that does not exist) is listed first
and says what to do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from time import monotonic
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.compose.checks import html_facts
from digest.compose.findings import REPORTED, Finding
from digest.config import Settings
from digest.sources.fetch import Probe, probe
from digest.types import Post

WORKERS = 8  # links asked at once: enough for an edition, few enough for a small site
# Names reserved for examples and tests (RFC 2606, RFC 6761): never fetched, always reported.
_RESERVED_SUFFIXES = (".example", ".invalid", ".test", "example.com", "example.net", "example.org")
SHORTENERS = frozenset((
    "bit.ly", "bitly.com", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "buff.ly", "is.gd", "v.gd", "rebrand.ly",
    "lnkd.in", "t.ly", "cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "s.id", "dlvr.it", "ift.tt", "fb.me",
    "trib.al", "soo.gd", "shorte.st", "bl.ink", "short.io",
))
# Words of the pages domain parkers and registrars put on a name nobody uses any more.
_PARKED = (b"domain is for sale", b"buy this domain", b"domain may be for sale", b"parked free",
           b"this domain is parked", b"domain has expired", b"parkingcrew", b"sedoparking", b"bodis.com")
DEAD_FIX = "correct the link in the article, or leave the article out"
CHECK_YOURSELF = "open it yourself before the send"


@dataclass(frozen=True)
class LinkOptions:
    """How the links are asked: ``timeout`` per link, ``deadline`` for all of them."""

    timeout: float = 10.0
    deadline: float = 30.0
    allow_private: bool = False
    workers: int = WORKERS

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkOptions:
        return cls(timeout=settings.link_check_timeout, deadline=settings.link_check_deadline,
                   allow_private=settings.fetch_allow_private)


@dataclass
class LinkCache:
    """The answers of one edition's links by address (without utm_*), shared by threads; with
    ``max_age`` (the dashboard's, which looks again on every visit) an answer is asked again after
    that many seconds."""

    max_age: float | None = None
    answers: dict[str, tuple[float, Probe]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, url: str) -> Probe | None:
        with self._lock:
            kept = self.answers.get(url)
        if kept is None or (self.max_age is not None and monotonic() - kept[0] > self.max_age):
            return None
        return kept[1]

    def put(self, answer: Probe) -> None:
        with self._lock:
            self.answers[answer.url] = (monotonic(), answer)


def without_tracking(url: str) -> str:
    """``url`` without its utm_* parameters, which never change what a link leads to."""
    parts = urlsplit(url)
    if "utm_" not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def reserved(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return any(host == s.lstrip(".") or host.endswith("." + s.lstrip(".")) for s in _RESERVED_SUFFIXES)


def edition_links(html: str, posts: Sequence[Post], skip: Iterable[str] = ()) -> list[str]:
    """Every address a reader can open: the email's links and images, then each post's links
    (``skip``: addresses that are not the edition's, such as the preview's inert unsubscribe link)."""
    from digest.social.urls import find_links

    facts = html_facts(html) if html else None
    urls = [link["url"] for link in facts.links] + [i["src"] for i in facts.images] if facts else []
    urls += [link.url for post in posts for link in find_links(post.text, bare_domains=False)]
    left_out = set(skip)
    return [u for u in dict.fromkeys(urls) if u not in left_out]


Ask = Callable[..., Probe]


def check_links(urls: Iterable[str], options: LinkOptions, cache: LinkCache | None = None,
                ask: Ask = probe) -> list[Finding]:
    """The findings of every distinct http(s) link in ``urls`` (each asked once), dead ones first.
    ``ask`` is how one link is asked (the safe fetcher's :func:`probe`)."""
    return _Check(options, cache if cache is not None else LinkCache(), ask).run(urls)


@dataclass
class _Check:
    options: LinkOptions
    cache: LinkCache
    ask: Ask

    def run(self, urls: Iterable[str]) -> list[Finding]:
        links = list(dict.fromkeys(without_tracking(u) for u in urls if u.startswith(("http://", "https://"))))
        found = [_reserved(u) for u in links if reserved(u)]
        wanted = [u for u in links if not reserved(u)]
        late = self.ask_all([u for u in wanted if self.cache.get(u) is None])
        answers = [self.cache.get(u) for u in wanted]
        if len(wanted) > 1 and all(a is not None and a.no_such_host for a in answers):
            return found + [_offline(len(wanted))]  # no name resolves: the machine, not the links
        for url in wanted:
            answer = self.cache.get(url)
            found += [_late(url, self.options)] if url in late or answer is None else self.judge(answer)
        return sorted(found, key=lambda f: not f.message.startswith("dead link"))

    def ask_all(self, urls: Sequence[str]) -> set[str]:
        """Ask every address on ``options.workers`` threads; the ones unanswered at the deadline."""
        if not urls:
            return set()
        options = self.options
        timeout = min(options.timeout, options.deadline)
        pool = ThreadPoolExecutor(max_workers=min(options.workers, len(urls)), thread_name_prefix="linkcheck")
        pending: dict[Future[Probe], str] = {pool.submit(self.one, url, timeout): url for url in urls}
        end = monotonic() + options.deadline
        try:
            while pending and (left := end - monotonic()) > 0:
                done, _ = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
                for future in done:
                    url = pending.pop(future)
                    failed = future.exception() is not None
                    self.cache.put(Probe(url, problem="the check failed") if failed else future.result())
        finally:
            pool.shutdown(wait=False, cancel_futures=True)  # a link still hanging is not waited for
        return set(pending.values())

    def one(self, url: str, timeout: float) -> Probe:
        return self.ask(url, timeout=timeout, allow_private=self.options.allow_private)

    def judge(self, answer: Probe) -> list[Finding]:
        """What one answer means for the readers (nothing when the link is fine)."""
        url, status = answer.url, answer.status
        if answer.no_such_host:
            return [_finding(f"dead link: {url}: {answer.problem}", DEAD_FIX)]
        if answer.problem:
            return [_finding(f"link not checked: {url}: {answer.problem}", CHECK_YOURSELF)]
        if status in (401, 403, 429):
            return [_finding(f"link not checked: {url}: the site answered {status} (it may turn robots away)",
                             CHECK_YOURSELF)]
        if status >= 500:
            return [_finding(f"link failing: {url}: the site answered {status} (a server error; it may pass)",
                             CHECK_YOURSELF)]
        if status >= 400:
            gone = " (gone)" if status == 410 else " (not found)" if status == 404 else ""
            return [_finding(f"dead link: {url}: the site answered {status}{gone}", DEAD_FIX)]
        return _where_it_leads(answer) + self.https_instead(answer)

    def https_instead(self, answer: Probe) -> list[Finding]:
        """An http:// link whose https:// address answers as well: say to use that."""
        if not answer.url.startswith("http://"):
            return []
        secure = "https://" + answer.url.removeprefix("http://")
        known = self.cache.get(secure)
        if known is None:
            known = self.one(secure, min(self.options.timeout, 5.0))
            self.cache.put(known)
        if known.problem or not 200 <= known.status < 400:
            return []
        return [_finding(f"link is http:// but https:// works: {answer.url}", f"link to {secure}")]


def _where_it_leads(answer: Probe) -> list[Finding]:
    url, final = answer.url, answer.final_url or answer.url
    host, final_host = _host(url), _host(final)
    if host in SHORTENERS:
        return [_finding(f"shortened link: {url} ({host}) leads to {final}",
                         "link to the address itself, so readers see where it goes")]
    if _same_site(host, final_host):
        return []
    low = answer.peek.lower()
    parked = next((p.decode() for p in _PARKED if p in low), "")
    what = f"a parked domain ({parked!r} on the page)" if parked else "another site"
    return [_finding(f"link redirects to {what}: {url} -> {final}",
                     "check the article still exists; link to where it is now")]


def _reserved(url: str) -> Finding:
    return _finding(f"link to an example address: {url} (a name reserved for examples; nothing was asked)",
                    "replace it with the real address")


def _offline(count: int) -> Finding:
    return _finding(f"links not checked: none of the {count} links' host names resolves here; this machine "
                    "seems to have no DNS or no network", "check them from a machine that is online, or "
                    "set DIGEST_LINK_CHECK=false")


def _late(url: str, options: LinkOptions) -> Finding:
    return _finding(f"link not checked: {url}: no answer within the {options.deadline:g} s of the check "
                    "(DIGEST_LINK_CHECK_DEADLINE)", CHECK_YOURSELF)


def _finding(message: str, fix: str) -> Finding:
    return Finding(REPORTED, "link", message, fix)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower().removeprefix("www.")


def _same_site(a: str, b: str) -> bool:
    """The same host, or one inside the other (example.org and news.example.org)."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)
