"""What one scheduled check found, and which outcomes count as trouble (`digest run --once` exits 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# Outcomes after which `digest run --once` exits non-zero (cron mails the output). A send that
# failed is trouble the first time; its later retries ("retrying", "waiting") are not, the
# alert having said so once.
TROUBLE = ("missed", "partial", "refused", "error", "failed")


@dataclass(frozen=True)
class CheckResult:
    key: str
    # idle, done, sent, skipped, sending, settling (partly sent, the rest settled by digest itself),
    # partial, failed, retrying, waiting, paused, capped, missed, refused, error, busy, held (an
    # edition not approved: DIGEST_APPROVAL=email)
    outcome: str
    message: str
    # When the schedule tries the edition again (a failure that can pass): the daemon wakes then.
    retry_at: datetime | None = None
    resume_at: float | None = None  # capped: when the caps let the rest go (epoch seconds)

    @property
    def trouble(self) -> bool:
        return self.outcome in TROUBLE

    @property
    def wake_at(self) -> datetime | None:
        """When the daemon should look again, besides its watchdog: a retry, or a cap's window."""
        resume = datetime.fromtimestamp(self.resume_at, UTC) if self.resume_at is not None else None
        return min((t for t in (self.retry_at, resume) if t is not None), default=None)
