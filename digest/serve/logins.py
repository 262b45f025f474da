"""Who is logged in to the dashboard, and what their role lets them do (issue 22).

A log-in is a row in the store (:mod:`digest.store.admin_sessions`) named by a random id that
the signed cookie carries, and it names its account: a volunteer's email, or the shared
DIGEST_ADMIN_PASSWORD (the first admin). Log-out deletes the row; a changed shared password voids
the log-ins made under the old one; removing an account (or setting its password) ends its
log-ins at once; a role change counts from the next request, since the role is read from the
account every time.

Every view that changes something names its area (:mod:`digest.accounts`); a log-in whose role
may not touch it gets a 403 page that says which role is needed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any

from digest import clock
from digest.accounts import actor, needed
from digest.store.admin_sessions import Login

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from digest.serve.site import Site

SESSION_ID = "login"
LIFETIME = timedelta(hours=12)  # a volunteer's working day, not a month
# The dashboard may run our own counter script (a served file), nothing inline.
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "connect-src 'self'; "
    "frame-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def dashboard_csp(response: Response) -> Response:
    """Every dashboard blueprint's after_request; /admin/preview sets its own."""
    response.headers.setdefault("Content-Security-Policy", ADMIN_CSP)
    return response


def dashboard_on(s: Site) -> bool:
    """The dashboard is on once someone can log in: the shared password is set, or an account exists."""
    from digest.store.users import any_users

    return bool(s.admin_hash) or any_users(s.engine)


def start_session(s: Site, account: str = "") -> None:
    """A fresh log-in of ``account`` ('' for the shared password): nothing of the session before stays."""
    from flask import session

    from digest.store.admin_sessions import open_session

    given = secrets.token_urlsafe(32)
    mark = "" if account else s.admin_mark
    open_session(s.engine, _digest(given), mark, clock.now(), LIFETIME, account)
    session.clear()
    session[SESSION_ID] = given
    session.permanent = True


def end_session(s: Site) -> None:
    from flask import session

    from digest.store.admin_sessions import close_session

    given = session.get(SESSION_ID)
    if isinstance(given, str):
        close_session(s.engine, _digest(given))
    session.clear()


def current_login(s: Site) -> Login | None:
    """This request's live log-in (looked up once per request), or None."""
    from flask import g, session

    from digest.store.admin_sessions import login_of

    if "login" not in g:
        given = session.get(SESSION_ID)
        live = isinstance(given, str) and login_of(
            s.engine, _digest(given), s.admin_mark, clock.now(), LIFETIME
        )
        g.login = live or None
    found: Login | None = g.login
    return found


def who() -> str:
    """Who is logged in, as the audit log names them (an email, or the shared admin)."""
    from digest.serve.site import site

    found = current_login(site())
    return actor(found.account) if found else "?"


def _digest(given: str) -> str:
    return hashlib.sha256(given.encode()).hexdigest()


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any live log-in may look; without one, the log-in page; with nobody to log in, the off page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from flask import redirect, session

        from digest.serve.site import site
        from digest.serve.words import render

        s = site()
        if not dashboard_on(s):
            return render("admin_off.html.j2", "en"), 403
        if current_login(s) is None:
            session.clear()  # a revoked or expired log-in: its cookie is dropped too
            return redirect("/admin/login", code=303)
        return view(*args, **kwargs)

    return guarded


def needs(area: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view that changes things in ``area``: only a log-in whose role may (else 403, saying
    which role would); any other request as :func:`admin_only`."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def allowed(*args: Any, **kwargs: Any) -> Any:
            from digest.accounts import may
            from digest.serve.site import site
            from digest.serve.words import render

            found = current_login(site())
            if found is not None and not may(found.role, area):
                page = render("admin_refused.html.j2", "en", login=found, who=actor(found.account),
                              needed=needed(area), area=area)
                return page, 403
            return view(*args, **kwargs)

        return admin_only(allowed)

    return wrap
