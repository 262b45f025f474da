"""The dashboard's log-in pages: a password (a volunteer's own with their email, or the shared
DIGEST_ADMIN_PASSWORD without one), or a one-time link emailed to a volunteer (issue 22).

Asking for a link answers the same for any address, and takes the same time: the request is
queued and the side-email worker mails a link only to an account (:mod:`digest.deliver.signin`).
Opening the link shows a page and changes nothing; its button POSTs and spends the link.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request
from werkzeug.wrappers import Response

from digest import clock
from digest.serve.auth import account_key, attempt, remember_device, request_device
from digest.serve.logins import dashboard_csp, dashboard_on, end_session, start_session
from digest.serve.site import site
from digest.serve.words import mask, render

blueprint = Blueprint("signin", __name__, url_prefix="/admin")
blueprint.after_request(dashboard_csp)
MAX_TOKEN = 100


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    s = site()
    if not dashboard_on(s):
        return render("admin_off.html.j2", "en"), 403
    if request.method != "POST":
        return _login_page(False, 200)
    account = _email(request.form.get("email", "")) if request.form.get("email", "").strip() else ""
    if account is None:
        return _login_page(True, 401)
    mark = account_key(s, account)[1]
    device = request_device(s, mark)
    ok = attempt(s, request.remote_addr or "?", request.form.get("password", ""), device, account)
    if ok is None:  # a flood of attempts already waiting; nothing was checked
        abort(429)
    if not ok:
        return _login_page(True, 401)
    start_session(s, account)
    return remember_device(s, redirect("/admin", code=303), device, mark)


def _login_page(failed: bool, code: int) -> tuple[str, int]:
    s = site()
    page = render("admin_login.html.j2", "en", failed=failed, links=bool(s.settings.public_url),
                  shared=bool(s.admin_hash))
    return page, code


@blueprint.post("/login/link")
def ask_for_link() -> Any:
    """Queue a sign-in link for the address given; the answer never says whether it has an account."""
    from digest.deliver.side_queue import queue_sign_in

    s = site()
    if not dashboard_on(s) or not s.settings.public_url:
        abort(404)
    address = _email(request.form.get("email", ""))
    if address is None:
        page = render("admin_login.html.j2", "en", failed=False, links=True, shared=bool(s.admin_hash),
                      bad_email=True)
        return page, 400
    if not s.address_throttle.allow(f"login-ip:{request.remote_addr}"):
        abort(429)
    if s.address_throttle.allow(f"login:{address}"):  # a few links an hour per address, silently
        queue_sign_in(s.engine, address, clock.now())
        s.wake.set()
    return render("admin_link_sent.html.j2", "en", address=mask(address)), 200


@blueprint.route("/login/link/<token>", methods=["GET", "POST"])
def use_link(token: str) -> Any:
    """GET: what the link would do (a button), nothing more. POST: spend it and log in."""
    from digest.deliver.signin import LIFETIME, token_hash
    from digest.store.admin_sessions import link_account

    s = site()
    if len(token) > MAX_TOKEN:
        abort(404)
    spend = request.method == "POST"
    account = link_account(s.engine, token_hash(token), clock.now(), LIFETIME, spend=spend)
    if not account:
        return render("admin_link.html.j2", "en", account=""), 404
    if not spend:
        return render("admin_link.html.j2", "en", account=account), 200
    start_session(s, account)
    return redirect("/admin", code=303)


@blueprint.post("/logout")
def logout() -> Response:
    end_session(site())
    return redirect("/admin/login", code=303)


def _email(raw: str) -> str | None:
    """The address as accounts keep it (lower case, checked); None when it is not one."""
    from digest.accounts import account_email

    try:
        return account_email(raw)
    except ValueError:
        return None
