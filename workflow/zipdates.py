"""ZIP entries dated by what they hold, never by the moment they are written, so that the
same content gives the same bytes on every download (the submission package, its workbook).

A ZIP entry's time is a DOS date and time without a zone: it is given in the office's zone
(BABEL_DEFAULT_TIMEZONE), as unzip tools show it to the people who read it.

zipstream-ng dates the entries it is given as data with the clock when it streams them and
has no way to pass a time (pR0Ps/zipstream-ng#27); DatedZipStream sets each entry's time
itself, in the local file header as it goes out and in the central directory at the end.
"""
import io
import struct
import zipfile
from zoneinfo import ZoneInfo

from flask import current_app
from zipstream import ZipStream

_LOCAL_HEADER = b"PK\x03\x04"
_DOS_TIME_AT = 10   # the local file header: signature, version, flags, method, then time, date


def zip_time(moment):
    """``moment`` (aware) as a ZIP entry's (year, month, day, hour, minute, second) in the
    office's zone; DOS times count in steps of two seconds and start in 1980."""
    local = moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return max((local.year, local.month, local.day, local.hour, local.minute, local.second - local.second % 2),
               (1980, 1, 1, 0, 0, 0))


def _dos(date_time):
    year, month, day, hour, minute, second = date_time
    return struct.pack("<HH", (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day)


def restamp(data, date_time):
    """The ZIP archive ``data`` written again with every entry dated ``date_time``: same
    names, order, contents and compression."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = entry.compress_type
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry))
    return buffer.getvalue()


class DatedZipStream(ZipStream):
    """A ZipStream whose entries carry the time given to add_dated()."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._dates = {}

    def add_dated(self, data, arcname, date_time, **kwargs):
        self._dates[arcname] = date_time
        self.add(data, arcname, **kwargs)

    def _gen_file_entry(self, **kwargs):
        date_time = self._dates[kwargs["arcname"]]
        chunks = super()._gen_file_entry(**kwargs)
        header = next(chunks)
        # The first chunk of an entry is its local file header; same length, so the
        # stream's offsets and its announced size stay right.
        if not header.startswith(_LOCAL_HEADER):
            raise RuntimeError("zipstream-ng no longer starts an entry with its local header")
        yield header[:_DOS_TIME_AT] + _dos(date_time) + header[_DOS_TIME_AT + 4:]
        yield from chunks
        self._filelist[-1].date_time = date_time   # the central directory's copy
