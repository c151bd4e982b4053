"""Reading an evidence file (CSV or JSON) into the rows `evidence_import` checks.

One reader for the upload page and the partner API. It refuses only what spoils
the whole file — too big, not UTF-8, not CSV or JSON, empty, headings missing or
unknown — with a message saying how to fix it. Anything wrong with one row is
left for the import to report against that row, so the other rows still count.

CSV: the first row names the columns (the fields of `evidence_rows.FIELDS`), one
evidence row per line, `values` as a JSON object in its cell. JSON: a list of
objects with the same fields.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from earlyhelp import json_input

from .evidence_rows import FIELDS, UnreadableRow

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
# Without these a row can never be right; external_id too where resends must be recognised.
REQUIRED = ("family", "kind", "period_start", "source")
FORMATS = {"csv": "CSV", "json": "JSON"}
COLUMNS = FIELDS


class EvidenceFileError(ValueError):
    """The file as a whole cannot be read; the message says what to change."""


class TooManyRows(EvidenceFileError):
    pass


@dataclass(frozen=True)
class EvidenceFile:
    format: str  # "csv" or "json"
    rows: list
    first_row: int  # the number a person sees for the first row: a spreadsheet's row 2 for CSV


def file_format(name: str) -> str | None:
    """ "csv" or "json" from the file's name, or None."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in FORMATS else None


def read_evidence_file(data: bytes, *, format: str, required=REQUIRED) -> EvidenceFile:
    if not data.strip():
        raise EvidenceFileError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise EvidenceFileError(
            f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB: split it"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EvidenceFileError(
            f"The selected file is not UTF-8 text (byte {error.start + 1} is not): save it as "
            "'CSV UTF-8' from your spreadsheet, or as UTF-8 from your system"
        ) from None
    if format == "csv":
        rows = _csv_rows(text, required)
        first_row = 2
    elif format == "json":
        rows = _json_rows(text)
        first_row = 1
    else:
        raise EvidenceFileError("The selected file must be a CSV or JSON file")
    if not rows:
        raise EvidenceFileError(f"The selected file has no evidence rows: {_layout(format)}")
    if len(rows) > MAX_ROWS:
        raise TooManyRows(
            f"The selected file has {len(rows):,} rows: at most {MAX_ROWS:,} in one file, "
            "so split it"
        )
    return EvidenceFile(format=format, rows=rows, first_row=first_row)


def _layout(format: str) -> str:
    if format == "csv":
        return f"its first row names the columns ({', '.join(COLUMNS)}), then one row per item"
    return "it must be a list of objects, [{…}, {…}], one per item"


def _csv_rows(text: str, required) -> list:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
        headings = [h.strip() for h in header]
        unknown = [h for h in headings if h not in FIELDS]
        if unknown:
            raise EvidenceFileError(
                f"The selected file has columns that are not fields of evidence: "
                f"{', '.join(repr(h) for h in unknown)}. {_layout('csv').capitalize()}"
            )
        missing = [name for name in required if name not in headings]
        if missing:
            raise EvidenceFileError(
                f"The selected file is missing the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}: {_layout('csv')}"
            )
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            rows.append(_csv_row(headings, cells))
        return rows
    except csv.Error as error:
        raise EvidenceFileError(
            f"The selected file is not valid CSV (line {reader.line_num}: {error})"
        ) from None


def _csv_row(headings: list[str], cells: list[str]):
    if len(cells) > len(headings):
        return UnreadableRow(
            f"has {len(cells)} cells but the file has {len(headings)} column headings"
        )
    row = {}
    for heading, cell in zip(headings, cells, strict=False):
        cell = cell.strip()
        if cell == "":
            continue
        if heading == "values":
            try:
                cell = json_input.loads(cell)
            except json_input.NestedTooDeep as error:
                return UnreadableRow(f"its values cannot be read: {error}")
            except ValueError:
                pass  # reported against the row by the import
        row[heading] = cell
    return row


def _json_rows(text: str) -> list:
    try:
        data = json_input.loads(text)
    except json.JSONDecodeError as error:
        raise EvidenceFileError(
            f"The selected file is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    except ValueError as error:  # nested too deep, NaN, a number too long to read
        raise EvidenceFileError(f"The selected file cannot be read as JSON: {error}") from None
    if not isinstance(data, list):
        raise EvidenceFileError(f"The selected file is JSON but not a list: {_layout('json')}")
    return data
