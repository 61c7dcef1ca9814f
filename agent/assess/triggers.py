"""Triggers from the CSM's own data: usage, seats and API calls, tickets, contacts, meetings,
health and the renewal date, each turned into a `Signal` with its figures in `metrics`.

Only records dated on or before `as_of` count, so a past run can be replayed exactly. The rules,
with every threshold a setting:

- usage_decline: active users (API calls when an account has no user counts). Daily data
  (readings under 7 days apart): the mean of the 7 days ending at the latest reading vs the
  mean of the 7 days ending `usage_decline_days` earlier. Weekly or sparser data: the latest
  reading vs the last reading at least `usage_decline_days` before it. Fires when the drop is
  >= `usage_decline_pct`, red at >= twice that; the latest reading must be no older than
  `usage_decline_days`.
- seat_limit: latest seats used / seats purchased, and latest API calls / API limit, each
  >= `seat_limit_yellow` (yellow) or >= `seat_limit_red` (red); an expansion opportunity.
- support_spike: tickets opened in the 7 days before `as_of` >= `ticket_spike_ratio` x the
  weekly mean of the `ticket_spike_weeks` weeks before those, and at least 3.
- champion_departure: a champion or executive sponsor marked departed in the CRM, or named by
  full name in a public `executive_departure` signal; red when the renewal is 0 to
  `champion_departure_red_days` days away.
- renewal_window: renewal 1 to `renewal_window_max_days` days away; yellow from
  `renewal_window_min_days` out, red when closer (late to start).
- missed_qbr: a QBR or EBR missed or cancelled in the last `qbr_interval_days` and not held
  since, or (for an account with meetings on record) none held in that time.
- health_decline: the last `health_decline_periods` + 1 health readings strictly falling
  (repeated equal readings count as one); red when the latest is under 50.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from statistics import mean, median

from agent.config import Settings
from agent.crm import Contact, CrmData, UsagePoint
from agent.schemas import Account, Signal, SignalType

#: Float slack so that a drop of exactly the threshold counts.
_EPS = 1e-9
_SPIKE_MIN_TICKETS = 3
_HEALTH_RED_BELOW = 50.0
_WEEK = 7


def evaluate_triggers(
    account: Account,
    crm: CrmData,
    as_of: date,
    settings: Settings,
    public_departures: Sequence[Signal] = (),
) -> list[Signal]:
    """The triggers that fire for one account on `as_of`, from its CRM records."""
    data = _until(crm.for_account(account.account_id), as_of)
    return [
        *_usage_decline(data.usage, as_of, settings),
        *_seat_limit(account, data.usage, settings),
        *_support_spike(data, as_of, settings),
        *_champion_departure(account, data.contacts, as_of, settings, public_departures),
        *_renewal_window(account, as_of, settings),
        *_missed_qbr(data, as_of, settings),
        *_health_decline(data.usage, settings),
    ]


def _until(data: CrmData, as_of: date) -> CrmData:
    return CrmData(
        contacts=data.contacts,
        usage=sorted((u for u in data.usage if u.date <= as_of), key=lambda u: u.date),
        tickets=[t for t in data.tickets if t.opened_on <= as_of],
        meetings=sorted((m for m in data.meetings if m.date <= as_of), key=lambda m: m.date),
    )


def _usage_decline(usage: list[UsagePoint], as_of: date, settings: Settings) -> list[Signal]:
    label, series = _activity_series(usage)
    if len(series) < 2:
        return []
    window = settings.usage_decline_days
    last_day = series[-1][0]
    if (as_of - last_day).days > window:
        return []
    gaps = [(b[0] - a[0]).days for a, b in pairwise(series)]
    if median(gaps) < _WEEK:
        recent = _window_mean(series, last_day)
        before = _window_mean(series, last_day - timedelta(days=window))
    else:
        recent = float(series[-1][1])
        earlier = [v for d, v in series if d <= last_day - timedelta(days=window)]
        before = float(earlier[-1]) if earlier else None
    if recent is None or before is None or before <= 0:
        return []
    drop = (before - recent) / before
    if drop + _EPS < settings.usage_decline_pct:
        return []
    severity = "red" if drop + _EPS >= 2 * settings.usage_decline_pct else "yellow"
    return [
        Signal(
            type=SignalType.usage_decline,
            severity=severity,
            polarity="risk",
            summary=(
                f"{label.capitalize()} fell {drop:.0%} in {window} days "
                f"(from {before:,.0f} to {recent:,.0f})."
            ),
            occurred_at=last_day,
            entity=label,
            metrics={
                "metric": label,
                "before": round(before, 1),
                "after": round(recent, 1),
                "drop_pct": round(100 * drop, 1),
                "window_days": window,
            },
        )
    ]


def _activity_series(usage: list[UsagePoint]) -> tuple[str, list[tuple[date, int]]]:
    users = [(u.date, u.active_users) for u in usage if u.active_users is not None]
    if users:
        return "active users", users
    return "API calls", [(u.date, u.api_calls) for u in usage if u.api_calls is not None]


def _window_mean(series: list[tuple[date, int]], end: date) -> float | None:
    start = end - timedelta(days=_WEEK)
    values = [v for d, v in series if start < d <= end]
    return mean(values) if values else None


def _seat_limit(account: Account, usage: list[UsagePoint], settings: Settings) -> list[Signal]:
    found: list[Signal] = []
    seats = [u for u in usage if u.seats_used is not None]
    if seats and account.seats_purchased:
        point = seats[-1]
        found += _limit(
            "seats", point.seats_used or 0, account.seats_purchased, point.date, settings
        )
    api = [u for u in usage if u.api_calls is not None and u.api_limit]
    if api:
        point = api[-1]
        found += _limit(
            "API calls", point.api_calls or 0, point.api_limit or 0, point.date, settings
        )
    return found


def _limit(what: str, used: int, cap: int, day: date, settings: Settings) -> list[Signal]:
    share = used / cap
    if share + _EPS < settings.seat_limit_yellow:
        return []
    severity = "red" if share + _EPS >= settings.seat_limit_red else "yellow"
    return [
        Signal(
            type=SignalType.seat_limit,
            severity=severity,
            polarity="opportunity",
            summary=(
                f"{used:,} of {cap:,} {what} in the plan used ({share:.0%}); "
                "time for an expansion conversation before they hit the limit."
            ),
            occurred_at=day,
            entity=what,
            metrics={"used": used, "limit": cap, "utilization_pct": round(100 * share, 1)},
        )
    ]


def _support_spike(data: CrmData, as_of: date, settings: Settings) -> list[Signal]:
    def opened(weeks_back: int) -> int:
        end = as_of - timedelta(days=_WEEK * weeks_back)
        start = end - timedelta(days=_WEEK)
        return sum(1 for t in data.tickets if start <= t.opened_on < end)

    last = opened(0)
    trailing = mean(opened(k) for k in range(1, settings.ticket_spike_weeks + 1))
    if last < _SPIKE_MIN_TICKETS or last + _EPS < settings.ticket_spike_ratio * trailing:
        return []
    versus = (
        f"{last / trailing:.1f}x the weekly average of {trailing:.1f}"
        if trailing
        else "up from none"
    )
    return [
        Signal(
            type=SignalType.support_spike,
            severity="yellow",
            polarity="risk",
            summary=(
                f"{last} support tickets in the last 7 days, {versus} "
                f"over the {settings.ticket_spike_weeks} weeks before."
            ),
            occurred_at=as_of - timedelta(days=1),
            metrics={
                "tickets_last_week": last,
                "weekly_mean": round(trailing, 2),
                "trailing_weeks": settings.ticket_spike_weeks,
            },
        )
    ]


def _champion_departure(
    account: Account,
    contacts: list[Contact],
    as_of: date,
    settings: Settings,
    public_departures: Sequence[Signal],
) -> list[Signal]:
    days = (account.renewal_date - as_of).days if account.renewal_date else None
    red = days is not None and 0 <= days <= settings.champion_departure_red_days
    found: list[Signal] = []
    for contact in contacts:
        if contact.role not in ("champion", "executive_sponsor"):
            continue
        news = _public_departure(contact.name, public_departures)
        if contact.status != "departed" and news is None:
            continue
        when = contact.departed_on or (news.occurred_at if news else None)
        role = "Champion" if contact.role == "champion" else "Executive sponsor"
        who = f"{contact.name} ({contact.title})" if contact.title else contact.name
        how = "is marked departed in the CRM" if contact.status == "departed" else "is leaving"
        timing = f", {days} days before the renewal on {account.renewal_date}" if red else ""
        metrics: dict[str, float | int | str] = {
            "role": contact.role,
            "source": "crm" if contact.status == "departed" else "public",
        }
        if days is not None:
            metrics["days_to_renewal"] = days
        found.append(
            Signal(
                type=SignalType.champion_departure,
                severity="red" if red else "yellow",
                polarity="risk",
                summary=f"{role} {who} {how}{timing}.",
                occurred_at=when,
                entity=contact.name,
                metrics=metrics,
            )
        )
    return found


def _public_departure(name: str, signals: Sequence[Signal]) -> Signal | None:
    pattern = re.compile(rf"\b{re.escape(_plain(name))}\b")
    for signal in signals:
        if signal.type != SignalType.executive_departure:
            continue
        if any(pattern.search(_plain(text)) for text in (signal.entity or "", signal.summary)):
            return signal
    return None


def _plain(text: str) -> str:
    """Text folded for name matching: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _renewal_window(account: Account, as_of: date, settings: Settings) -> list[Signal]:
    if account.renewal_date is None:
        return []
    days = (account.renewal_date - as_of).days
    if not 0 < days <= settings.renewal_window_max_days:
        return []
    late = days < settings.renewal_window_min_days
    advice = "late to start the renewal plan" if late else "time to start the renewal plan"
    return [
        Signal(
            type=SignalType.renewal_window,
            severity="red" if late else "yellow",
            polarity="context",
            summary=f"Renewal on {account.renewal_date} is {days} days away; {advice}.",
            occurred_at=account.renewal_date - timedelta(days=settings.renewal_window_max_days),
            metrics={"days_to_renewal": days, "renewal_date": account.renewal_date.isoformat()},
        )
    ]


