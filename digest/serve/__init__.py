"""`digest serve`: the web side supporters and volunteers touch.

A Flask app served by waitress: one-click unsubscribe (RFC 8058), sign-up with
double opt-in, preferences, the archive of sent editions and the volunteers'
dashboard. Only a POST changes anything (mail link scanners open every link
with GET); every page is server-rendered and works without JavaScript.
"""

from digest.serve.app import create_app

__all__ = ["create_app"]
