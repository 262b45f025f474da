"""One exception tree. Every message says what went wrong and what to do next."""

from __future__ import annotations

from collections.abc import Iterable


class DigestError(Exception):
    """Base of every error digest raises on purpose; the CLI prints it as one line."""

    exit_code = 1


class ConfigError(DigestError):
    """A setting is missing or malformed. Names the `.env` key at fault."""

    exit_code = 2

    def __init__(self, key: str, problem: str, fix: str = "") -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        text = f"{key}: {problem}"
        if fix:
            text += f"; {fix}"
        super().__init__(text)


class SourceError(DigestError):
    """A feed, page or article file could not be read. The rest go on without it.

    ``kind`` names the failure in a word or two for source health (``timeout``, ``HTTP 404``,
    ``unreachable``, ``missing``, ``unreadable``...): the same kind run after run is one failure.
    """

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind


class StoreError(DigestError):
    """The database is unreachable or its schema is newer than this program."""


class ProtectedTermError(DigestError):
    """A protected name or place would go out. Nothing is sent."""

    exit_code = 3


class EditionBusy(DigestError):
    """Another run holds the edition's lease: this one changed nothing. Names the holder."""


class RenderError(DigestError):
    """A template failed to render (undefined variable, syntax error, size budget)."""


class WebhookRefused(DigestError):
    """A provider's webhook request failed its check or cannot be read; nothing was stored.

    ``status`` is the HTTP answer: 401 for a bad signature or secret, 400 for a body that
    cannot be read, or what the provider asks for (for example a 406, "do not retry").
    """

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(f"webhook refused ({status}): {reason}")


class ProviderError(DigestError):
    """A mailing provider or social platform refused or failed a request.

    ``retryable`` says whether the same request may be tried again later;
    ``outcome_unknown`` says the request may have been delivered (a timeout after
    sending), so it must be reconciled, never blindly resent. The message is
    redacted (query strings, Authorization-like values and ``secrets``) before it
    can be printed or stored.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status_code: int | None = None,
        retryable: bool = False,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        from digest.redact import redact

        message = redact(message, secrets)  # a provider may echo our key; URLs may carry tokens
        self.provider = provider
        self.status_code = status_code
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        prefix = f"{provider}"
        if status_code is not None:
            protocol = "SMTP" if provider == "smtp" else "HTTP"
            prefix += f" ({protocol} {status_code})"
        super().__init__(f"{prefix}: {message}")


class RecipientRefused(ProviderError):
    """The receiving server refused one recipient at RCPT (or at DATA, our transactions carrying one
    recipient each): its reply, so the bounce policy can tell an address that is gone (5.1.1) from
    one to try again (4.x.x) and from a refusal about us rather than the address (5.7.x)."""

    def __init__(self, provider: str, recipient: str, code: int, reply: str, stage: str) -> None:
        self.recipient = recipient
        self.reply = reply
        self.stage = stage
        super().__init__(
            provider,
            f"{recipient} refused at {stage}: {code} {reply}",
            status_code=code,
            retryable=400 <= code < 500,
        )


class AuthError(ProviderError):
    """Credentials were rejected (HTTP 401/403): the channel needs re-authorisation."""
