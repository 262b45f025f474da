"""Sending caps: how many messages one provider account takes per hour and per day, and an
optional warm-up ramp for a new sending domain.

The caps count the ledger's own hand-over times (``deliveries.handed_at``, epoch seconds of
digest's clock; :mod:`digest.clock`) over two sliding windows, the last 3,600 and the last
86,400 seconds, per provider (the ledger's channel, ``email:<provider>``), over every edition. So
they hold across runs, restarts and instances sharing one database, and "when can the rest
go?" is a question about the ledger: the moment enough of the oldest hand-overs leave a window.

The warm-up ramp is Ghost's domain-warming table: the messages of one UTC day may be at most
200 while no earlier day sent more than 100; then twice the most of any earlier day, up to
100,000; 1.5 times up to 400,000; 1.25 times above. It grows with what was really sent, so a
weekly sender's second week may send twice its first busiest day, and once the domain has sent
the whole list in one day the ramp no longer holds anything back.

Pure arithmetic: the claim's transaction counts (:mod:`digest.store.sendpath`), and
:mod:`digest.deliver.pace` reads the history for the outlook.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

HOUR, DAY = 3600.0, 86400.0
PER_HOUR, PER_DAY, WARMUP = "DIGEST_SEND_MAX_PER_HOUR", "DIGEST_SEND_MAX_PER_DAY", "DIGEST_SEND_WARMUP"
_STEPS = 100_000  # the estimate gives up past this many windows (a cap of 1 for a huge list)


@dataclass(frozen=True)
class Caps:
    """The settings: 0 is no cap."""

    per_hour: int = 0
    per_day: int = 0
    warmup: bool = False

    @property
    def active(self) -> bool:
        return bool(self.per_hour or self.per_day or self.warmup)

    @property
    def largest_call(self) -> int:
        """The most messages one call may carry so that it fits in every window (0: no cap)."""
        sizes = [n for n in (self.per_hour, self.per_day, warmup_limit(0) if self.warmup else 0) if n]
        return min(sizes, default=0)


NO_CAPS = Caps()


def warmup_limit(best_day: int) -> int:
    """The most messages of one UTC day, after a busiest earlier day of ``best_day``."""
    if best_day <= 100:
        return 200
    factor = 2.0 if best_day <= 100_000 else 1.5 if best_day <= 400_000 else 1.25
    return math.ceil(best_day * factor)


def day_of(when: float) -> int:
    return math.floor(when / DAY)


@dataclass(frozen=True)
class Used:
    """Messages handed over in the last hour, the last 24 hours, and since midnight UTC."""

    hour: int = 0
    day: int = 0
    today: int = 0


@dataclass(frozen=True)
class Limits:
    """What a claim's transaction checks (besides the edition's pause): 0 is no cap.

    ``today``: the warm-up limit of the current UTC day; ``unit``: the messages of the largest
    delivery left (1 over SMTP; a batch over HTTP).
    """

    per_hour: int = 0
    per_day: int = 0
    today: int = 0
    unit: int = 1

    @property
    def capped(self) -> bool:
        return bool(self.per_hour or self.per_day or self.today)

    def allowed(self, used: Used, wanted: int) -> int:
        """How many of ``wanted`` deliveries may be claimed now without passing a cap.

        A delivery larger than a whole window (a batch recorded before the cap was set) goes
        alone into an empty one, or it would never go.
        """
        pairs = [(c, u) for c, u in ((self.per_hour, used.hour), (self.per_day, used.day),
                                      (self.today, used.today)) if c]
        if not pairs:
            return wanted
        if self.unit > min(c for c, _ in pairs):
            return min(wanted, 1) if all(u == 0 for _, u in pairs) else 0
        room = min(c - u for c, u in pairs)
        return max(0, min(wanted, room // self.unit))


def window_params(now: float) -> dict[str, float]:
    """The bounds a claim's transaction counts within (see :func:`Limits.allowed`)."""
    return {"b_hour": now - HOUR, "b_day": now - DAY, "b_midnight": day_of(now) * DAY}


@dataclass
class History:
    """What the ledger holds about one provider: (when, messages) of the last 24 hours, oldest
    first, and the busiest UTC day before the current one (for the warm-up ramp)."""

    handed: list[tuple[float, int]] = field(default_factory=list)
    best_day: int = 0


