"""Server-side charts (reportlab graphics) for the PDF report and the digest.

The builders return a reportlab ``Drawing``; ``to_svg`` and ``to_png`` turn it
into bytes. The PDF report embeds SVG (vector, its text stays searchable); the
e-mail digest sends PNG, the image format every mail client shows (Outlook and
Gmail show no SVG).
"""

from reportlab.graphics import renderPM, renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

SERIES_COLORS = [
    colors.HexColor("#1f77b4"),
    colors.HexColor("#ff7f0e"),
    colors.HexColor("#2ca02c"),
    colors.HexColor("#d62728"),
    colors.HexColor("#9467bd"),
]


# reportlab 4.1 renders bitmaps through a backend module; its default
# (rl_config.renderPMBackend) is "rlPyCairo", which needs pycairo and cairo.
# "_renderPM" is the C extension of the rl-renderPM wheel (requirements.txt; the
# odoo:18.0 image also ships it as python3-renderpm). Passed per call, so
# reportlab's global configuration stays as Odoo and other addons expect it.
PNG_BACKEND = "_renderPM"
# 2 pixels per point: sharp on high-density screens when the mail shows the
# image at its size in points (``width`` of the <img>).
PNG_DPI = 144


def to_svg(drawing):
    """:return: the drawing as SVG bytes (UTF-8)."""
    return renderSVG.drawToString(drawing).encode()


def to_png(drawing, dpi=PNG_DPI):
    """:return: the drawing as PNG bytes, ``dpi / 72`` pixels per point."""
    return renderPM.drawToString(drawing, fmt="PNG", dpi=dpi, backend=PNG_BACKEND)


def _frame(title, width, height):
    drawing = Drawing(width, height)
    drawing.add(String(10, height - 18, title, fontName="Helvetica-Bold", fontSize=12))
    return drawing


def _finish(drawing, chart, series):
    """Add the chart and its legend beside it; :return: the drawing."""
    drawing.add(chart)
    _legend(
        drawing,
        [name for name, _values in series],
        chart.x + chart.width + 15,
        drawing.height - 40,
    )
    return drawing


def _legend(drawing, names, x, y):
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontSize = 8
    legend.columnMaximum = 8
    legend.alignment = "right"  # the name right of its swatch
    legend.colorNamePairs = list(zip(SERIES_COLORS, names, strict=False))
    drawing.add(legend)


def _axes(chart, labels):
    chart.categoryAxis.categoryNames = list(labels) or [""]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8


def line_chart(title, labels, series, width=520, height=220):
    """A line chart (reportlab ``Drawing``, ``width`` × ``height`` points).

    :param labels: x axis labels (e.g. months)
    :param series: ``[(name, [value or None, ...]), ...]``
    """
    drawing = _frame(title, width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, width - 200, height - 80
    chart.data = [
        [value if value is not None else 0 for value in values]
        for _name, values in series
    ] or [[0]]
    _axes(chart, labels)
    for index in range(len(series)):
        chart.lines[index].strokeColor = SERIES_COLORS[index % len(SERIES_COLORS)]
        chart.lines[index].strokeWidth = 2
    return _finish(drawing, chart, series)


def stacked_bar_chart(title, labels, series, width=520, height=220):
    """A stacked bar chart (e.g. aging buckets per month) as a ``Drawing``."""
    drawing = _frame(title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 40, width - 210, height - 80
    chart.data = [[value or 0 for value in values] for _name, values in series] or [[0]]
    chart.categoryAxis.style = "stacked"
    _axes(chart, labels)
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES_COLORS[index % len(SERIES_COLORS)]
    return _finish(drawing, chart, series)
