"""Bar charts as inline SVG, drawn on the server from a dashboard `Table` (issue 9).

The chart is a picture of the table beside it: `role="img"` with a `<title>`
and `<desc>` naming it, and the table carries the figures for everyone. This
module works out the geometry and draws it with `format_html`, so every label
is escaped (a template loop over a 36-month chart cost more than the rest of
the dashboard page).
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 60
# The service's own typeface where the browser has it, then its fallbacks (not the SVG serif).
FONT = ' font-family="&quot;GDS Transport&quot;, arial, sans-serif" font-size="14" fill="#0b0c0c"'


def bar_chart(table) -> dict:
    column = table.chart_column
    values = [(label_of(row[0]), row[column] or 0) for row in table.rows]
    # A negative figure (a fall in a score) is drawn as long as its size; its value says its sign.
    biggest = max((abs(value) for _, value in values), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(values):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * abs(value) / biggest)
        bars.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "middle": y + BAR_HEIGHT / 2,
                "length": length,
                "value_x": LABEL_WIDTH + length + 6,
            }
        )
    return {
        "key": table.key,
        "title": table.caption,
        "measure": table.headers[column].lower(),
        "bars": bars,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": len(values) * (BAR_HEIGHT + GAP) + GAP,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def bar_chart_svg(table) -> SafeString:
    chart = bar_chart(table)
    bars = format_html_join(
        "\n",
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle"' + FONT + ">{}</text>"
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1d70b8"></rect>'
        '<text x="{}" y="{}" dominant-baseline="middle"' + FONT + ">{}</text>",
        (
            (
                chart["label_x"],
                _number(bar["middle"]),
                bar["label"],
                chart["bar_x"],
                bar["y"],
                bar["length"],
                chart["bar_height"],
                bar["value_x"],
                _number(bar["middle"]),
                bar["value"],
            )
            for bar in chart["bars"]
        ),
    )
    key = chart["key"]
    return format_html(
        '<svg class="app-chart" role="img" aria-labelledby="chart-{}-title chart-{}-desc"'
        ' viewBox="0 0 {} {}" width="{}"'
        ' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{}-title">{}</title>'
        '<desc id="chart-{}-desc">Bar chart of {}; the table below gives the figures.</desc>'
        "{}</svg>",
        key,
        key,
        chart["width"],
        chart["height"],
        chart["width"],
        key,
        chart["title"],
        key,
        chart["measure"],
        bars,
    )


def _number(value) -> str:
    return f"{value:g}"


def label_of(value) -> str:
    from cases.dashboards.selectors import _text

    text = _text(value)
    return text if len(text) <= 30 else text[:29] + "…"