def _missed_qbr(data: CrmData, as_of: date, settings: Settings) -> list[Signal]:
    reviews = [m for m in data.meetings if m.kind in ("qbr", "ebr")]
    since = as_of - timedelta(days=settings.qbr_interval_days)
    held = [m for m in reviews if m.status == "held"]
    missed = [
        m
        for m in reviews
        if m.status in ("missed", "cancelled")
        and m.date >= since
        and not any(h.date > m.date for h in held)
    ]
    interval = settings.qbr_interval_days
    if missed:
        last = missed[-1]
        summary = f"The {last.kind.upper()} of {last.date} was {last.status}; none held since."
        when = last.date
    elif data.meetings and not any(h.date >= since for h in held):
        summary = f"No QBR or EBR held in the last {interval} days."
        when = held[-1].date + timedelta(days=interval) if held else as_of
    else:
        return []
    metrics: dict[str, float | int | str] = {"interval_days": interval}
    if held:
        metrics["last_held"] = held[-1].date.isoformat()
        metrics["days_since_held"] = (as_of - held[-1].date).days
    return [
        Signal(
            type=SignalType.missed_qbr,
            severity="yellow",
            polarity="risk",
            summary=summary,
            occurred_at=when,
            metrics=metrics,
        )
    ]


def _health_decline(usage: list[UsagePoint], settings: Settings) -> list[Signal]:
    readings: list[tuple[date, float]] = []
    for point in usage:
        if point.health_score is None:
            continue
        if readings and readings[-1][1] == point.health_score:
            continue
        readings.append((point.date, point.health_score))
    periods = settings.health_decline_periods
    tail = readings[-(periods + 1) :]
    falling = all(a[1] > b[1] for a, b in pairwise(tail))
    if len(tail) < periods + 1 or not falling:
        return []
    latest = tail[-1][1]
    path = " → ".join(f"{score:g}" for _, score in tail)
    return [
        Signal(
            type=SignalType.health_decline,
            severity="red" if latest < _HEALTH_RED_BELOW else "yellow",
            polarity="risk",
            summary=f"Health score down {periods} periods in a row: {path}.",
            occurred_at=tail[-1][0],
            metrics={"health_score": latest, "previous": tail[-2][1], "periods": periods},
        )
    ]
