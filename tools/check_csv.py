#!/usr/bin/env python3
"""pre-commit hook: CSV files parse, have a header, and rows match it.

For Odoo's security/ir.model.access.csv also: the standard columns, unique ids,
non-empty names and model ids, and 0/1 permission flags.
"""

import csv
import sys
from pathlib import Path

ACCESS_COLUMNS = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
PERMS = ACCESS_COLUMNS[4:]


def check_file(path):
    problems = []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f, strict=True))
    except (csv.Error, UnicodeDecodeError, OSError) as exc:
        return [f"cannot be parsed: {exc}"]
    if not rows or not any(cell.strip() for cell in rows[0]):
        return ["no header line"]
    header = [cell.strip() for cell in rows[0]]
    if len(set(header)) != len(header):
        problems.append(f"duplicate column in header {header}")
    for lineno, row in enumerate(rows[1:], start=2):
        if row and len(row) != len(header):
            problems.append(
                f"line {lineno}: {len(row)} fields, the header has {len(header)}"
            )
    if Path(path).name == "ir.model.access.csv":
        problems += check_access(header, rows[1:])
    return problems


def check_access(header, rows):
    problems = []
    missing = [col for col in ACCESS_COLUMNS if col not in header]
    if missing:
        return [f"ir.model.access.csv lacks column(s) {', '.join(missing)}"]
    seen = set()
    for lineno, row in enumerate(rows, start=2):
        if not row:
            continue
        rec = dict(zip(header, row, strict=False))
        if not rec["id"].strip():
            problems.append(f"line {lineno}: empty id")
        elif rec["id"] in seen:
            problems.append(f"line {lineno}: duplicate id {rec['id']!r}")
        seen.add(rec["id"])
        for col in ("name", "model_id:id"):
            if not rec[col].strip():
                problems.append(f"line {lineno}: empty {col}")
        for col in PERMS:
            if rec[col].strip() not in ("0", "1"):
                problems.append(
                    f"line {lineno}: {col} must be 0 or 1, not {rec[col]!r}"
                )
    return problems


def main(paths):
    bad = 0
    for path in paths:
        for problem in check_file(path):
            print(f"{path}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
