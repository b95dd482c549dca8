"""Charts as inline SVG, drawn on the server: no script, no external library, readable by screen
readers (each chart has a title and the figures are also in a table beside it)."""

from __future__ import annotations

from html import escape

_COLOURS = ("#a4161a", "#0b4f9c", "#1f6b2c", "#7a4d00", "#5b2a86", "#00616e", "#8a3b12", "#3f4a59")


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per (label, value); the scale starts at zero."""
    width, label_width, bar_height, gap = 560, 150, 22, 8
    top = 8
    height = top + len(rows) * (bar_height + gap) + 4
    peak = max((v for _, v in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 40)}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = (width - label_width - 70) * (value / peak)
        colour = _COLOURS[index % len(_COLOURS)]
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.72:.1f}" text-anchor="end" font-size="14" '
            f'fill="#1b1f24">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}" rx="3"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.72:.1f}" font-size="14" '
            f'fill="#1b1f24">{escape(shown)}</text>'
        )
    if not rows:
        parts.append('<text x="10" y="26" font-size="14" fill="#4a5360">暂无数据</text>')
    parts.append("</svg>")
    return "".join(parts)


def gauge(title: str, rate: float | None) -> str:
    """A single rate (0..1) as a filled bar with its percentage."""
    width = 560
    filled = 0.0 if rate is None else max(0.0, min(1.0, rate)) * (width - 20)
    text = "无数据" if rate is None else f"{rate * 100:.1f}%"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 56" role="img" aria-label="{escape(title)}：{text}">'
        f"<title>{escape(title)}：{text}</title>"
        f'<rect x="10" y="8" width="{width - 20}" height="24" fill="#e6e9ee" rx="4"/>'
        f'<rect x="10" y="8" width="{filled:.1f}" height="24" fill="#1f6b2c" rx="4"/>'
        f'<text x="10" y="50" font-size="14" fill="#1b1f24">{escape(text)}</text></svg>'
    )
