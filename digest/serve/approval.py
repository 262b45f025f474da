"""/approval/<token>: an approver's Approve and Hold links (DIGEST_APPROVAL=email).

``GET`` shows the edition, what the link stands for now and two buttons, and changes nothing:
mail scanners open every link they see. ``POST`` (a button, with the page's CSRF token) spends
the token on Approve or Hold, once. The token is the only credential: no log-in is needed, as an
approver may never have one. The rules are :mod:`digest.deliver.approval`'s.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from digest import clock
from digest.serve.site import site
from digest.serve.words import page_language, render
from digest.store.watch import Request

blueprint = Blueprint("approval", __name__)

MAX_TOKEN = 100


@blueprint.route("/approval/<token>", methods=["GET", "POST"])
def approval(token: str) -> Any:
    from digest.deliver.approval import decide, look
    from digest.store.watch import state_of

    if len(token) > MAX_TOKEN:
        abort(404)
    engine = site().engine
    if request.method == "POST":
        decided = request.form.get("action", "")
        if decided not in ("approve", "hold"):
            abort(400)
        found = decide(engine, token, decided, clock.now())
        if found.acted and found.request is not None:
            _audit(found.request, decided)
    else:  # GET and HEAD: look only
        found = look(engine, token)
    if found.situation == "unknown" or found.request is None:
        abort(404)
    state, by = state_of(engine, found.edition) if found.edition is not None else ("", None)
    wanted = "hold" if request.args.get("do") == "hold" else "approve"
    page = render(
        "approval.html.j2", page_language(), found=found, state=state, by=by,
        wanted=wanted, zone=site().settings.cadence.zone,
    )
    return page, 200


def _audit(made: Request, decision: str) -> None:
    """The approver's decision in the audit log, under their address (the token was theirs)."""
    from digest.store.users import record

    record(site().engine, clock.now(), made.approver, f"edition {decision}", made.edition_key,
           "from the approval email")
