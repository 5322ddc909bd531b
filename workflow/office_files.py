"""Office files opened before they are kept: the one check of every uploaded Word or Excel
file (evidence, meeting attachments, the project import).

files.detect_type names a .docx or .xlsx by its ZIP directory alone, which a crafted archive
passes: a ZIP holding ``[Content_Types].xml`` and an empty ``xl/…``, or a 200 kB deflate bomb
that inflates to 200 MB on the colleague's PC that opens the stored copy. ``check`` therefore
opens the file before anything is stored, without ever inflating more than the limits:

1. **The central directory** (zipfile's infolist, nothing inflated): at most
   ``OFFICE_MAX_PARTS`` parts, their declared sizes at most ``OFFICE_MAX_UNCOMPRESSED_MB`` in
   all, no part declared to inflate more than ``OFFICE_MAX_RATIO`` times its compressed size;
   ``[Content_Types].xml`` present.
2. **The actual inflation.** Declared sizes can lie, and zipfile believes them (it stops at the
   declared size; Excel does not). Every part is inflated here from its own compressed bytes
   in chunks, with a running cap: the limits above hold for what the bytes really give, and a
   part whose bytes give another size or CRC than declared, is encrypted, or uses another
   method than stored/deflate is refused.
3. **The real opening**: openpyxl (read-only, the first row of every sheet) for a workbook,
   python-docx for a Word document. Only now, with every size known to be within the limits.

An OpenDocument spreadsheet (.ods, which the project import reads) is a ZIP package too and
gets the same three steps, with its ``mimetype`` part in place of ``[Content_Types].xml`` and
python-calamine as its reader.

Legacy .doc/.xls (OLE2 compound files) are not compressed and so cannot inflate; their
directory, read by files.detect_type, is what is checked of them. Other types pass untouched.
"""
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from workflow import files
from workflow.errors import ServiceError

CHUNK = 64 * 1024
# A part inflating to at most this much cannot harm whatever its ratio (a small XML part of
# repeated markup may compress very well); above it the ratio limit applies.
RATIO_FLOOR = 1024 * 1024
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, file name length, extra field length
LOCAL_SIGNATURE = b"PK\x03\x04"


class OfficeFileRefused(ServiceError):
    """The file is not kept. ``reason``: invalid, too_large, ratio or parts."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    total: int  # bytes inflated in all
    ratio: int
    parts: int

    @classmethod
    def from_config(cls):
        config = current_app.config
        return cls(config["OFFICE_MAX_UNCOMPRESSED_MB"] * 1024 * 1024, config["OFFICE_MAX_RATIO"],
                   config["OFFICE_MAX_PARTS"])


def check(data, file_type):
    """Raise OfficeFileRefused unless ``data``, detected as ``file_type``, opens as one within
    the limits. Types that are not Office Open XML pass."""
    if file_type not in (files.XLSX, files.DOCX, files.ODS):
        return
    limits = Limits.from_config()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - any damaged or crafted archive is simply refused
        _invalid(file_type)
    _check_directory(infos, limits, file_type)
    inflated = 0
    for info in infos:
        inflated += _inflate(data, info, limits, limits.total - inflated, file_type)
    _open(data, file_type)


# The steps ------------------------------------------------------------------------------


def _invalid(file_type):
    if file_type in (files.XLSX, files.ODS):
        raise OfficeFileRefused(_("文件不是有效的 Excel 工作簿，未保存。"), "invalid")
    raise OfficeFileRefused(_("文件不是有效的 Word 文档，未保存。"), "invalid")


def _too_large(limits):
    raise OfficeFileRefused(_("文件解压后超过 %(mb)d MB，未保存。", mb=limits.total // (1024 * 1024)), "too_large")


def _bomb(limits):
    raise OfficeFileRefused(
        _("文件中有部分的压缩比超过 %(ratio)d:1（疑似压缩炸弹），未保存。", ratio=limits.ratio), "ratio")


def _check_directory(infos, limits, file_type):
    if len(infos) > limits.parts:
        raise OfficeFileRefused(_("文件包含的部分超过 %(n)d 个，未保存。", n=limits.parts), "parts")
    required = "mimetype" if file_type == files.ODS else "[Content_Types].xml"
    if not any(info.filename == required for info in infos):
        _invalid(file_type)
    if sum(info.file_size for info in infos) > limits.total:
        _too_large(limits)
    for info in infos:
        if info.file_size > max(RATIO_FLOOR, limits.ratio * info.compress_size):
            _bomb(limits)


def _compressed_bytes(data, info, file_type):
    """The part's compressed bytes, found through its local header."""
    offset = info.header_offset
    if offset < 0 or offset + LOCAL_HEADER.size > len(data):
        _invalid(file_type)
    signature, name_length, extra_length = LOCAL_HEADER.unpack_from(data, offset)
    if signature != LOCAL_SIGNATURE:
        _invalid(file_type)
    start = offset + LOCAL_HEADER.size + name_length + extra_length
    if start + info.compress_size > len(data):
        _invalid(file_type)
    return memoryview(data)[start:start + info.compress_size]


def _inflate(data, info, limits, budget, file_type):
    """Inflate one part in chunks, never beyond ``budget`` (what is left of the total) nor
    beyond its ratio limit; returns its real size, refused unless size and CRC are as declared."""
    if info.flag_bits & 0x1:  # encrypted
        _invalid(file_type)
    raw = _compressed_bytes(data, info, file_type)
    ratio_cap = max(RATIO_FLOOR, limits.ratio * info.compress_size)

    def over(size):
        if size > budget:
            _too_large(limits)
        if size > ratio_cap:
            _bomb(limits)

    if info.compress_type == zipfile.ZIP_STORED:
        over(len(raw))
        produced, crc = len(raw), zlib.crc32(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        produced, crc, position, pending = 0, 0, 0, b""
        try:
            while not inflater.eof:
                if not pending:
                    if position >= len(raw):
                        break  # the compressed bytes end before the deflate stream does
                    pending = raw[position:position + CHUNK]
                    position += CHUNK
                # At most one byte beyond what may still come out: enough to tell it is too much.
                allowed = min(budget, ratio_cap) - produced + 1
                out = inflater.decompress(pending, min(CHUNK, allowed))
                pending = inflater.unconsumed_tail
                produced += len(out)
                crc = zlib.crc32(out, crc)
                over(produced)
        except zlib.error:
            _invalid(file_type)
        if not inflater.eof:
            _invalid(file_type)
    else:
        _invalid(file_type)
    if produced != info.file_size or crc != info.CRC:
        _invalid(file_type)  # the directory lies about this part
    return produced


def _open(data, file_type):
    try:
        if file_type == files.XLSX:
            _open_workbook(data)
        elif file_type == files.ODS:
            _open_spreadsheet(data)
        else:
            _open_word(data)
    except OfficeFileRefused:
        raise
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways inside the readers
        _invalid(file_type)


def _open_workbook(data):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        if not workbook.sheetnames:
            raise ValueError("no sheet")
        for sheet in workbook.worksheets:
            next(sheet.iter_rows(max_row=1, values_only=True), None)
    finally:
        workbook.close()


def _open_spreadsheet(data):
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    if not workbook.sheet_names:
        raise ValueError("no sheet")


def _open_word(data):
    import docx

    document = docx.Document(io.BytesIO(data))
    len(document.paragraphs)
