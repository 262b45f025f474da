"""/admin/users: an admin lists, adds, re-roles and removes volunteers' accounts, as
`digest users` does (issue 22). Every change is a POST with the page's CSRF token, answered with
a 303 back to the page, and is in the audit log with who made it; removing an account ends its
log-ins at once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session

from digest import clock
from digest.accounts import ROLES
from digest.serve.logins import current_login, dashboard_csp, needs, who
from digest.serve.site import site
from digest.serve.words import render

blueprint = Blueprint("users", __name__, url_prefix="/admin")
blueprint.after_request(dashboard_csp)


@blueprint.get("/users")
@needs("users")
def users_page() -> Any:
    return _page(session.pop("users_flash", ""), "", 200)


def _last_admin(address: str, action: str, role: str) -> bool:
    """Whether the change would leave the dashboard with no admin at all (no shared password either)."""
    from digest.store.users import users

    s = site()
    if s.admin_hash or (action == "role" and role == "admin") or action not in ("remove", "role"):
        return False
    admins = {u.email for u in users(s.engine) if u.role == "admin"}
    return admins == {address}


def _page(flash: str, problem: str, code: int, typed: str = "") -> tuple[str, int]:
    from digest.store.users import users

    s = site()
    found = current_login(s)
    page = render(
        "admin_users.html.j2", "en", users=users(s.engine), roles=ROLES, flash=flash, problem=problem,
        typed=typed, me=found.account if found else "", shared=bool(s.admin_hash),
    )
    return page, code


@blueprint.post("/users")
@needs("users")
def change_user() -> Any:
    """add (with a role), role (change it) or remove; a bad address or role is the page again, 400."""
    from digest.accounts import account_email, check_role
    from digest.store.users import remove_user, save_user

    action, raw = request.form.get("action", ""), request.form.get("email", "")
    try:
        address = account_email(raw)
    except ValueError as exc:
        return _page("", f"{exc}; write it as name@example.org", 400, raw[:320])
    engine, now = site().engine, clock.now()
    if _last_admin(address, action, request.form.get("role", "")):
        why = "DIGEST_ADMIN_PASSWORD is not set: make someone else admin first, or nobody could manage users"
        return _page("", f"{address} is the last admin and {why}", 400, address)
    if action == "remove":
        gone = remove_user(engine, address, now, who())
        said = "removed; their log-ins have ended" if gone else "has no account"
        session["users_flash"] = f"{address} {said}"
        return redirect("/admin/users", code=303)
    try:
        role = check_role(request.form.get("role", ""))
    except ValueError as exc:
        return _page("", str(exc), 400, address)
    if action not in ("add", "role"):
        return _page("", "choose Add, Change role or Remove", 400, address)
    done = save_user(engine, address, role, now, who())
    said = {"added": "added as", "changed": "is now", "": "was already"}[done]
    session["users_flash"] = f"{address} {said} {role}"
    return redirect("/admin/users", code=303)
