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


def fill_links(body: str, unsubscribe: str, manage: str | None = None) -> str:
    """The one place the markers are filled: with a recipient's links, or with a provider's
    merge tags. Values go in as given (escape them first for HTML); ``manage`` defaults to
    ``unsubscribe``."""
    manage = unsubscribe if manage is None else manage
    return body.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage)
