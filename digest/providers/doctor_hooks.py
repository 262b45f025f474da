"""What a provider tells `digest doctor` (:mod:`digest.deliver.doctor`) about its own set-up.

The defaults fit a provider that signs and returns the mail itself (its DKIM ``d=`` and return
path are set in its own settings, which digest cannot see); our own SMTP server overrides them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.dnslookup import DnsLookup
    from digest.mailcheck import Finding


class DoctorHooks:
    def dkim_domain(self) -> str | None:
        """The DKIM ``d=`` of the messages: None when the provider (or a relay) signs them."""
        return None

    def envelope_domain(self) -> str | None:
        """The envelope sender's domain (SPF): None when the provider's return path decides it."""
        return None

    def doctor(self, lookup: DnsLookup) -> list[Finding]:
        """Findings about the provider's own set-up (its server, its signature); none by default."""
        return []
