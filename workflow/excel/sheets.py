"""The rows of an uploaded table, whatever an office saved it as: .xlsx, Excel 97-2003 .xls,
OpenDocument .ods, or .csv in UTF-8 (with or without BOM) or GB18030 (what Excel writes as
"CSV" on a Chinese Windows).

The kind is judged by the content, never by the file name: a ZIP package with
``[Content_Types].xml`` and ``xl/`` is .xlsx, a ZIP whose ``mimetype`` part says
``application/vnd.oasis.opendocument.spreadsheet`` is .ods, an OLE2 compound file with a
Workbook stream is .xls, and text that decodes and holds no control characters is CSV.
Anything else is refused with a message that says what to upload.

.xlsx stays with openpyxl (the importer reads formulas and their cached results apart, to
tell a formula saved without its result); .xls and .ods are read by python-calamine (the Rust
calamine reader: it reads the values the saving program stored, formulas' results included).
ZIP packages (.xlsx, .ods) pass office_files.check first, so that a deflate bomb is refused
before any reader inflates it.
"""
import csv
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

from workflow import files, office_files

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# What an import page's file field accepts (its ``accept`` attribute).
ACCEPT = ",".join((".xlsx", ".xls", ".ods", ".csv", files.XLSX.content_type, files.XLS.content_type,
                   "application/vnd.oasis.opendocument.spreadsheet", "text/csv"))
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads UTF-8 with or without its BOM
TEXT_CONTROLS = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


class SheetRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """One sheet as plain rows: lists of cell values (None for an empty cell) from the first
    row on; ``formulas`` the same rows' formulas where the format keeps them apart (.xlsx)."""
    kind: str
    rows: list
    formulas: list | None = None


def what_to_upload():
    return _("请上传导入模板填好后的文件：Excel 工作簿（.xlsx 或 Excel 97-2003 的 .xls）、"
             "OpenDocument 表格（.ods），或 UTF-8、GB18030 编码的 CSV 文件（.csv）。")


def refuse_kind():
    raise SheetRefused(_("无法识别上传的文件。") + what_to_upload())


def kind_of(data):
    detected = files.detect_type(data)
    if detected in (files.PDF, files.PNG, files.JPEG, files.GIF, files.DOCX, files.DOC):
        refuse_kind()
    if data.startswith(files.ZIP_SIGNATURE):
        if detected is files.XLSX:
            return XLSX
        if _is_ods(data):
            return ODS
        refuse_kind()
    if data.startswith(files.OLE_SIGNATURE):
        if detected is files.XLS:
            return XLS
        refuse_kind()
    return CSV


def _is_ods(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("mimetype")
            # Stored uncompressed by the standard: reading it inflates nothing.
            return info.compress_type == zipfile.ZIP_STORED and archive.read(info).strip() == ODS_MIMETYPE
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return False


def read(data, sheet_name):
    """The sheet named ``sheet_name`` (else the first) of ``data``; SheetRefused for a file
    that is none of the accepted kinds, damaged, or over the Office files' limits."""
    if not data:
        raise SheetRefused(_("上传的文件是空的。"))
    kind = kind_of(data)
    if kind == CSV:
        return Sheet(CSV, _csv_rows(data))
    if kind in (XLSX, ODS):
        try:
            office_files.check(data, files.XLSX if kind == XLSX else files.ODS)
        except office_files.OfficeFileRefused as refusal:
            if refusal.reason == "invalid":
                raise SheetRefused(_("上传的文件已损坏，无法打开。") + what_to_upload()) from None
            raise SheetRefused(refusal.message) from None
    if kind == XLSX:
        return _xlsx(data, sheet_name)
    return _calamine(data, sheet_name, kind)


def _xlsx(data, sheet_name):
    from openpyxl import load_workbook

    def rows(data_only):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        except Exception:  # noqa: BLE001 - a damaged file fails in many ways inside openpyxl
            raise SheetRefused(_("上传的文件已损坏，无法打开。") + what_to_upload()) from None
        try:
            ws = wb[sheet_name] if sheet_name in wb.sheetnames else wb.worksheets[0]
            return [list(row) for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()

    return Sheet(XLSX, rows(True), rows(False))


def _calamine(data, sheet_name, kind):
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = sheet_name if sheet_name in wb.sheet_names else wb.sheet_names[0]
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - calamine raises its own errors for damaged files
        raise SheetRefused(_("上传的文件已损坏，无法打开。") + what_to_upload()) from None
    # calamine gives an empty cell as "": the importer's blank is None, as openpyxl gives it.
    return Sheet(kind, [[None if value == "" else value for value in row] for row in rows])


def _csv_rows(data):
    text = None
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # GB18030 decodes nearly any bytes: a binary file shows itself by its control characters.
    if text is None or any(ch in TEXT_CONTROLS for ch in text[:65536]):
        refuse_kind()
    try:
        return [[None if value.strip() == "" else value for value in row]
                for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        refuse_kind()
