"""A new dashboard password read from the person at the keyboard: the shared DIGEST_ADMIN_PASSWORD
(`digest serve --hash-password`) or a volunteer's own (`digest users password`), under one rule."""

from __future__ import annotations

from digest.errors import DigestError


def new_password_hash(prompt: str, again: str) -> str:
    """Ask twice on a terminal (one line of stdin otherwise); refuse a short or guessable password;
    the Werkzeug scrypt hash. ``again`` is the command that asks anew, for the error."""
    import getpass
    import sys

    from werkzeug.security import generate_password_hash

    from digest.config.web_values import MIN_PASSWORD, guessable

    if sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if getpass.getpass("again: ") != password:
            raise DigestError(f"the two passwords differ; run {again} again")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password.strip()) < MIN_PASSWORD:
        raise DigestError(f"use at least {MIN_PASSWORD} characters for the password (a few words work well)")
    weak = guessable(password.strip())
    if weak:  # the hash would be taken as it is: refuse the password now
        raise DigestError(f"that password {weak}; use a few words that go together only for you")
    return generate_password_hash(password)
