"""CSV made to open correctly in a spreadsheet, for any app's downloads (insights' figures, a call's
submissions and scores): UTF-8 with a byte order mark (Excel reads it as UTF-8 only then), a header row,
and text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or ``@``, or a
tab or carriage return) prefixed with an apostrophe. Numbers stay numbers: ``-35`` is written as it is.

Here, at the bottom of the layers, so every app above may use it without importing a sibling."""

import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + out.getvalue()
