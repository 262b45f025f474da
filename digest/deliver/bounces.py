"""Late bounces and complaint reports from the bounce mailbox, fed to the webhooks' policy.

Our own SMTP server accepts a message and may only learn days later that the address is
gone; the bounce (a DSN) or a mailbox provider's complaint report (ARF) then arrives at
``DIGEST_BOUNCE_ADDRESS`` (or DIGEST_FROM). The scheduler reads ``DIGEST_BOUNCE_MAILBOX`` at
each look, and `digest bounces check` on demand:

- a report is read with :func:`digest.dsn.read_report`; it is about a message of ours when
  its VERP token is genuine (:mod:`digest.verp`) or it returns the Message-ID of one of
  our calls; the person is that call's address (a forward or a feedback loop's redaction
  does not hide them);
- each failure becomes a bounce event (its verdict from :mod:`digest.bounce_codes`: a
  refusal about us, 5.7.x, is kept as ``rejected`` and suppresses nobody), each complaint
  a ``complained`` event, recorded with the policy of the webhooks
  (:mod:`digest.store.mail_events`), each event once, so a report read twice counts once;
- a report of ours is then moved out of the way (read once); anything else is left as it
  was and counted: a message that is no report, and a report about mail digest did not send
  (someone's own mail bounced), which a person may still need.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from digest.bounce_codes import classify
from digest.clock import now
from digest.config import Settings
from digest.dsn import Failure, Report, read_report
from digest.errors import ConfigError
from digest.mailbox import Where, open_box
from digest.providers.bounce_mailbox import BounceSettings
from digest.store import Engine
from digest.store.event_match import calls_named
from digest.store.mail_events import record_all
from digest.types import MailEvent
from digest.unsubscribe import secret_key
from digest.verp import tags_in

PROVIDER = "bounce-mailbox"
MAX_BYTES = 10 * 1024 * 1024  # a report quotes at most our message; anything bigger is not one
LOOKS_LIKE = re.compile(
    rb"^(content-type:[^\n]*multipart/report|x-failed-recipients:|from:[^\n]*(mailer-daemon|postmaster))",
    re.I | re.M,
)


@dataclass(frozen=True)
class BounceOptions:
    """What reading the bounce mailbox takes from the settings."""

    place: Where
    key: bytes
    timeout: float
    ca_file: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> BounceOptions | None:
        """None when DIGEST_BOUNCE_MAILBOX is empty."""
        # The provider whose settings include the bounce mailbox's (ours: smtp) owns the keys.
        owner = next((o for o in settings.extensions.values() if isinstance(o, BounceSettings)), None)
        place = owner.mailbox if owner is not None else None
        if owner is None or place is None:
            return None
        ca_file = getattr(owner, "ca_file", "")  # the sending server's CA, often the same host
        return cls(place, secret_key(settings), float(owner.bounce_timeout), ca_file)


@dataclass
class BounceCheck:
    """What one look at the mailbox found."""

    reports: int = 0  # reports about our mail, dealt with and moved away
    bounced: int = 0  # permanent failures about the address
    soft: int = 0  # temporary ones (and full mailboxes)
    complained: int = 0
    refused: int = 0  # failures about us, not the address (spam, policy)
    suppressed: dict[str, str] = field(default_factory=dict)
    left: int = 0  # messages that are no bounce or complaint report: left as they were
    foreign: int = 0  # reports about mail digest did not send: left as they were

    def summary(self) -> str:
        said = (
            f"bounce mailbox: {self.reports} report(s) of ours read ({self.bounced} hard bounce(s), "
            f"{self.soft} soft, {self.complained} complaint(s), {self.refused} refusal(s) about the sender); "
            f"{len(self.suppressed)} address(es) suppressed"
        )
        if self.left or self.foreign:
            said += f"; left alone: {self.left} that are no report, {self.foreign} about other mail"
        return said


def check_bounces(options: BounceOptions, engine: Engine) -> BounceCheck:
    """Read the mailbox once; raises MailboxError (ConfigError for a refused login)."""
    done = BounceCheck()
    box = open_box(options.place, options.timeout, options.ca_file)
    try:
        for ident, size, head in box.headers():
            if size > MAX_BYTES or not LOOKS_LIKE.search(head):
                done.left += 1
                continue
            raw = box.fetch(ident)
            report = read_report(raw)
            if report is None:
                done.left += 1
            elif take(engine, options.key, report, hashlib.sha256(raw).hexdigest()[:24], done):
                box.done(ident)
                done.reports += 1
            else:
                done.foreign += 1
    finally:
        box.close()
    return done


def take(engine: Engine, key: bytes, report: Report, ident: str, done: BounceCheck) -> bool:
    """Record what ``report`` says when it is about a call of ours; False when it is not."""
    tags = tags_in(report.references, key)
    calls = calls_named(engine, tags, report.message_ids)
    if not calls:
        return False
    addresses = frozenset().union(*calls)
    events = [_event(report, f, n, ident, tags, addresses, done) for n, f in enumerate(report.failures)]
    if events:
        done.suppressed.update(record_all(engine, events, key).suppressed)
    return True


def _event(
    report: Report,
    failure: Failure,
    n: int,
    ident: str,
    tags: list[str],
    addresses: frozenset[str],
    done: BounceCheck,
) -> MailEvent:
    # The person is the call's: the report may name a forward's target or a redacted address.
    person = failure.address
    if person not in addresses and len(addresses) == 1:
        person = next(iter(addresses))
    kind, hard = "complained", False
    if failure.action == "failed":
        verdict = classify(failure.code, failure.diagnostic, failure.status)
        kind, hard = ("bounced", verdict.hard) if verdict.about_address else ("rejected", verdict.hard)
    _count(done, kind, hard)
    return MailEvent(
        event_id=f"{PROVIDER}:{ident}:{n}",
        provider=PROVIDER,
        kind=kind,
        hard=hard,
        recipient=person or "unknown@invalid",
        message_id=report.message_ids[0] if report.message_ids else "",
        at=report.at or now(),
        detail=" ".join(x for x in (failure.status, failure.diagnostic, report.feedback_type) if x)[:1000],
        tag=tags[0] if tags else "",
    )


def _count(done: BounceCheck, kind: str, hard: bool) -> None:
    if kind == "complained":
        done.complained += 1
    elif kind == "rejected":
        done.refused += 1
    elif hard:
        done.bounced += 1
    else:
        done.soft += 1


def require(settings: Settings) -> BounceOptions:
    """The options, or the one-line error of `digest bounces check` without a mailbox."""
    options = BounceOptions.from_settings(settings)
    if options is None:
        raise ConfigError(
            "DIGEST_BOUNCE_MAILBOX", "is empty", "set it to the mailbox bounces arrive at, e.g. "
            "imaps://bounces%40example.org@mail.example.org/INBOX (see the providers page of the docs)"
        )
    return options
