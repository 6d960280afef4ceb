"""Reading form exports into rows of clean strings: CSV (several encodings), XLSX, JSON.

Every cell comes back as text exactly as the respondent wrote it: no NA coercion,
no number parsing (leading zeros stay), Unicode NFC, control characters other than
newlines and tabs removed. Caps on size, rows, columns and field length give one
clear `UnusableInput` each.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from curation.errors import UnusableInput

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_FIELD_CHARS = 20_000

# Our own cap gives the clear error; the csv module's default (128 KiB) must not pre-empt it.
csv.field_size_limit(16 * 1024 * 1024)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DELIMITERS = (",", "\t", ";")


@dataclass
class RawTable:
    """A file's records as text. `records[0]` is the header row (synthesised for JSON)."""

    name: str
    format: str  # csv | xlsx | json
    encoding: str | None
    records: list[list[str]]
    sha256: str
    synthetic_header: bool = False

    def row_number(self, index: int) -> int:
        """The number a person sees for `records[index]`: the spreadsheet row, or the
        1-based position in a JSON list."""
        return index if self.synthetic_header else index + 1


def clean_text(value: str) -> str:
    """NFC, newlines as \\n, control characters other than newline and tab removed."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value


def cell_text(value: Any) -> str:
    """A spreadsheet or JSON value as text, without guessing (None is blank, 1.0 is "1")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_table(path: Path, *, name: str | None = None) -> RawTable:
    """Read `path` (format from its content and extension); `UnusableInput` if it cannot be used."""
    label = name or path.name
    if not path.is_file():
        raise UnusableInput(f"{label}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnusableInput(f"{label}: file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    if size == 0:
        raise UnusableInput(f"{label}: the file is empty")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(label).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        if suffix not in ("", ".xlsx", ".xlsm"):
            raise UnusableInput(f"{label}: a zip archive, not a supported export (use .xlsx)")
        table = _read_xlsx(path, label, digest)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnusableInput(f"{label}: old Excel .xls format; save it as .xlsx or CSV")
    else:
        text, encoding = decode(data, label)
        if suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{")):
            table = _read_json(text, label, digest, encoding)
        else:
            table = _read_csv(text, label, digest, encoding)
    _check_fields(table)
    return table


def decode(data: bytes, label: str) -> tuple[str, str]:
    """Text and the encoding used: BOMs first, then UTF-8, then Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", label), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", label), "utf-16"
    # UTF-16 without a BOM: every other byte is zero in mostly-Latin text.
    head = data[:2000]
    if len(head) > 3 and head.count(b"\x00") > len(head) // 3:
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return _decode(data, codec, label), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode(data, "cp1252", label), "cp1252"


def _decode(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnusableInput(
            f"{label}: cannot be read as {codec} text (byte {exc.start}); "
            "save it as CSV UTF-8 or .xlsx"
        ) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most, consistent fields."""
    sample = text[:65536]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        widths = []
        try:
            for _ in range(5):
                widths.append(len(next(reader)))
        except (StopIteration, csv.Error):
            pass
        if not widths:
            continue
        score = (int(len(set(widths)) == 1 or len(widths) < 2), widths[0])
        if widths[0] > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(text: str, label: str, digest: str, encoding: str) -> RawTable:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            if len(records) >= MAX_ROWS + 1:  # the header plus MAX_ROWS rows
                raise UnusableInput(f"{label}: more than {MAX_ROWS:,} rows; split the file")
            if len(record) > MAX_COLUMNS:
                raise UnusableInput(f"{label}: more than {MAX_COLUMNS} columns")
            records.append([clean_text(cell) for cell in record])
    except csv.Error as exc:
        raise UnusableInput(f"{label}: not a readable CSV file ({exc})") from exc
    _trim(records)
    if not records:
        raise UnusableInput(f"{label}: no rows")
    return RawTable(label, "csv", encoding, records, digest)


def _read_xlsx(path: Path, label: str, digest: str) -> RawTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnusableInput(f"{label}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        records: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            if len(records) >= MAX_ROWS + 1:
                raise UnusableInput(f"{label}: more than {MAX_ROWS:,} rows; split the file")
            if len(values) > MAX_COLUMNS:
                values = values[:MAX_COLUMNS] if not any(values[MAX_COLUMNS:]) else values
                if len(values) > MAX_COLUMNS:
                    raise UnusableInput(f"{label}: more than {MAX_COLUMNS} columns")
            records.append([clean_text(cell_text(v)) for v in values])
    finally:
        workbook.close()
    _trim(records)
    if not records:
        raise UnusableInput(f"{label}: the first sheet is empty")
    return RawTable(label, "xlsx", None, records, digest)


def _read_json(text: str, label: str, digest: str, encoding: str) -> RawTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInput(f"{label}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnusableInput(f"{label}: JSON must be a list of objects, one per respondent")
    if not data:
        raise UnusableInput(f"{label}: the JSON list is empty")
    if len(data) > MAX_ROWS:
        raise UnusableInput(f"{label}: more than {MAX_ROWS:,} rows; split the file")
    headers: dict[str, None] = {}
    for item in data:
        headers.update(dict.fromkeys(item))
    if len(headers) > MAX_COLUMNS:
        raise UnusableInput(f"{label}: more than {MAX_COLUMNS} columns")
    keys = list(headers)
    records = [[clean_text(str(k)) for k in keys]]
    records.extend([clean_text(cell_text(item.get(k))) for k in keys] for item in data)
    return RawTable(label, "json", encoding, records, digest, synthetic_header=True)


def _trim(records: list[list[str]]) -> None:
    """Drop trailing blank records and pad every record to the header's width."""
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        return
    # Spreadsheets often carry empty trailing columns: the width is the last filled cell.
    width = max(_filled_width(r) for r in records)
    for i, record in enumerate(records):
        if len(record) < width:
            record.extend([""] * (width - len(record)))
        elif len(record) > width:
            records[i] = record[:width]


def _filled_width(record: list[str]) -> int:
    for j in range(len(record) - 1, -1, -1):
        if record[j].strip():
            return j + 1
    return 0


def _check_fields(table: RawTable) -> None:
    for i, record in enumerate(table.records):
        for j, cell in enumerate(record):
            if len(cell) > MAX_FIELD_CHARS:
                header = table.records[0][j] if j < len(table.records[0]) else f"#{j + 1}"
                raise UnusableInput(
                    f"{table.name}: row {table.row_number(i)}, column '{header[:60]}' has "
                    f"{len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,}"
                )
