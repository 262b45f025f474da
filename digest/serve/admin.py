"""The volunteers' dashboard at /admin: editions and their deliveries, charts, the social
approval queue (edit, approve, skip) and unknown deliveries (resolve as sent or resend).

Every form carries a CSRF token (Flask-WTF checks every POST here); every change is a
POST answered with a 303 back to the dashboard, so a reload never repeats it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, request, session

from digest import clock
from digest.serve.logins import admin_only, current_login, dashboard_csp, needs, who
from digest.serve.site import site
from digest.serve.words import render

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.after_request(dashboard_csp)


@blueprint.get("")
@admin_only
def dashboard() -> Any:
    return _page({}, 200)


@blueprint.get("/preview")
@admin_only
def preview() -> Any:
    from digest.serve.admin_preview import preview_html, response

    return response(preview_html(site().settings, site().engine, links=site().links))


def _page(problems: dict[int, list[str]], code: int, drafts: dict[int, str] | None = None) -> Any:
    from digest.accounts import AREAS, may
    from digest.serve.dashboard import overview

    data = overview(site().settings, site().engine, clock.now(), problems, drafts or {})
    login = current_login(site())
    can = {area: login is not None and may(login.role, area) for area in AREAS["admin"]}
    return render("admin.html.j2", "en", login=login, can=can, **data), code


@blueprint.post("/posts/<int:post_id>")
@needs("posts")
def post_action(post_id: int) -> Any:
    from digest.serve.dashboard import act_on_post, done_message

    action = request.form.get("action", "")
    text = request.form.get("text")
    problems = act_on_post(site().settings, site().engine, post_id, action, text)
    if problems:
        return _page({post_id: problems}, 400, {post_id: text or ""})
    _audit(f"post {action}", f"post {post_id}", (text or "")[:200] if action == "save" else "")
    session["post_flash"] = {"id": post_id, "text": done_message(post_id, action)}
    # A skipped post leaves the list: the message then shows above it.
    return redirect(f"/admin#{'posts' if action == 'skip' else f'post-{post_id}'}", code=303)


@blueprint.post("/posts/<int:post_id>/count")
@needs("posts")
def post_count(post_id: int) -> Any:
    """The live counter's one rule: the server counts the draft exactly as a save would
    (the platform's counting, its limit, the link, protected terms). Changes nothing."""
    from digest.serve.dashboard import count_draft

    found = count_draft(site().settings, site().engine, post_id, request.form.get("text", ""))
    if found is None:
        abort(404)
    return jsonify(found)


@blueprint.get("/signup-form")
@admin_only
def signup_form() -> Any:
    """The sign-up form to paste into the organisation's own site, in each language."""
    from digest.serve.signup import LANGUAGE_NAMES, snippet

    found = {code: snippet(code) for code in LANGUAGE_NAMES}
    origins = site().settings.signup_origins
    page = render("admin_signup.html.j2", "en", origins=origins, snippets=LANGUAGE_NAMES, snippets_html=found)
    return page, 200


@blueprint.get("/editions/<key>")
@admin_only
def edition(key: str) -> Any:
    """An edition's receipt as it stands now, and every source's health."""
    from digest.serve.dashboard import edition_page

    found = edition_page(site().settings, site().engine, key, clock.now())
    if found is None:
        abort(404)
    return render("admin_edition.html.j2", "en", **found), 200


@blueprint.post("/editions/<action>")
@needs("editions")
def pause_or_resume(action: str) -> Any:
    """The Pause and Resume buttons: `digest pause` / `digest resume` (the same choice of edition)."""
    from digest.serve.dashboard import pause_or_resume as act

    if action not in ("pause", "resume"):
        abort(404)
    session["flash"] = act(site().settings, site().engine, action, request.form.get("edition") or None)
    _audit(f"edition {action}", request.form.get("edition") or "", session["flash"])
    return redirect("/admin#editions", code=303)


@blueprint.post("/deliveries")
@needs("deliveries")
def resolve() -> Any:
    from digest.serve.dashboard import resolve_deliveries

    ids = [int(v) for v in request.form.getlist("id") if v.isdigit()]
    action = request.form.get("action", "")
    if action not in ("sent", "resend") or not ids:
        abort(400)
    session["flash"] = resolve_deliveries(site().settings, site().engine, ids, action)
    _audit(f"deliveries {action}", " ".join(f"#{i}" for i in ids), session["flash"])
    return redirect("/admin#unknown", code=303)


@blueprint.post("/editions/<path:key>/approval")
@needs("editions")
def edition_approval(key: str) -> Any:
    """Approve or hold the edition's current bytes, or unfreeze it to be built again (an edit:
    the approvers are asked again about the new bytes)."""
    from digest.deliver.approval import decide_on_dashboard, rebuild

    action = request.form.get("action", "")
    if action not in ("approve", "hold", "rebuild"):
        abort(400)
    engine = site().engine
    if action == "rebuild":
        problem = rebuild(engine, key, who())
        done = f"{key} will be built again at the scheduler's next look; its approvers are then asked again"
    else:
        problem = decide_on_dashboard(engine, key, action, who(), clock.now())
        done = f"{key} {'approved' if action == 'approve' else 'held'}"
    if not problem:
        _audit(f"edition {action}", key, "on the dashboard")
    session["flash"] = problem or done
    return redirect("/admin#calendar", code=303)


@blueprint.get("/audit")
@admin_only
def audit() -> Any:
    """The audit log: who changed what, and when, newest first."""
    from digest.store.users import entries

    return render("admin_audit.html.j2", "en", entries=entries(site().engine)), 200


def _audit(action: str, subject: str, detail: str) -> None:
    """Record a change made on the dashboard, by whoever is logged in."""
    from digest.store.users import record

    record(site().engine, clock.now(), who(), action, subject, str(detail))
