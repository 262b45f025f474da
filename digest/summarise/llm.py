"""Optional LLM summaries through an OpenAI-compatible chat-completions endpoint.

Never the default (``DIGEST_SUMMARISER=llm`` opts in).  A model can invent facts,
and this newsletter reports on people at risk, so its answer is only used after
checks: it must be short enough, every number and capitalised name in it must
occur in the article, every other content word of every sentence too (see
:mod:`digest.summarise.support`), and no protected term may appear.  On any failure (network,
HTTP error, malformed JSON, failed check) the extractive blurb is returned and
the reason logged.  The app passes configuration in; nothing here reads the
environment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import requests

from digest.summarise import Summary, blurb
from digest.summarise.origins import written
from digest.summarise.split import split_sentences
from digest.summarise.support import unsupported_word
from digest.summarise.text import looks_like_html, strip_html

log = logging.getLogger(__name__)

_PROMPT_CHARS = 12_000  # enough for a long news story, bounded for small local models
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")
_SYSTEM = (
    "You summarise news articles for a charity newsletter. Use only facts stated in "
    "the article. Do not add names, numbers or places that are not in the article. "
    "Answer with the summary text only."
)


class Rejected(Exception):
    """The model's answer failed a check; the message says which."""


def llm_blurb(
    *,
    base_url: str,
    api_key: str | None,
    model: str,
    timeout: float,
    text: str,
    title: str | None = None,
    max_words: int = 70,
    max_sentences: int = 3,
    protected: Callable[[str], bool] | None = None,
    language: str | None = None,
) -> Summary:
    """Summarise ``text`` with the model, or fall back to the extractive :func:`blurb`.

    Contract: returns a :class:`Summary` whose ``source`` is "llm" only when the
    answer passed every check; otherwise the extractive blurb (``source`` is
    "extractive") and a WARNING on this module's logger naming the reason.
    Argument errors in ``text``/``max_words`` raise like :func:`blurb` does.
    """
    fallback = blurb(text, title, max_sentences, max_words, language)
    try:
        answer = _ask(base_url, api_key, model, timeout, _messages(text, title, max_words))
        _check(answer, text, max_words, protected)
    except Rejected as exc:
        log.warning("LLM summary not used (%s); using the extractive summary", exc)
        return fallback
    sentences = split_sentences(answer)
    plain = strip_html(text) if looks_like_html(text) else text
    return Summary(sentences, fallback.keyphrases, "llm", written(sentences, plain))


def endpoint(base_url: str) -> str:
    """``{base_url}/chat/completions``: pass ".../v1" for servers that want it."""
    return base_url.rstrip("/") + "/chat/completions"


def _messages(text: str, title: str | None, max_words: int) -> list[dict[str, str]]:
    heading = f"Title: {title}\n\n" if title else ""
    ask = f"Summarise this article in at most {max_words} words.\n\n"
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": ask + heading + text[:_PROMPT_CHARS]},
    ]


def _ask(
    base_url: str, api_key: str | None, model: str, timeout: float, messages: list[dict[str, str]]
) -> str:
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    body = {"model": model, "messages": messages, "temperature": 0, "stream": False}
    try:
        resp = requests.post(endpoint(base_url), json=body, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise Rejected(f"no answer within {timeout} s") from None
    except requests.RequestException as exc:
        raise Rejected(f"request failed: {type(exc).__name__}") from None
    if resp.status_code != 200:
        raise Rejected(f"HTTP {resp.status_code}")
    return _content(resp)


def _content(resp: requests.Response) -> str:
    try:
        data: Any = resp.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise Rejected("malformed response") from None
    if not isinstance(content, str) or not content.strip():
        raise Rejected("empty answer")
    return content.strip()


def _check(answer: str, article: str, max_words: int, protected: Callable[[str], bool] | None) -> None:
    n_words = len(answer.split())
    if n_words > max_words:
        raise Rejected(f"too long ({n_words} words > {max_words})")
    if protected is not None and protected(answer):
        raise Rejected("contains a protected term")
    digits = {_digits(n) for n in _NUMBER.findall(article)}
    for number in _NUMBER.findall(answer):
        if _digits(number) not in digits:
            raise Rejected(f"number {number!r} is not in the article")
    for name, initial in _names(answer):
        flags = re.IGNORECASE if initial else 0
        if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", article, flags):
            raise Rejected(f"name {name!r} is not in the article")
    word = unsupported_word(answer, article)
    if word is not None:
        raise Rejected(f"word {word!r} is not in the article")


def _digits(number: str) -> str:
    """Compare numbers by their digits: "1,000" in the answer matches "1000"."""
    return re.sub(r"[,.]", "", number.rstrip(".,"))


def _names(answer: str) -> list[tuple[str, bool]]:
    """Capitalised words, each with whether it opens its sentence.

    A mid-sentence capital is a name, acronym or title and must occur as written;
    a sentence-initial word ("The", or an invented "Smith") must occur in any case.
    """
    names: list[tuple[str, bool]] = []
    for sentence in split_sentences(answer):
        for m in _CAPITALISED.finditer(sentence):
            word = re.sub(r"[’']s?$", "", m.group(0))
            initial = not sentence[: m.start()].strip(" \"'‘“(")
            names.append((word, initial))
    return names
