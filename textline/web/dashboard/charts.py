"""Small bar charts drawn on the server as inline SVG: no script, no image request, a few hundred bytes each."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 320
LABEL = 92
ROW = 22


def bars(rows: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest; readable on a 360-pixel screen."""
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LABEL - 44
    height = ROW * len(rows) + 4
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" font-size="12" font-family="sans-serif">']
    for n, (label, value) in enumerate(rows):
        y = n * ROW + 2
        length = round(room * value / top, 1)
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" fill="#333">{escape(label)}</text>'
                     f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="14" rx="2" fill="#24433a"/>'
                     f'<text x="{LABEL + length + 4}" y="{y + 14}" fill="#333">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
