"""Server-side charts (reportlab graphics → SVG) for the PDF report and digest.

SVG because reportlab's PNG renderer needs a C backend (rlPyCairo) that the
official Odoo image lacks; wkhtmltopdf and mail clients show SVG images.
"""

from reportlab.graphics import renderSVG
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


def _svg(drawing):
    return renderSVG.drawToString(drawing).encode()


def _frame(title, width, height):
    drawing = Drawing(width, height)
    drawing.add(String(10, height - 18, title, fontName="Helvetica-Bold", fontSize=12))
    return drawing


def _finish(drawing, chart, series):
    """Add the chart and its legend beside it; :return: the SVG bytes."""
    drawing.add(chart)
    _legend(
        drawing,
        [name for name, _values in series],
        chart.x + chart.width + 15,
        drawing.height - 40,
    )
    return _svg(drawing)


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
    """SVG bytes of a line chart.

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
    """SVG bytes of a stacked bar chart (e.g. aging buckets per month)."""
    drawing = _frame(title, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 40, width - 210, height - 80
    chart.data = [[value or 0 for value in values] for _name, values in series] or [[0]]
    chart.categoryAxis.style = "stacked"
    _axes(chart, labels)
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES_COLORS[index % len(SERIES_COLORS)]
    return _finish(drawing, chart, series)
