"""The per-recipient markers a frozen edition carries until send time.

Kept apart from :mod:`digest.render.email` so the provider modules can name them
without importing Jinja2 and Babel (the provider registry imports every provider
module whenever settings are read).
"""

UNSUBSCRIBE_MARK = "%%UNSUBSCRIBE_URL%%"
MANAGE_MARK = "%%MANAGE_URL%%"
