"""Issue 19: "the outbox rehearsal is never published".

The README's first command sends the sample edition to the outbox, a provider that sends
nothing. That rehearsal (sample articles, the sample postal address) must never be in the
public archive, whatever provider is configured later, and `digest status` shows it as a
rehearsal, never as a sent edition. The real edition that follows is published as usual.
"""

from __future__ import annotations

import json
import re

from tests.serve.conftest import add_people
from tests.serve.helpers import sent_for_real


def archive_keys(server) -> list[str]:  # type: ignore[no-untyped-def]
    listing = server.session.get(server.url("/archive"))
    assert listing.status_code == 200
    found = re.findall(r'href="/archive/([^"?]+)', listing.text)
    return [re.sub("%3A", ":", k, flags=re.IGNORECASE) for k in found]


def statuses(server) -> dict[str, dict]:  # type: ignore[type-arg, no-untyped-def]
    shown = server.cli("status", "--json")
    return {e["key"]: e for e in json.loads(shown.stdout)["editions"]}


def test_a_rehearsal_is_never_in_the_archive_and_status_says_rehearsal(make_server) -> None:  # type: ignore[no-untyped-def]
    srv = make_server()  # the embedded defaults: the outbox
    rehearsed = srv.cli("send")
    assert rehearsed.returncode == 0, rehearsed.stderr
    [key] = statuses(srv)
    assert archive_keys(srv) == []
    assert srv.session.get(srv.url("/archive/" + key)).status_code == 404
    assert statuses(srv)[key]["rehearsal"] is True
    line = next(x for x in srv.cli("status").stdout.splitlines() if x.startswith(key))
    assert "rehearsal" in line and " sent " not in f"{line} ", line

    add_people(srv, ("reader@example.org", ""), ("kim@example.kr", "ko"))
    mailed = sent_for_real(srv)
    assert sorted(str(m["To"]) for m in mailed) == ["kim@example.kr", "reader@example.org"]
    editions = statuses(srv)
    sent = [k for k, e in editions.items() if not e["rehearsal"]]
    rehearsals = [k for k, e in editions.items() if e["rehearsal"]]
    assert len(sent) == 1 and len(rehearsals) == 1 and editions[sent[0]]["status"] == "sent"
    assert archive_keys(srv) == sent  # the real edition only, never the rehearsal moved aside
    page = srv.session.get(srv.url("/archive/" + sent[0]))
    assert page.status_code == 200 and "12 Real Street" in page.text
    assert srv.session.get(srv.url("/archive/" + rehearsals[0])).status_code == 404
    shown = srv.cli("status").stdout
    assert re.search(re.escape(rehearsals[0]) + r"\s+rehearsal", shown), shown
    assert re.search(re.escape(sent[0]) + r"\s+sent", shown), shown
