"""Uploaded files, shared by evidence (佐证材料) and meeting attachments: which files are
accepted, how they are named, and how they are served.

A file is accepted by what it is, never by what it is called or what the browser says it
is: its first bytes (and, for Office documents, the ZIP or OLE2 directory, read without
extracting anything) decide its type, and the stored name and content type follow from
that type."""
import io
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response
from flask_babel import lazy_gettext as _l

DEFAULT_FALLBACK_NAME = "附件"
NAME_LIMIT = 100
# Punctuation kept in names besides letters and digits; everything else is dropped.
NAME_PUNCTUATION = set("_-.()（）【】《》·")
# Extensions taken off the uploaded name before the detected type's own is put on.
KNOWN_EXTENSIONS = {
    "pdf", "png", "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "tif", "tiff", "webp", "svg", "svgz",
    "doc", "docx", "docm", "dot", "dotx", "xls", "xlsx", "xlsm", "xlt", "xltx", "csv", "ppt", "pptx",
    "wps", "et", "dps", "ofd", "txt", "rtf", "zip", "rar", "7z", "htm", "html", "xhtml", "xml", "js",
    "exe", "com", "bat", "cmd", "msi", "scr", "ps1", "sh", "php", "jsp", "asp", "aspx",
}

# Office Open XML packages: enough entries for any real document, far from a crafted archive.
ZIP_MAX_ENTRIES = 10000
# OLE2 (legacy .doc/.xls): bounds on how far the directory is followed.
OLE_MAX_SECTORS = 4096


