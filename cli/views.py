"""How the commands show the marketplace's read model as text.

The JSON shapes are `saiaas.market.views`; this module only turns them into lines and tables.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from saiaas.cli.output import amount, console, err_console
from saiaas.cli.units import format_duration

__all__ = ["event_line", "render_status", "render_audit", "render_violations"]


def event_line(event: dict[str, Any]) -> str:
    """One event (as `saiaas.market.views.event_json` gives it) as one line of text."""
    kind = event["event"]
    if kind == "BidPlaced":
        return (
            f"bid          {event['category']:<15} {event['bidder']}  "
            f"{amount(event['price_wei'])}  asset {event['asset_cid']}"
        )
    if kind == "BidDisqualified":
        return (
            f"disqualified {event['category']:<15} {event['bidder']}  reason {event['reason_cid']}"
        )
    if kind == "AuctionSettled":
        winners = ", ".join(
            f"{c} {w['provider']} {amount(w['price_wei'])}" for c, w in event["winners"].items()
        )
        return f"settled      {event['state']}" + (f": {winners}" if winners else "")
    if kind == "ModelDelivered":
        return f"delivered    by {event['by']}  model {event['model_cid']}"
    if kind == "DeliveryAcknowledged":
        return f"acknowledged by {event['client']}"
    if kind == "AuctionCancelled":
        return f"cancelled    by {event['client']}"
    if kind == "PaymentClaimed":
        return f"claimed      by {event['by']}"
    if kind == "Withdrawn":
        return f"withdrawn    {event['to']}  {amount(event['amount_wei'])}"
    return str(kind)


def render_violations(report: Any) -> None:
    """A validation report's violations, one per block, on stderr."""
    for v in report.errors:
        about = " ".join(escape(x) for x in (v.subject, v.property) if x)
        err_console.print(
            f"[bold]{escape(v.location())}[/]  {about}\n  [red]{escape(v.message)}[/]",
            highlight=False,
            soft_wrap=True,
        )


def _bid_note(bid: dict[str, Any], best: dict[str, Any] | None) -> tuple[bool, str]:
    is_best = best is not None and bid["bidder"] == best["bidder"]
    if bid["disqualified"]:
        reason = bid.get("disqualification_reason_cid")
        return is_best, "disqualified" + (f" (reason {reason})" if reason else "")
    note = "best" if is_best else ""
    if is_best and best is not None and "eligible" in best:
        note += f", {best['degree'] or 'unverified'}"
        if not best["eligible"]:
            reasons = best.get("reasons") or []
            note += ", not eligible" + (f": {reasons[0]['message']}" if reasons else "")
    return is_best, note


def render_status(report: dict[str, Any]) -> None:
    seconds = report["time_left_seconds"]
    left = f", {format_duration(seconds)} left" if seconds else ""
    console.print(
        f"[bold]{report['address']}[/]  {report['state']}{left}  reserve "
        f"{amount(report['reserve_wei'])}  client {report['client']}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"requirements {report['requirements_cid']}  ontology v{report['ontology_version']}  "
        f"delivery window {format_duration(report['delivery_window_seconds'])}, acknowledgment "
        "window "
        f"{format_duration(report['acknowledgment_window_seconds'])}; bonds "
        + ", ".join(f"{c} {amount(b)}" for c, b in report["bonds_wei"].items())
        + f"; disputes: {report['dispute_resolution']}",
        highlight=False,
        soft_wrap=True,
    )
    for cat in report["categories"]:
        best = cat["best"]
        console.print(f"[bold]{cat['category']}[/] (max {amount(cat['max_price_wei'])})",
                      highlight=False)
        if not cat["bids"]:
            console.print("  no bid yet", highlight=False)
        for bid in cat["bids"]:
            is_best, note = _bid_note(bid, best)
            console.print(
                f"  {'*' if is_best else ' '} {bid['bidder']}  {amount(bid['price_wei']):<12} "
                f"asset {bid['asset_cid']}  {escape(note)}",
                highlight=False,
                soft_wrap=True,
            )
    if report["sla"]:
        sla = report["sla"]
        console.print(f"[bold]SLA[/] total {amount(sla['total_price_wei'])}", highlight=False)
        for w in sla["winners"]:
            console.print(
                f"  {w['category']:<15} {w['provider']}  {amount(w['price_wei'])}  "
                f"{w['asset_cid']}",
                highlight=False,
            )
        if sla["model_cid"]:
            console.print(f"  model {sla['model_cid']}", highlight=False)
    _render_restitution(report)
    console.print(f"owed to {report['caller']}: {amount(report['owed_wei'])}", highlight=False)


def _render_restitution(report: dict[str, Any]) -> None:
    """Arbitration terms, the inputs' confirmation, disputes and the winners' records."""
    r = report.get("restitution")
    if r is None:
        return
    if report.get("arbitrator"):
        console.print(
            f"[bold]arbitration[/] {report['arbitrator']}: fee "
            f"{amount(report['arbitration_fee_wei'])} advanced by the party that opens a "
            "dispute; confirmation window "
            f"{format_duration(report['confirmation_window_seconds'])}, appeal window "
            f"{format_duration(report['appeal_window_seconds'])}",
            highlight=False, soft_wrap=True,
        )
    else:
        console.print(f"[bold]arbitration[/] {r['arbitration']}", highlight=False, soft_wrap=True)
    if r["inputs_confirmed_at"]:
        console.print(f"  inputs confirmed at {r['inputs_confirmed_at']}: the data and algorithm "
                      "winners are owed their price", highlight=False)
    for d in r["disputes"]:
        ruling = "open" if d["open"] else f"ruled {d['ruling_text']}"
        console.print(f"  dispute {d['dispute_id']}: {d['kind']} ({d['category']}) by "
                      f"{d['party']}, {ruling}", highlight=False, soft_wrap=True)
    for category, rec in r.get("winners_records", {}).items():
        console.print(f"  record of the {category} winner: {rec['completed']} completed, "
                      f"{amount(rec['value_paid_wei'])} paid, {rec['disputes_lost']} dispute(s) "
                      "lost",
                      highlight=False, soft_wrap=True)


def render_audit(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("no bids to audit")
        return
    for row in rows:
        mark = "[green]✓[/]" if row["eligible"] else "[red]✗[/]"
        note = " (disqualified)" if row["disqualified"] else ""
        console.print(
            f"{mark} {row['category']:<15} {row['bidder']}  {amount(row['price_wei'])}  "
            f"{row['degree'] or 'unverified'}{note}",
            highlight=False,
            soft_wrap=True,
        )
        if not row["eligible"]:
            for reason in row["reasons"]:
                console.print(f"    {escape(reason['message'])}", highlight=False, soft_wrap=True)
    bad = sum(not r["eligible"] for r in rows)
    console.print(f"{len(rows)} bids, {bad} not matching", highlight=False)
