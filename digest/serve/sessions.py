"""Flask's signed-cookie sessions, opened only when the request carries the cookie.

Most requests carry none: every one-click unsubscribe a mailbox sends, every supporter's
page. Flask builds the cookie's signing serializer for each request before it looks for
the cookie; this looks first. A request that sets something in the session (a log-in, a
form's CSRF token) still gets a signed cookie as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

if TYPE_CHECKING:
    from flask import Flask, Request


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