@dataclass(frozen=True)
class FileType:
    code: str
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "pdf", "application/pdf", "PDF")
PNG = FileType("png", "png", "image/png", "PNG")
JPEG = FileType("jpeg", "jpg", "image/jpeg", "JPEG")
GIF = FileType("gif", "gif", "image/gif", "GIF")
DOCX = FileType("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = FileType("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
DOC = FileType("doc", "doc", "application/msword", "Word 97-2003")
XLS = FileType("xls", "xls", "application/vnd.ms-excel", "Excel 97-2003")
FILE_TYPES = (PDF, PNG, JPEG, GIF, DOCX, XLSX, DOC, XLS)
# Read by the project import only (workflow/excel/sheets.py), never kept as an attachment.
ODS = FileType("ods", "ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument")

ACCEPTED_LABEL = _l("PDF、图片（PNG/JPEG/GIF）、Word（doc/docx）、Excel（xls/xlsx）")
# For the file input's accept attribute (a hint to the browser; the server decides).
ACCEPT = ",".join("." + t.extension for t in FILE_TYPES) + ",.jpeg"

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"


# Recognising the type -------------------------------------------------------------------


def upload_limit_mb(setting):
    """The upload limit people are told, in MB: the setting ``setting`` (EVIDENCE_MAX_MB,
    VERIFY_MAX_MB), or the whole request's limit (MAX_CONTENT_LENGTH) if that is smaller."""
    from flask import current_app

    limit = current_app.config[setting]
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request_limit:
        limit = min(limit, request_limit // (1024 * 1024))
    return limit


def detect_type(data):
    """The FileType of ``data`` judged by its content, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(ZIP_SIGNATURE):
        return _office_open_xml(data)
    if data.startswith(OLE_SIGNATURE):
        return _legacy_office(data)
    return None


def _office_open_xml(data):
    """Word or Excel by the package's directory. Only the central directory is read; nothing
    is decompressed, so a zip bomb costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return None
            names = {info.filename for info in infos}
    except Exception:  # noqa: BLE001 - any damaged or crafted archive is simply not accepted
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macro-enabled documents dressed as .docx/.xlsx
    word = any(name.startswith("word/") for name in names)
    excel = any(name.startswith("xl/") for name in names)
    if word and not excel:
        return DOCX
    if excel and not word:
        return XLSX
    return None


def _legacy_office(data):
    """Word 97-2003 or Excel 97-2003 by the streams in the OLE2 compound file's directory
    (WordDocument, resp. Workbook/Book). Other compound files (installers, PowerPoint,
    anything unreadable) are not accepted."""
    try:
        names = _ole_directory_names(data)
    except (struct.error, ValueError, IndexError):
        return None
    if "WordDocument" in names and not names & {"Workbook", "Book"}:
        return DOC
    if names & {"Workbook", "Book"} and "WordDocument" not in names:
        return XLS
    return None


def _ole_directory_names(data):
    if len(data) < 512:
        raise ValueError("too short")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << sector_shift
    fat_count, first_directory = struct.unpack_from("<II", data, 0x2C)
    if fat_count > OLE_MAX_SECTORS:
        raise ValueError("too many FAT sectors")

    def sector(number):
        start = size + number * size  # the header takes the first sector's place
        if number >= 0xFFFFFFFA or start + size > len(data):
            raise ValueError("sector out of range")
        return data[start:start + size]

    # The first 109 FAT sectors are listed in the header; larger files need DIFAT sectors,
    # which evidence files of a few MB with 512-byte sectors reach only above ~7 MB.
    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < 0xFFFFFFFA]
    difat = struct.unpack_from("<I", data, 0x44)[0]
    followed = 0
    while difat < 0xFFFFFFFA and len(fat_sectors) < fat_count:
        followed += 1
        if followed > OLE_MAX_SECTORS:
            raise ValueError("DIFAT loop")
        entries = struct.unpack(f"<{size // 4}I", sector(difat))
        fat_sectors.extend(n for n in entries[:-1] if n < 0xFFFFFFFA)
        difat = entries[-1]
    fat = []
    for number in fat_sectors[:fat_count]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    names = set()
    current, visited = first_directory, set()
    while current < 0xFFFFFFFA:
        if current in visited or len(visited) >= OLE_MAX_SECTORS:
            raise ValueError("directory loop")
        visited.add(current)
        block = sector(current)
        for offset in range(0, size, 128):
            entry = block[offset:offset + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(entry[:length - 2].decode("utf-16-le", errors="replace"))
        current = fat[current]
    return names


# Names ----------------------------------------------------------------------------------


def _clean(name):
    """The last path part of ``name``: no control characters, letters (Chinese included),
    digits and a little punctuation, spaces as underscores."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    parts = [part for part in text.replace("\\", "/").split("/") if part.strip()]
    text = parts[-1] if parts else ""
    text = "_".join(text.split())
    text = "".join(ch for ch in text if ch.isalnum() or ch in NAME_PUNCTUATION)
    while ".." in text:
        text = text.replace("..", ".")
    return text


def display_name(name, fallback=DEFAULT_FALLBACK_NAME):
    """The uploaded name as messages quote it."""
    return _clean(name).strip("._")[:NAME_LIMIT] or fallback


def sanitise_filename(name, extension, fallback=DEFAULT_FALLBACK_NAME):
    """A name safe to store and to offer for download: the cleaned last path part without
    its own extension(s), no leading dots, then ``extension`` (the detected type's), at most
    NAME_LIMIT characters in all, never empty."""
    text = _clean(name)
    while "." in text:
        stem, _dot, suffix = text.rpartition(".")
        if suffix.lower() not in KNOWN_EXTENSIONS or not stem.strip("._"):
            break
        text = stem
    suffix = "." + extension
    text = text.strip("._")[:NAME_LIMIT - len(suffix)].rstrip("._")
    return (text or fallback) + suffix


def content_disposition(filename):
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch for ch in fallback if ch.isalnum() or ch in "_-.()")
    stem, _dot, extension = filename.rpartition(".")
    if not fallback.strip("._") or fallback == "." + extension:
        fallback = f"attachment.{extension}" if extension else "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(filename, content_type, data):
    """The file as a download: never rendered inline, never sniffed, never cached."""
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Length"] = str(len(data))
    return response


def pdf_download(title, data):
    """A rendered document as a download named after its title (made safe, .pdf added)."""
    return download_response(sanitise_filename(title, "pdf"), "application/pdf", data)


def docx_download(title, data):
    """A Word document as a download named after its title (made safe, .docx added)."""
    return download_response(sanitise_filename(title, DOCX.extension), DOCX.content_type, data)
