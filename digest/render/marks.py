"""The per-recipient markers a frozen edition carries until send time.

Kept apart from :mod:`digest.render.email` so the provider modules can name them
without importing Jinja2 and Babel (the provider registry imports every provider
module whenever settings are read).
"""

UNSUBSCRIBE_MARK = "%%UNSUBSCRIBE_URL%%"
MANAGE_MARK = "%%MANAGE_URL%%"


def has_links(body: str) -> bool:
    """Whether ``body`` holds a per-recipient link marker."""
    return UNSUBSCRIBE_MARK in body or MANAGE_MARK in body


def keeps(line: str, manage: str) -> bool:
    """Whether ``line`` stays: one holding the preferences marker goes when there is no
    preferences page (``manage`` empty). The templates keep that link on a line of its own."""
    return bool(manage) or MANAGE_MARK not in line


def fill_links(body: str, unsubscribe: str, manage: str) -> str:
    """The one place the markers are filled: with a recipient's links, or with a provider's
    merge tags. Values go in as given (escape them first for HTML). ``manage`` is the
    preferences page, never the unsubscribe link again; empty when there is none, and then
    the lines that hold its marker are left out."""
    if MANAGE_MARK in body and not manage:
        lines = body.split("\n")
        ended = [line + "\n" for line in lines[:-1]] + [lines[-1]]  # each line with its own line end
        body = "".join(line for line in ended if keeps(line, manage))
    return body.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage)