@dataclass
class Outlook:
    """When the rest of an edition can go: ``resume_at`` (None: now), ``finish_at`` (None: no
    estimate), and the setting that holds it back."""

    resume_at: float | None = None
    finish_at: float | None = None
    holding: str = ""


class Pacer:
    """The caps replayed over a history: room at a time, when room comes, when a list is done."""

    def __init__(self, caps: Caps, history: History, now: float) -> None:
        self.caps = caps
        self.handed = sorted(history.handed)
        self.best = history.best_day
        self.day = day_of(now)

    def limits(self, unit: int = 1) -> Limits:
        return Limits(self.caps.per_hour, self.caps.per_day, self._today_limit(), unit)

    def room(self, at: float) -> int | None:
        """Messages that may go at ``at``; None when nothing caps them."""
        self._advance(at)
        rooms = [cap - self._in_window(at, width) for cap, width, _ in self._windows()]
        if self.caps.warmup:
            rooms.append(self._today_limit() - self._on_day(self.day))
        return max(0, min(rooms)) if rooms else None

    def wait(self, at: float, need: int) -> tuple[float, str]:
        """The earliest time from ``at`` with room for ``need`` messages (at most a whole cap),
        and the setting that decides it ("" when there is room at ``at``)."""
        self._advance(at)
        times: list[tuple[float, str]] = [(at, "")]
        for cap, width, name in self._windows():
            times.append((self._window_frees(at, width, cap - min(need, cap)), name))
        if self.caps.warmup:
            limit = self._today_limit()
            if self._on_day(self.day) + min(need, limit) > limit:
                times.append(((self.day + 1) * DAY, WARMUP))
        return max(times)

    def add(self, at: float, messages: int) -> None:
        self.handed.append((at, messages))

    def outlook(self, at: float, remaining: int) -> Outlook:
        """When the next message can go, and when the last of ``remaining`` can, at the earliest."""
        if remaining <= 0 or not self.caps.active:
            return Outlook()
        resume, holding = self.next_go(at, remaining)
        t = at
        for _ in range(_STEPS):
            room = self.room(t) or 0
            chunk = min(room, remaining)
            if chunk:
                self.add(t, chunk)
                remaining -= chunk
            if not remaining:
                return Outlook(resume if resume > at else None, t, holding)
            t, _ = self.next_go(t, remaining)
        return Outlook(resume if resume > at else None, None, holding)

    def next_go(self, at: float, remaining: int) -> tuple[float, str]:
        """When the next of ``remaining`` go: when a whole cap's worth (or all that is left)
        can, not one by one as single hand-overs leave a window."""
        return self.wait(at, min(remaining, self._smallest()))

    # -- inside -------------------------------------------------------------
    def _windows(self) -> Iterable[tuple[int, float, str]]:
        if self.caps.per_hour:
            yield self.caps.per_hour, HOUR, PER_HOUR
        if self.caps.per_day:
            yield self.caps.per_day, DAY, PER_DAY

    def _smallest(self) -> int:
        caps = [c for c, _, _ in self._windows()] + ([self._today_limit()] if self.caps.warmup else [])
        return min(caps)

    def _today_limit(self) -> int:
        return warmup_limit(self.best) if self.caps.warmup else 0

    def _advance(self, at: float) -> None:
        """A new UTC day: the days before it count toward the ramp's busiest day."""
        day = day_of(at)
        if day <= self.day:
            return
        totals: dict[int, int] = {}
        for when, n in self.handed:
            if self.day <= day_of(when) < day:
                totals[day_of(when)] = totals.get(day_of(when), 0) + n
        self.best = max([self.best, *totals.values()])
        self.day = day

    def _in_window(self, at: float, width: float) -> int:
        return sum(n for when, n in self.handed if when > at - width)

    def _on_day(self, day: int) -> int:
        return sum(n for when, n in self.handed if day_of(when) == day)

    def _window_frees(self, at: float, width: float, allowed: int) -> float:
        """The first time from ``at`` when at most ``allowed`` messages are left in the window."""
        inside = [(when, n) for when, n in self.handed if when > at - width]
        excess = sum(n for _, n in inside) - allowed
        if excess <= 0:
            return at
        for when, n in inside:
            excess -= n
            if excess <= 0:
                return when + width
        return at  # not reached: the whole window leaves by the last entry's time
