"""Files attached to a meeting notice (附件): accepted by what they are, not by their name.

The first bytes decide the type (PDF, PNG, JPEG, GIF); an Office Open XML package (DOCX/XLSX)
is told by its ZIP directory, read without decompressing anything; a legacy Office file
(DOC/XLS) by the stream name its OLE2 directory holds. Anything else is refused."""
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
PNG = FileType("png", "image/png")
JPEG = FileType("jpg", "image/jpeg")
GIF = FileType("gif", "image/gif")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
FILE_TYPES = (PDF, PNG, JPEG, GIF, DOCX, XLSX, DOC, XLS)
ACCEPT = ",".join("." + t.extension for t in FILE_TYPES) + ",.jpeg"

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAX_ENTRIES = 10000


def _utf16(name):
    return name.encode("utf-16-le")


def detect_type(data):
    """The FileType of ``data``, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                if len(infos) > ZIP_MAX_ENTRIES:
                    return None
                names = [info.filename for info in infos]
        except Exception:  # noqa: BLE001 - a damaged or crafted archive is not accepted
            return None
        if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        word = any(n.startswith("word/") for n in names)
        excel = any(n.startswith("xl/") for n in names)
        if word != excel:
            return DOCX if word else XLSX
        return None
    if data.startswith(OLE_SIGNATURE) and len(data) >= 512:
        # The directory entries hold the stream names in UTF-16: WordDocument for Word,
        # Workbook (or Book, Excel 5) for Excel.
        word = _utf16("WordDocument") in data
        excel = _utf16("Workbook") in data or _utf16("Book\x00") in data
        if word != excel:
            return DOC if word else XLS
    return None


def clean_name(name, extension, fallback="附件"):
    """A safe download name: the last path part, letters, digits and a little punctuation,
    the detected type's extension in place of the uploaded one."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").split("/")[-1]
    if "." in text:
        text = text.rsplit(".", 1)[0]
    text = "".join(ch for ch in text if ch.isalnum() or ch in "_-()（）【】《》· ")
    stem = "_".join(text.split()).strip("._-")[:90] or fallback
    return f"{stem}.{extension}"


def download_response(filename, content_type, data):
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch for ch in fallback if ch.isalnum() or ch in "_-.") or "attachment"
    if fallback.startswith("."):
        fallback = "attachment" + fallback
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
