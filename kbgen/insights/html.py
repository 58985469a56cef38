"""Self-contained HTML for `kbgen gaps` and `kbgen report`: one file, inline CSS, inline SVG charts.

No script, no external request: the page opens from a mail attachment or an
intranet share exactly as it was written. Every text that comes from data
(ticket subjects, search queries, comments, titles) goes through `esc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:1060px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
.sub{color:#59636e;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:24px}.card span{color:#59636e;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#59636e}
.tag{display:inline-block;background:#eef1f4;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px}
.ok{background:#dafbe1}.warn{background:#fff8c5}.bad{background:#ffebe9}
figure{margin:8px 0 16px;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px}
figcaption{font-size:13px;color:#59636e;margin-bottom:4px}
ul.examples{margin:4px 0 0;padding-left:18px}
code{background:#eef1f4;padding:0 4px;border-radius:4px}
"""

PALETTE = ("#1a7f37", "#cf222e", "#0969da", "#bf8700", "#8250df")


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def page(title: str, subtitle: str, body: str, lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{esc(title)}</h1>\n<p class="sub">{esc(subtitle)}</p>\n{body}</main>\n</body>\n</html>\n'
    )


def cards(items: Iterable[tuple[str, object]]) -> str:
    inner = "".join(f'<div class="card"><b>{esc(value)}</b><span>{esc(label)}</span></div>' for label, value in items)
    return f'<div class="cards">{inner}</div>\n'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[int] = (),
    raw: bool = False,
    classes: Sequence[str] | None = None,
) -> str:
    """An HTML table; cells are escaped unless `raw` (then the caller escaped them)."""
    num = set(numeric)
    head = "".join(f"<th{' class=n' if i in num else ''}>{esc(h)}</th>" for i, h in enumerate(headers))
    out = [f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"]
    for r, row in enumerate(rows):
        row_class = f' class="{classes[r]}"' if classes and classes[r] else ""
        cells = "".join(
            f"<td{' class=n' if i in num else ''}>{cell if raw else esc(cell)}</td>" for i, cell in enumerate(row)
        )
        out.append(f"<tr{row_class}>{cells}</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    caption: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str] = (),
    percent: bool = False,
    width: int = 720,
) -> str:
    """Horizontal bars, one row per label; several values in a row are stacked (legend from `series`)."""
    if not rows:
        return ""
    label_w, bar_h, gap, value_w = 260, 18, 8, 70
    plot_w = width - label_w - value_w
    top = max((sum(values) for _, values in rows), default=0) or 1
    if percent:
        top = max(top, 100)
    legend_h = 22 if len(series) > 1 else 0
    height = legend_h + len(rows) * (bar_h + gap) + gap
    out = [
        f"<figure><figcaption>{esc(caption)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{esc(caption)}" width="100%" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui,sans-serif" font-size="12">'
    ]
    if legend_h:
        x = label_w
        for i, name in enumerate(series):
            out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
            out.append(f'<text x="{x + 16}" y="14">{esc(name)}</text>')
            x += 24 + 7 * len(name)
    for n, (label, values) in enumerate(rows):
        y = legend_h + gap + n * (bar_h + gap)
        short = label if len(label) <= 40 else label[:39] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end"><title>{esc(label)}</title>{esc(short)}</text>'
        )
        x = float(label_w)
        for i, value in enumerate(values):
            w = plot_w * value / top
            if w > 0:
                name = series[i] if i < len(series) else ""
                tip = f"{label}: {name + ' ' if name else ''}{_fmt(value)}{'%' if percent else ''}"
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[i % len(PALETTE)]}">'
                    f"<title>{esc(tip)}</title></rect>"
                )
            x += w
        total = sum(values) if not percent or len(values) == 1 else values[0]
        out.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_fmt(total)}{"%" if percent else ""}</text>')
    out.append("</svg></figure>\n")
    return "".join(out)
