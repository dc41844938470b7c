"""Reading a roster file: the uploaded bytes as rows of plain strings keyed by field.

The header row is found among the first rows (a title may sit above it) by the names of its
columns, in Chinese or English; XLSX and CSV (UTF-8, GBK, Excel's UTF-16 "Unicode text") are read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time as dtime

from flask_babel import gettext as _

from ...errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_UNZIPPED = 100 * 1024 * 1024   # an XLSX that inflates beyond this is refused (zip bomb)
HEADER_SEARCH_ROWS = 10            # a title row or two may sit above the header row

# Header text (normalised: no spaces, no "*", no bracketed hint, lower case) -> field.
HEADERS = {
    "name": ("姓名", "名字", "name", "full_name", "staff_name"),
    "employee_no": ("工号", "员工编号", "员工号", "职工编号", "职工号", "人员编号", "编号", "employee_no",
                    "employee_number", "employee_id", "staff_no", "staff_number"),
    "title": ("岗位", "职务", "岗位/职务", "职务/岗位", "职位", "title", "post", "position", "job_title"),
    "department": ("部门", "科室", "部门/科室", "所在部门", "所属部门", "所在科室", "单位", "department", "dept"),
    "window": ("窗口", "窗口号", "窗口编号", "所在窗口", "window", "window_no", "window_number"),
    "is_party_member": ("是否党员", "党员", "政治面貌", "is_party_member", "party_member"),
    "party_post": ("党内职务", "党内职务/职位", "party_post"),
    "designations": ("称号", "荣誉称号", "荣誉", "designations", "designation", "honors", "titles"),
    "duties": ("职责", "岗位职责", "工作职责", "duties", "responsibilities"),
    "on_duty": ("在岗", "是否在岗", "在岗状态", "on_duty"),
}
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)


@dataclass
class Upload:
    """A parsed roster: its rows as strings keyed by field, and what is known about the file."""

    filename: str
    sha256: str
    size: int
    headers: dict            # field -> header text as written in the file
    ignored: list            # header texts that matched no field
    rows: list               # [{"line": n, "values": {field: str}}]
    id: str = ""
    owner: str = ""
    created_at: float = 0.0

    def to_json(self) -> dict:
        return {"id": self.id, "owner": self.owner, "created_at": self.created_at, "filename": self.filename,
                "sha256": self.sha256, "size": self.size, "headers": self.headers, "ignored": self.ignored,
                "rows": self.rows}


def normalise_header(text: str) -> str:
    """Header text reduced for matching: "是否党员（是/否）*" -> "是否党员", "Employee No." -> "employee_no"."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", str(text).replace("\u3000", " "))
    text = text.replace("*", "").replace("＊", "").strip().strip(":：").lower()
    text = re.sub(r"[\s\-.]+", "_", text).strip("_")
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.replace("_", "")
    return text


_HEADER_INDEX = {normalise_header(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def cell_text(value) -> str:
    """A cell as the text a person sees: 1001.0 -> "1001", a date -> "2026-01-31", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\ufeff", "").strip()
    quoted = _EXCEL_TEXT.match(text)   # ="0012", the usual trick to keep leading zeros in a CSV
    return quoted.group(1) if quoted else text


def _sniff_kind(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(_("This is an old Excel file (.xls). Open it in Excel or WPS and save it as .xlsx, "
                        "then upload it again."), code="unsupported_file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"   # "Unicode text" from Excel: UTF-16, tab separated
    if b"\x00" in data[:4096] or data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise _not_a_spreadsheet()
    return "csv"


def _not_a_spreadsheet() -> Invalid:
    return Invalid(_("The file is not a spreadsheet. Upload the roster as an Excel workbook (.xlsx) "
                     "or a CSV file."), code="unsupported_file")


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _not_a_spreadsheet()
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise Invalid(_("The workbook is too large once unpacked."), code="too_large")
    except zipfile.BadZipFile:
        raise _not_a_spreadsheet() from None
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise Invalid(_("The workbook could not be read. Save it again as .xlsx and retry."),
                      code="unsupported_file") from None
    try:
        sheets = book.worksheets
        # The first sheet with a recognisable header row wins; a workbook often opens with notes.
        for sheet in sheets:
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            head = []
            for _i in range(HEADER_SEARCH_ROWS):
                try:
                    head.append(next(rows))
                except StopIteration:
                    break
            if _find_header(head) is not None or sheet is sheets[-1]:
                for number, values in enumerate(head, start=1):
                    yield number, [cell_text(v) for v in values]
                for number, values in enumerate(rows, start=len(head) + 1):
                    yield number, [cell_text(v) for v in values]
                return
    except Invalid:
        raise
    except Exception:  # noqa: BLE001
        raise Invalid(_("The workbook could not be read. Save it again as .xlsx and retry."),
                      code="unsupported_file") from None
    finally:
        book.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(_("The CSV file's text encoding is not recognised. Save it as UTF-8 or GBK."),
                  code="unsupported_file")


def _csv_rows(data: bytes):
    text = _decode(data)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    # The delimiter most used in the first lines: a comma, or a tab ("Unicode text"), or a semicolon.
    top = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max((",", "\t", ";"), key=top.count)
    if top.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        while True:
            line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            yield line, [cell_text(v) for v in values[:MAX_COLUMNS]]
    except csv.Error:
        raise Invalid(_("The CSV file is malformed near line %(line)s.", line=reader.line_num),
                      code="unsupported_file") from None


def _find_header(rows: list) -> int | None:
    """Index of the first row naming both the name and the employee number columns."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {_HEADER_INDEX.get(normalise_header(cell_text(v))) for v in values if v not in (None, "")}
        if {"name", "employee_no"} <= found:
            return index
    return None


def read_upload(filename: str, data: bytes) -> Upload:
    """Parse an uploaded roster, or raise ``Invalid`` with a message for the whole file."""
    filename = os.path.basename((filename or "").replace("\\", "/"))[:200] or "roster"
    if not data:
        raise Invalid(_("The file is empty."), code="empty_file")
    if len(data) > MAX_BYTES:
        raise Invalid(_("The file is larger than 5 MB. Split the roster into smaller files."), code="too_large")
    kind = _sniff_kind(data)
    source = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)

    head: list[tuple[int, list[str]]] = []
    for item in source:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_at = _find_header([values for _n, values in head])
    if header_at is None:
        raise Invalid(_("No header row with the columns 姓名 (name) and 工号 (employee number) was found "
                        "in the first %(n)s rows. Use the template's headers.", n=HEADER_SEARCH_ROWS),
                      code="missing_columns")

    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(head[header_at][1]):
        if not text:
            continue
        key = _HEADER_INDEX.get(normalise_header(text))
        if key is None:
            ignored.append(text)
        elif key in headers:
            raise Invalid(_("The columns “%(a)s” and “%(b)s” both mean the same thing; keep one of them.",
                            a=headers[key], b=text), code="duplicate_columns")
        else:
            columns[index] = key
            headers[key] = text

    def chained():
        yield from head[header_at + 1:]
        yield from source

    rows = []
    for line, values in chained():
        picked = {key: (values[index] if index < len(values) else "") for index, key in columns.items()}
        if not any(picked.values()):
            continue   # blank lines and notes in other columns
        if len(rows) >= MAX_ROWS:
            raise Invalid(_("The roster has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS),
                          code="too_many_rows")
        rows.append({"line": line, "values": picked})
    if not rows:
        raise Invalid(_("The roster has a header row but no members below it."), code="empty_file")
    return Upload(filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                  headers=headers, ignored=ignored, rows=rows)
