"""What a subscriber export says about each person: still subscribed, or left (and how).

Exports mark the people who left in different ways, and an import must read them all,
because someone imported as active is mailed again:

- a status column: a plain ``status``, Buttondown's ``subscriber_type`` (``unsubscribed``,
  ``undeliverable``, ``complained``, ``removed``, ``spammy`` ...), listmonk's ``status``
  (``blocklisted``) and subscription status (``unsubscribed``, ``unconfirmed``);
- a yes/no column (``Subscribed``, ``Accepts Email Marketing``, ``Opted out``);
- a time column (Buttondown's ``unsubscription_date``; Mailchimp's ``UNSUB_TIME`` and
  ``CLEAN_TIME``, which only its unsubscribed and cleaned exports have);
- only the file they came in (Mailchimp's ``unsubscribed_members_export_*.csv``,
  ``cleaned_email_audience_export_*.csv``, ``nonsubscribed_...``).

Every signal of a row is read and the strongest wins (a complaint over a removal over a
bounce over an unsubscribe over "never confirmed" over subscribed), so no reading of one
column can make a leaver active again. A status word that is not known is not guessed:
the row is refused with the words to use.
"""

from __future__ import annotations

import re

from digest.types import ACTIVE, SUPPRESSED

UNCONFIRMED = "unconfirmed"  # never confirmed their subscription: not added to the list at all
STRENGTH = {ACTIVE: 0, UNCONFIRMED: 1, "unsubscribed": 2, "bounced": 3, "blocked": 4, "complained": 5}
assert set(STRENGTH) == {ACTIVE, UNCONFIRMED, *SUPPRESSED}

_ACTIVE_WORDS = {
    "active", "subscribed", "subscriber", "regular", "confirmed", "enabled", "optedin", "optin",
    "premium", "paid", "free", "gifted", "trialed", "trialing", "trial", "churning", "churned",
    "pastdue", "paused", "upcoming", "unpaid", "member", "valid", "resubscribed",
}  # Buttondown's paid states (churning, past_due, paused ...) still receive its emails
_UNCONFIRMED_WORDS = {
    "unactivated", "unconfirmed", "pending", "nonsubscribed", "notsubscribed", "transactional",
    "awaitingconfirmation", "invited", "doubleoptinpending",
}
# Parts of a status word, tried in this order: the first that a word contains names its status.
_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("blocked", ("spammy",)),  # Buttondown: flagged by its spam filter, not a complaint
    ("complained", ("complain", "spam", "abuse", "fbl")),
    ("blocked", ("block", "blacklist", "denylist", "banned", "remov", "disabl", "suppress", "delet",
                 "archiv", "disposable", "quarantin")),
    ("bounced", ("clean", "bounce", "undeliver", "invalid", "malformed")),
    ("unsubscribed", ("unsub", "optedout", "optout", "inactive", "deactivat", "cancel", "left",
                      "withdr", "resign", "lapsed")),
)
_TRUE = {"yes", "y", "true", "t", "1", "x", "checked", "on"}
_FALSE = {"no", "n", "false", "f", "0", "unchecked", "off"}

# Column names, compared after canonical(): lower case, letters and digits only.
STATUS_COLUMNS = {
    "status", "subscribertype", "memberstatus", "subscriptionstatus", "subscriberstatus",
    "contactstatus", "emailstatus", "emailmarketing", "emailmarketingstatus",
    "emailsubscriptionstatus", "newsletterstatus", "liststatus",
}
LOOSE_STATUS_COLUMNS = {"type"}  # Buttondown's older name; elsewhere it may mean anything
OPT_IN_COLUMNS = {
    "subscribed", "issubscribed", "optedin", "optin", "emailoptin", "acceptsemailmarketing",
    "acceptsmarketing", "marketingconsent", "emailconsent",
}
OPT_OUT_COLUMNS = {
    "unsubscribed", "isunsubscribed", "optedout", "optout", "emailoptout", "hasoptedoutofemail",
    "donotemail", "donotcontact", "donotmail",
}
# Mailchimp puts these only in its unsubscribed and cleaned exports: without a status column,
# their presence marks the whole file.
FILE_TIME_COLUMNS = {"unsubtime": "unsubscribed", "cleantime": "bounced"}
TIME_COLUMNS = {
    **FILE_TIME_COLUMNS,
    "unsubscriptiondate": "unsubscribed", "unsubscribedat": "unsubscribed",
    "unsubscribedate": "unsubscribed", "unsubscribeddate": "unsubscribed",
    "unsubscribedon": "unsubscribed", "optedoutat": "unsubscribed", "optoutdate": "unsubscribed",
    "bouncedat": "bounced", "cleanedat": "bounced", "complainedat": "complained",
    "blocklistedat": "blocked",
}
_FILE_NAMES = re.compile(
    r"(?P<unconfirmed>non[-_ ]?subscribed|unconfirmed|pending)|(?P<unsubscribed>unsubscri|opt[-_ ]?outs?\b)"
    r"|(?P<bounced>cleaned|bounce)|(?P<complained>complain|spam)|(?P<blocked>block|suppress)"
)


def canonical(text: str) -> str:
    """``Subscriber Type``, ``subscriber_type`` and ``SUBSCRIBER-TYPE`` all read ``subscribertype``."""
    return re.sub(r"[^0-9a-z]+", "", text.replace("\ufeff", "").casefold())


def status_of_word(word: str) -> str | None:
    """The status a status word stands for; "" for an empty cell (no signal); None when unknown."""
    key = canonical(word)
    if not key:
        return ""
    if key in _ACTIVE_WORDS:
        return ACTIVE
    if key in _UNCONFIRMED_WORDS:
        return UNCONFIRMED
    for status, parts in _PARTS:
        if any(part in key for part in parts):
            return status
    return None


def status_of_flag(value: str, opt_out: bool) -> str:
    """A yes/no cell of an opt-in (or opt-out) column; "" when it says neither yes nor no."""
    key = canonical(value)
    if key in _TRUE or key in _FALSE:
        subscribed = (key in _TRUE) != opt_out
        return ACTIVE if subscribed else "unsubscribed"
    return status_of_word(value) or ""


def status_of_file(name: str) -> str | None:
    """The status every row of a file has from its name alone (Mailchimp's
    ``cleaned_members_export_*.csv``); None when the name says nothing."""
    found = _FILE_NAMES.match(name.lower())
    return found.lastgroup if found else None


def strongest(statuses: list[str]) -> str:
    """The status that wins among a row's signals ("" entries say nothing); active when none."""
    said = [s for s in statuses if s]
    return max(said, key=STRENGTH.__getitem__) if said else ACTIVE


def known_words() -> str:
    """The words to write in a status column, for a message."""
    return "subscribed, unsubscribed, bounced, complained, blocked or pending"
