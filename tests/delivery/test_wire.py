"""The fast wire path gives the same message as building it with the email package."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.providers.base import Content, Outgoing, wire_bytes, wire_policy
from digest.providers.smtp_exchange import dot_stuff
from digest.providers.wire import wire
from digest.render.message import message_id
from digest.types import Recipient

BODY = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=400)


def same(item: Outgoing) -> None:
    fast = message_from_bytes(wire(item, wire_policy()), policy=default)
    slow = message_from_bytes(wire_bytes(item.message), policy=default)
    assert sorted(fast.keys()) == sorted(slow.keys())
    assert fast["Reply-To"] == "Office <office@example.org>" and fast["Content-Language"] == "ko"
    for name in fast:
        if name != "Content-Type":  # the multipart boundary is random
            assert str(fast[name]) == str(slow[name]), name
    for kind in ("plain", "html"):
        # Line ends compare canonically: the email package leaves bare LF inside base64 parts.
        def body(m, kind=kind):  # type: ignore[no-untyped-def]
            return m.get_body((kind,)).get_content().replace("\r\n", "\n")

        assert body(fast) == body(slow)


def outgoing(html: str, text: str, name: str, https: str) -> Outgoing:
    content = Content(
        "weekly:2026-W48",
        "Bridge of Hope: 소식",
        html,
        text,
        "Bridge <n@example.org>",
        datetime(2026, 11, 30, 9, tzinfo=UTC),
        "<digest.example.org>",
        language="ko",
        reply_to="Office <office@example.org>",
    )
    return Outgoing(
        content.edition_key,
        Recipient("kim@example.kr", name),
        content,
        https,
        "mailto:n@example.org?subject=unsubscribe%20kim%40example.kr",
    )


@pytest.mark.parametrize("name", ["", "Kim", "김 철수", 'Doe, "J."', "a" * 120])
@pytest.mark.parametrize("https", ["", "https://example.org/u?token=abc.def&x=1"])
def test_names_and_links(name: str, https: str) -> None:
    html = '<p>안녕 <a href="%%UNSUBSCRIBE_URL%%">x</a> ' + "long " * 400 + "\n.dot line\n</p>"
    same(outgoing(html, "Hi\n.\nUnsubscribe: %%UNSUBSCRIBE_URL%%\nManage: %%MANAGE_URL%%", name, https))


@settings(max_examples=30, deadline=None)
@given(html=BODY, text=BODY)
def test_any_bodies(html: str, text: str) -> None:
    same(outgoing(html + "%%UNSUBSCRIBE_URL%%", text, "Reader", "https://example.org/u?t=1"))


# Held-out recipients: names in any script with the characters that force quoting or encoded
# words (commas, quotes, parentheses, '=?', tabs), and addresses up to the RFC 5321 limits.
NAMES = st.text(
    st.one_of(
        st.sampled_from(list(',;:"()<>@\\=?.\t ')),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xAC00, max_codepoint=0xAC40),  # Hangul syllables
        st.sampled_from(list("éüßøŁЖж中文👋\u200b")),
    ),
    max_size=150,
)
LOCAL = st.text(st.sampled_from(list("abcxyz019._%+-'!#$&*/=?^`{|}~")), min_size=1, max_size=64).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
LABEL = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789")), min_size=1, max_size=40)
DOMAIN = st.lists(LABEL, min_size=1, max_size=4).map(lambda labels: ".".join([*labels, "org"]))


@settings(max_examples=150, deadline=None)
@given(name=NAMES, local=LOCAL, domain=DOMAIN, https=st.booleans(), manage=st.booleans())
def test_held_out_recipients(name: str, local: str, domain: str, https: bool, manage: bool) -> None:
    address = f"{local}@{domain}"
    token = "https://example.org/u/" + "T" * 40 + "?x=1&y=" + address.replace("@", "%40")
    html = '<p><a href="%%UNSUBSCRIBE_URL%%">x</a></p>\n<p><a href="%%MANAGE_URL%%">prefs</a></p>'
    text = "Hi\nUnsubscribe: %%UNSUBSCRIBE_URL%%\nManage: %%MANAGE_URL%%\n"
    item = outgoing(html, text, name, token if https else "")
    item = Outgoing(
        item.edition_key,
        Recipient(address, " ".join(name.split())),  # names are one line by the time they are sent
        item.content,
        item.unsubscribe_https,
        f"mailto:n@example.org?subject=unsubscribe%20{address.replace('@', '%40')}",
        "https://example.org/p/" + "P" * 30 if manage else "",
    )
    same(item)
    raw = wire(item, wire_policy())
    head = raw.partition(b"\r\n\r\n")[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))  # RFC 5322's hard limit


# Bodies made of what dot-stuffing cares about: dots at line starts, and lines long enough that a
# quoted-printable soft break leaves a dot at the start of the next line.
DOTTY = st.lists(
    st.sampled_from([".", "..", "\n", "\n.", ".style { }", "x" * 70, "=", " ", "%%UNSUBSCRIBE_URL%%"])
    | st.sampled_from(["%%MANAGE_URL%%", "김" * 30 + ".", "a" * 75 + "."]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(html=DOTTY, text=DOTTY, https=st.booleans(), manage=st.booleans(), name=st.sampled_from(["", "Kim"]))
def test_stuffed_template_equals_stuffing_the_message(
    html: str, text: str, https: bool, manage: bool, name: str
) -> None:
    # The SMTP path sends the template's pre-stuffed pieces: byte for byte what stuffing it all gives.
    item = outgoing(html, text, name, "https://example.org/u?t=1." if https else "")
    item = Outgoing(
        item.edition_key,
        item.recipient,
        item.content,
        item.unsubscribe_https,
        item.unsubscribe_mailto,
        "https://example.org/p/" + "." * 90 if manage else "",
    )
    plain = wire(item, wire_policy())
    assert wire(item, wire_policy(), stuffed=True) == dot_stuff(plain)
    msgid = message_id(item.edition_key, "kim@example.kr", "n@example.org")
    assert wire(item, wire_policy(), msgid=msgid) == plain
