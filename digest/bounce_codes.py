"""What a receiving server's refusal says about the address: gone, full for now, or not about it.

Read the same way for a refusal of our own SMTP server (its reply at RCPT or DATA) and for a
late bounce (a DSN's ``Status`` and ``Diagnostic-Code``), so both reach the bounce policy of
the webhooks (:mod:`digest.store.mail_events`) with the same meaning:

- a permanent failure about the address (5.1.x bad mailbox or domain, 5.2.1 disabled, 5.5.x,
  5.4.4 no such domain...) is a hard bounce: the address is suppressed;
- a temporary one (4.x.x), and a full mailbox (5.2.2, 5.2.3: it may empty), is a soft bounce:
  tried again, and three in a row on separate editions suppress;
- a refusal about the sender or the message (x.7.x security and policy: spam, reputation,
  authentication, relaying denied; x.6.x content; x.3.4 too big) says nothing about the
  address: the address stays subscribed, since otherwise one bad day of our reputation would
  suppress everyone at one mailbox provider. The send records it as failed with the reply.

The enhanced status code (RFC 3463) decides when there is one; without it, the basic code: only
those about the mailbox (550, 551, 553 permanent; 450, 452, 552 temporary) are about the address,
unless a few words mark a policy refusal; any other (a 500 "command error", a 554 "transaction
failed", a 451 "local error") is about the server or the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# Policy refusals from servers that give no enhanced code ("554 rejected: listed at an RBL").
POLICY_WORDS = re.compile(
    r"\b(spam|blocked|block ?list|black ?list|rbl|reputation|policy|relay(ing)? (access )?denied|"
    r"not authori[sz]ed|authentication required|dmarc|spf|dkim)\b",
    re.I,
)
SOFT_PERMANENT = {"5.2.2", "5.2.3"}  # mailbox full, message too big for this mailbox: may pass
# Without an enhanced code, the basic codes RFC 5321 gives to the mailbox itself: unavailable,
# not local, name not allowed (hard); busy, out of storage (soft).
MAILBOX_HARD, MAILBOX_SOFT = {550, 551, 553}, {450, 452, 552}
NOT_THE_ADDRESS = {"3.4"}  # x.3.4: message too big for the system


@dataclass(frozen=True)
class Verdict:
    """``kind``: ``bounced`` (about the address: ``hard`` or soft) or ``policy`` (about us or
    the message, never suppresses); ``status``: the enhanced code read, "" when there was none."""

    kind: str
    hard: bool
    status: str

    @property
    def about_address(self) -> bool:
        return self.kind == "bounced"


def enhanced_status(text: str) -> str:
    """The first enhanced status code (``5.1.1``) in a reply or diagnostic, else ""."""
    found = ENHANCED.search(text)
    return ".".join(found.groups()) if found else ""


def classify(code: int | None, text: str = "", status: str = "") -> Verdict:
    """The verdict on a refusal: ``code`` the basic reply code (None when unknown, as in a DSN
    without a diagnostic), ``text`` the reply or diagnostic, ``status`` an enhanced code given
    apart (a DSN's ``Status`` field); at least one of them must say permanent or temporary."""
    status = status.strip() if ENHANCED.fullmatch(status.strip()) else enhanced_status(text)
    if status:
        klass, subject = status[0], status.partition(".")[2]
        if subject.split(".")[0] in ("6", "7") or subject in NOT_THE_ADDRESS:
            return Verdict("policy", klass == "5", status)
        hard = klass == "5" and status not in SOFT_PERMANENT
        return Verdict("bounced", hard, status)
    permanent = code is not None and 500 <= code < 600
    if POLICY_WORDS.search(text):
        return Verdict("policy", permanent, "")
    if code is None or code in MAILBOX_HARD | MAILBOX_SOFT:
        return Verdict("bounced", code in MAILBOX_HARD, "")
    # Any other code (500-504 a command or a server error, 554 a failed transaction, 421, 451...)
    # says nothing about the mailbox: one broken server must not suppress a whole list.
    return Verdict("policy", permanent, "")
