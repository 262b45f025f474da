"""The Flask application: settings and database handed in, security headers on every answer.

The factory imports the blueprints; they reach what they share through ``current_app``
(:mod:`digest.serve.site`), never through this module.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from digest.render.env import builtin_templates
from digest.serve.auth import password_hash, password_mark
from digest.serve.headers import MAX_BODY, security_headers
from digest.serve.logins import LIFETIME
from digest.serve.site import EXTENSION, Site
from digest.serve.throttle import Throttle
from digest.unsubscribe import secret_key

if TYPE_CHECKING:
    from flask import Flask

    from digest.config import Settings
    from digest.store import Engine


def create_app(settings: Settings, engine: Engine | None = None) -> Flask:
    """The app for ``settings``; opens (and migrates) the database unless ``engine`` is given."""
    import jinja2
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from digest.serve.admin import blueprint as admin
    from digest.serve.approval import blueprint as approval
    from digest.serve.archive import blueprint as archive
    from digest.serve.one_click import OneClickDoor
    from digest.serve.public import blueprint as public
    from digest.serve.public import unsubscribe
    from digest.serve.sessions import CookieSessions
    from digest.serve.signin import blueprint as signin
    from digest.serve.signup import blueprint as signup
    from digest.serve.signup import subscribe
    from digest.serve.users_page import blueprint as users
    from digest.serve.webhooks import blueprint as webhooks
    from digest.serve.words import template_globals

    if engine is None:
        from digest.files import private_dir, tighten
        from digest.store import open_store

        private_dir(settings.data_dir)
        engine = open_store(settings.db_url)
        tighten(settings.data_dir)
    key = secret_key(settings)
    web = builtin_templates() / "web"
    app = Flask(
        __name__,
        template_folder=str(web),
        static_folder=str(web / "static"),
        static_url_path="/static",
    )
    # Flask escapes only *.html; our templates end in .html.j2, so escape everything.
    app.jinja_options = {
        "autoescape": True,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    app.config.update(
        SECRET_KEY=hmac.new(key, b"flask-session", hashlib.sha256).hexdigest(),
        MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,  # the session cookie bounds it; a form left open an hour still works
    )
    app.extensions[EXTENSION] = _site(settings, engine, key)
    app.session_interface = CookieSessions()
    csrf = CSRFProtect(app)
    for blueprint in (public, signup, archive, signin, admin, users, approval, webhooks):
        app.register_blueprint(blueprint)
    csrf.exempt(webhooks)  # providers authenticate by signature, not by a session
    csrf.exempt(unsubscribe)  # RFC 8058: the mailbox's POST carries no cookie and no token
    csrf.exempt(subscribe)  # the view checks our token itself, except from DIGEST_SIGNUP_ORIGINS
    app.context_processor(template_globals)
    app.after_request(security_headers)
    app.register_error_handler(400, _error_page)
    app.register_error_handler(404, _error_page)
    app.register_error_handler(405, _error_page)
    app.register_error_handler(410, _error_page)
    app.register_error_handler(413, _error_page)
    app.register_error_handler(429, _error_page)
    app.register_error_handler(503, _error_page)
    app.wsgi_app = OneClickDoor(app)  # type: ignore[method-assign]
    return app


def _site(settings: Settings, engine: Engine, key: bytes) -> Site:
    from digest.store.admin_sessions import keep_only
    from digest.store.one_click import OneClick

    mark = password_mark(key, settings.admin_password)
    keep_only(engine, mark)  # shared log-ins made under another password end now
    throttle = Throttle(limit=settings.signups_per_ip, window=3600)
    return Site(
        settings=settings,
        engine=engine,
        key=key,
        ip_throttle=throttle,
        one_click=OneClick(engine),
        admin_hash=password_hash(settings),
        admin_mark=mark,
    )


def _error_page(error: Any) -> tuple[str, int]:
    from digest.serve.words import page_language, render

    code = int(getattr(error, "code", 500) or 500)
    return render("error.html.j2", page_language(), code=code), code
