"""Bar charts as inline SVG, drawn on the server from a dashboard `Table` (issue 9).

The chart is a picture of the table beside it: `role="img"` with a `<title>`
and `<desc>` naming it, and the table carries the figures for everyone. This
module works out the geometry; `templates/dashboards/_bar_chart.html` draws it,
so every label is escaped by the template engine.
"""

from __future__ import annotations

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 60


def bar_chart(table) -> dict:
    column = table.chart_column
    values = [(label_of(row[0]), row[column] or 0) for row in table.rows]
    biggest = max((value for _, value in values), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(values):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / biggest)
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


def label_of(value) -> str:
    from .dashboards import _text

    text = _text(value)
    return text if len(text) <= 30 else text[:29] + "…"
