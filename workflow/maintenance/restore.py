"""Restoring a backup into a database at the same Alembic revision.

Everything that can be checked is checked before anything is written: the archive's
checksums, its format, its revision against the database's, its tables and columns against
the application's. The rows then go in within one transaction (after the existing rows are
deleted, with ``force``, the audit log's guard lifted for that); any error rolls it all back,
so a refused restore changes nothing. Nobody is signed in after a restore: the backup holds
no sessions (database.EPHEMERAL_TABLES)."""
import io
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import column as column_clause
from sqlalchemy import func, select
from sqlalchemy import table as table_clause

from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.maintenance import archive, audit_guard, codec, database

# Rows are inserted in batches of at most this many rows or this many bytes of files.
BATCH_ROWS = 500
BATCH_BYTES = 16 * 1024 * 1024


class RestoreRefused(ServiceError):
    code = "restore_refused"


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    replaced: bool


def restore(path, force=False):
    zip_file, manifest = archive.open_verified(path)
    with zip_file:
        _check_schema(manifest)
        with db.engine.connect() as connection:
            with connection.begin():
                _check_revision(connection, manifest)  # first: without the schema nothing can be locked
                database.begin_exclusive(connection)
                occupied = _occupied_tables(connection)
                if occupied and not force:
                    raise RestoreRefused(_(
                        "目标数据库中已有数据（%(tables)s 等），未做任何改动。如确需用备份覆盖现有全部数据，请加 --force。",
                        tables="、".join(occupied[:3])))
                # The audit log's triggers refuse DELETE: lifted for this transaction only,
                # and in force again before it commits (a failure rolls the lifting back too).
                with audit_guard.lifted(connection):
                    for table in reversed(database.tables()):
                        connection.execute(table.delete())
                rows = sum(_load_table(connection, zip_file, entry) for entry in manifest["tables"])
                database.reset_sequences(connection)
    return Summary(len(manifest["tables"]), rows, len(manifest["files"]), bool(occupied))


def _check_schema(manifest):
    """The archive must hold the application's tables with their columns, in an order where
    parents come first (the order they are restored in)."""
    expected = [(t.name, [c.name for c in t.columns]) for t in database.tables()]
    found = [(t.get("name"), t.get("columns")) for t in manifest["tables"]]
    if sorted(map(str, found)) != sorted(map(str, expected)):
        raise RestoreRefused(_("备份中的数据表与当前程序的数据表不一致，不能恢复。请使用与备份时相同版本的程序。"))
    if [name for name, _cols in found] != [name for name, _cols in expected]:
        raise RestoreRefused(_("备份中的数据表顺序有误，不能恢复。"))


def _check_revision(connection, manifest):
    current = database.revision(connection)
    wanted = manifest.get("alembic_revision")
    if current is None:
        raise RestoreRefused(_("目标数据库还没有建立表结构。请先执行 flask --app wsgi db upgrade %(revision)s，再恢复。",
                               revision=" ".join(wanted or [])))
    if current != wanted:
        raise RestoreRefused(_(
            "备份的数据库版本（%(archive)s）与目标数据库的版本（%(current)s）不一致，未做任何改动。"
            "请使用与备份时相同版本的程序，并将数据库迁移到 %(archive)s。",
            archive=" ".join(wanted or []) or "?", current=" ".join(current) or "?"))


def _occupied_tables(connection):
    return [t.name for t in database.tables()
            if connection.execute(select(func.count()).select_from(t)).scalar()]


def _load_table(connection, zip_file, entry):
    table = db.metadata.tables[entry["name"]]
    kinds = {c.name: codec.kind_of(c) for c in table.columns}
    target = table_clause(table.name, *(column_clause(c.name, codec.insert_type(c)) for c in table.columns))
    files = {f for f in zip_file.namelist() if f.startswith(f"files/{table.name}/")}
    batch, batch_bytes, count = [], 0, 0
    with zip_file.open(entry["member"]) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8", newline="\n"):
            record = json.loads(line)
            row = {}
            for name, kind in kinds.items():
                value = record.get(name)
                if kind == codec.BINARY and value is not None:
                    if value not in files:
                        raise archive.DamagedArchive(_("备份文件不完整，缺少：%(name)s", name=value))
                    value = zip_file.read(value)
                    batch_bytes += len(value)
                row[name] = codec.decode(kind, value)
            batch.append(row)
            count += 1
            if len(batch) >= BATCH_ROWS or batch_bytes >= BATCH_BYTES:
                connection.execute(target.insert(), batch)
                batch, batch_bytes = [], 0
    if batch:
        connection.execute(target.insert(), batch)
    if count != entry["rows"]:
        raise archive.DamagedArchive(_("备份文件已损坏：%(table)s 的行数与清单不符。", table=table.name))
    return count
