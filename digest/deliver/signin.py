"""The one-time sign-in link a volunteer asks for on the dashboard's log-in page (issue 22).

The page only queues the request (the answer is the same whether the address has an account or
not); the side-email worker calls :func:`send_sign_in`, which mails a link only to an account,
only when DIGEST_PUBLIC_URL says where the dashboard is. The link's token is random; only its
SHA-256 is kept, it works once and for LIFETIME, and opening it shows a page whose button logs in
(mail scanners open links; they never press buttons).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from digest.config import Settings
from digest.deliver.side_email import SideEmail, send_side_email
from digest.store import Engine
from digest.store.admin_sessions import add_link
from digest.store.users import user_row
from digest.types import Recipient

LIFETIME = timedelta(minutes=15)
KIND = "login"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_sign_in(settings: Settings, engine: Engine, address: str, idem_key: str, now: datetime) -> bool:
    """Mail ``address`` a fresh sign-in link if it has an account; False when nothing is sent."""
    if not settings.public_url or user_row(engine, address) is None:
        return False
    token = secrets.token_urlsafe(32)
    add_link(engine, token_hash(token), address, now, LIFETIME)
    mail = SideEmail(
        kind=KIND,
        to=Recipient(email=address),
        language=settings.language,
        context={"link": f"{settings.public_url}/admin/login/link/{token}",
                 "minutes": int(LIFETIME.total_seconds() // 60)},
        key=f"login-{hashlib.sha256(address.encode()).hexdigest()[:12]}-{secrets.token_hex(4)}",
        idem_key=idem_key,
    )
    send_side_email(settings, engine, mail, now)
    return True
