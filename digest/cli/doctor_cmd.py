"""`digest doctor`: check the sending set-up before the first real send; one line per finding."""

from __future__ import annotations

import argparse

from digest.cli import add_command
from digest.cli.context import Context

EXAMPLES = """\
  digest doctor                             check DNS, the mail server and the unsubscribe link
  DIGEST_DNS_SERVER=1.1.1.1:53 digest doctor    ask that DNS server instead of the system's
"""

DESCRIPTION = """\
Checks what decides whether the digest reaches the inbox, and says what to fix, one
line each: MX, SPF and DMARC of the DIGEST_FROM domain (and that the DKIM d= and the
envelope domain align with it), the DKIM key published at <selector>._domainkey
against DIGEST_DKIM_KEY_FILE, your SMTP server's TLS and login, that digest's DKIM
signature covers both List-Unsubscribe headers, and that the one-click unsubscribe
link is https and answers. Changes nothing and sends nothing.
Exit status: 0 when nothing would hurt delivery (warn lines are advice), 1 otherwise.
"""

MARKS = {"ok": "ok  ", "warn": "warn", "fix": "FIX "}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(sub, "doctor", "check DNS, the mail server and the unsubscribe link before sending",
                    EXAMPLES, DESCRIPTION)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from digest.deliver.doctor import run_doctor

    findings = run_doctor(ctx.settings)
    for f in findings:
        print(f"{MARKS[f.level]} {f.topic:<11} {f.text}")
    problems = sum(f.level == "fix" for f in findings)
    if problems:
        print(f"{problems} thing(s) to fix before sending: the FIX lines say how")
        return 1
    print("nothing here would hurt delivery")
    return 0
