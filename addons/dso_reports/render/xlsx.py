"""Metric tables → one XLSX workbook, a sheet per table."""

import io

import xlsxwriter


def workbook(tables):
    """:param tables: ``[(sheet name, [header, ...], [[cell, ...], ...]), ...]``
    :return: the XLSX file's bytes
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bottom": 1})
    number = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, headers, rows in tables:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers, bold)
        sheet.freeze_panes(1, 0)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if hasattr(value, "isoformat") and not isinstance(value, str):
                    sheet.write_datetime(row_index, col, _as_datetime(value), day)
                elif isinstance(value, float):
                    sheet.write_number(row_index, col, value, number)
                elif value is None or value is False:
                    sheet.write_blank(row_index, col, None)
                else:
                    sheet.write(row_index, col, value)
        sheet.set_column(0, max(len(headers) - 1, 0), 16)
    book.close()
    return buffer.getvalue()


def _as_datetime(value):
    from datetime import datetime, time

    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())
