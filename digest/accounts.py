"""Volunteers' roles: what each may do on the dashboard (issue 22).

An editor edits and approves social posts; an approver also approves or holds editions and
resolves deliveries; an admin also manages the volunteers' accounts. DIGEST_ADMIN_PASSWORD
stays the first admin (:data:`FIRST_ADMIN` names it in the audit log).
"""

from __future__ import annotations

ROLES = ("editor", "approver", "admin")
# What each role may touch; each role may do what the one before it may.
AREAS = {
    "editor": frozenset({"posts"}),
    "approver": frozenset({"posts", "editions", "deliveries"}),
    "admin": frozenset({"posts", "editions", "deliveries", "users"}),
}
FIRST_ADMIN = "admin (DIGEST_ADMIN_PASSWORD)"


def check_role(raw: str) -> str:
    """``raw`` as a role; ValueError naming the roles otherwise."""
    role = raw.strip().lower()
    if role not in ROLES:
        raise ValueError(f"{raw!r} is no role; use one of {', '.join(ROLES)}")
    return role


def may(role: str, area: str) -> bool:
    """Whether ``role`` may change things in ``area`` (posts, editions, deliveries, users)."""
    return area in AREAS.get(role, frozenset())
