"""The backup archive: a ZIP file with ``manifest.json``, ``tables/*.jsonl`` and ``files/*``.

The manifest lists every other member with its SHA-256 and size; an archive is accepted only
when it holds exactly those members with exactly those checksums (ZIP's own CRC catches
damage too). The archive is written under a temporary name and renamed when complete, so a
backup that is interrupted never leaves a file that looks finished."""
import hashlib
import json
import os
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from flask_babel import gettext as _

from workflow.errors import ServiceError

FORMAT = "jxpj-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# A table's JSON lines are kept in memory up to this size before spilling to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class DamagedArchive(ServiceError):
    code = "damaged_archive"


def table_member(position, name):
    return f"tables/{position:03d}_{name}.jsonl"


def file_member(table, key, column):
    return f"files/{table}/{key}.{column}"


class Writer:
    """Writes members while hashing them; ``commit()`` adds the manifest and renames."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        os.close(handle)
        self.partial = Path(partial)
        self.zip = zipfile.ZipFile(self.partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.members = {}  # name -> {"sha256", "size"}
        self.stamp = time.localtime()[:6]

    def _info(self, name):
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def add_bytes(self, name, data):
        self.zip.writestr(self._info(name), data)
        self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_stream(self, name, stream):
        digest, size = hashlib.sha256(), 0
        with self.zip.open(self._info(name), "w", force_zip64=True) as member:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        self.members[name] = {"sha256": digest.hexdigest(), "size": size}

    def commit(self, manifest):
        self.zip.writestr(self._info(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1))
        self.zip.close()
        with open(self.partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self.partial, self.path)

    def abandon(self):
        self.zip.close()
        self.partial.unlink(missing_ok=True)


def spool():
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")


# Reading ---------------------------------------------------------------------------------


def open_verified(path):
    """The archive at ``path`` and its manifest, after checking every member's checksum.
    Raises DamagedArchive with a message that says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise DamagedArchive(_("找不到备份文件：%(path)s", path=str(path)))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise DamagedArchive(_("该文件不是本系统的备份文件，或已损坏：%(path)s", path=str(path))) from None
    try:
        manifest = _read_manifest(archive)
        _check_members(archive, manifest)
    except BaseException:
        archive.close()
        raise
    return archive, manifest


def _read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise DamagedArchive(_("备份文件缺少清单（manifest.json），不是本系统的备份或已损坏。")) from None
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise DamagedArchive(_("备份文件的清单已损坏。")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DamagedArchive(_("该文件不是本系统的备份文件。"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DamagedArchive(_("备份文件的格式版本（%(version)s）不受支持。", version=manifest.get("format_version")))
    try:
        listed = {t["member"]: t for t in manifest["tables"]} | {f["member"]: f for f in manifest["files"]}
        for entry in listed.values():
            str(entry["sha256"]), int(entry["size"])
    except (KeyError, TypeError, ValueError):
        raise DamagedArchive(_("备份文件的清单不完整。")) from None
    manifest["_members"] = listed
    return manifest


def _check_members(archive, manifest):
    listed = manifest["_members"]
    present = set(archive.namelist()) - {MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise DamagedArchive(_("备份文件不完整，缺少：%(name)s", name=missing[0]))
    extra = sorted(present - set(listed))
    if extra:
        raise DamagedArchive(_("备份文件中有清单未列出的内容：%(name)s", name=extra[0]))
    for name, entry in listed.items():
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(name) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise DamagedArchive(_("备份文件已损坏：%(name)s 无法读取。", name=name)) from None
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise DamagedArchive(_("备份文件已损坏：%(name)s 的校验值（SHA-256）不符。", name=name))
