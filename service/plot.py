"""The bid plot, drawn on the server as SVG: each category's bids over time, no JavaScript.

One step line per category (the best valid price so far, which only goes down in a descending
auction) over dots for every bid; the max price is a dashed line. The SVG carries its data as
`data-*` attributes and <title> tooltips, so a browser (and a test) can read it.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["bid_plot", "COLOURS"]

COLOURS = {"data": "#2563eb", "algorithm": "#d97706", "infrastructure": "#059669"}
WIDTH, HEIGHT = 720, 260
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 16, 36


def _eth(wei: int) -> str:
    return f"{wei / 10**18:.4g}"


def bid_plot(series: dict[str, list[dict[str, Any]]], max_prices: dict[str, Any] | None,
             start: int | None = None, end: int | None = None) -> str:
    """An SVG of every bid (price against block time) per category."""
    points = [(c, p) for c, bids in series.items() for p in bids if p.get("timestamp")]
    if not points:
        return ('<svg class="plot empty" role="img" viewBox="0 0 720 60" data-bids="0">'
                '<text x="360" y="34" text-anchor="middle">no bids yet</text></svg>')
    times = [p["timestamp"] for _c, p in points] + ([start] if start else [])
    t0, t1 = min(times), max(times + ([end] if end and end - min(times) < 3 * 86400 else []))
    if t1 <= t0:
        t1 = t0 + 1
    prices = [int(p["price_wei"]) for _c, p in points] + [
        int(v) for v in (max_prices or {}).values() if v]
    top = max(prices) * 1.08
    bottom = 0

    def x(t: int) -> float:
        return PAD_L + (t - t0) / (t1 - t0) * (WIDTH - PAD_L - PAD_R)

    def y(price: int) -> float:
        return PAD_T + (1 - (price - bottom) / (top - bottom)) * (HEIGHT - PAD_T - PAD_B)

    out = [f'<svg class="plot" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'data-bids="{len(points)}" aria-label="bids per category over time">']
    for i in range(5):  # grid and price labels
        price = int(top * i / 4)
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(price):.1f}" '
                   f'y2="{y(price):.1f}"/>')
        out.append(f'<text class="axis" x="{PAD_L - 6}" y="{y(price) + 4:.1f}" '
                   f'text-anchor="end">{_eth(price)}</text>')
    fine = t1 - t0 < 3600
    out.append(f'<text class="axis" x="{PAD_L}" y="{HEIGHT - 8}">{_clock(t0, fine)}</text>')
    out.append(f'<text class="axis" x="{WIDTH - PAD_R}" y="{HEIGHT - 8}" '
               f'text-anchor="end">{_clock(t1, fine)}</text>')
    out.append(f'<text class="axis" x="{(WIDTH + PAD_L) / 2}" y="{HEIGHT - 8}" '
               f'text-anchor="middle">ETH per category, by block time</text>')
    for category, bids in series.items():
        colour = COLOURS.get(category, "#6b7280")
        cap = int((max_prices or {}).get(category) or 0)
        if cap:
            out.append(f'<line class="cap" stroke="{colour}" x1="{PAD_L}" x2="{WIDTH - PAD_R}" '
                       f'y1="{y(cap):.1f}" y2="{y(cap):.1f}"><title>{escape(category)} max '
                       f'price {_eth(cap)} ETH</title></line>')
        timed = [b for b in bids if b.get("timestamp")]
        if not timed:
            continue
        best = None
        path: list[str] = []
        for b in timed:
            best = int(b["price_wei"]) if best is None else min(best, int(b["price_wei"]))
            cmd = "M" if not path else "H"
            if path:
                path.append(f"H{x(b['timestamp']):.1f} V{y(best):.1f}")
            else:
                path.append(f"{cmd}{x(b['timestamp']):.1f} {y(best):.1f}")
        path.append(f"H{WIDTH - PAD_R}")
        out.append(f'<path class="series" data-category="{escape(category)}" stroke="{colour}" '
                   f'd="{" ".join(path)}"/>')
        for b in timed:
            out.append(
                f'<circle class="bid" data-category="{escape(category)}" fill="{colour}" '
                f'cx="{x(b["timestamp"]):.1f}" cy="{y(int(b["price_wei"])):.1f}" r="4.5"><title>'
                f'{escape(category)}: {_eth(int(b["price_wei"]))} ETH by '
                f'{escape(b["bidder"])}</title>'
                f'</circle>'
            )
    out.append("</svg>")
    return "".join(out)


def _clock(t: int, seconds: bool = False) -> str:
    import datetime as dt

    shape = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime(shape)
