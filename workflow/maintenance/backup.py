"""Writing a backup: every table's rows and every stored file, read in one transaction."""
import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, select

from workflow import clock
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.maintenance import archive, codec, database

ROWS_PER_FETCH = 500
# Rows with files (evidence of up to 20 MB each) are fetched a few at a time.
ROWS_WITH_FILES_PER_FETCH = 8


@dataclass
class Summary:
    path: Path
    tables: int
    rows: int
    files: int
    size: int


def backup(path=None):
    """Back up to ``path``: a new file, or a folder (default: instance/backups/) in which
    the archive is named by the time. An existing file is never overwritten."""
    target = Path(path) if path else Path(current_app.instance_path) / "backups"
    if not path or target.is_dir():
        target = target / f"jxpj-backup-{clock.now().strftime('%Y%m%dT%H%M%SZ')}.zip"
    if target.exists():
        raise ServiceError(_("文件 %(path)s 已存在，未覆盖。请另选文件名。", path=str(target)))
    try:
        return write_backup(target)
    except OSError as error:
        raise ServiceError(_("无法写入备份文件 %(path)s：%(error)s", path=str(target), error=error.strerror or error)) from None


def write_backup(path):
    """Write the archive to ``path`` (a new file); returns a Summary."""
    engine = db.engine
    connection = database.read_snapshot(engine)
    writer = archive.Writer(path)
    try:
        revision = database.revision(connection)
        entries, files = [], []
        for position, table in enumerate(database.tables(), start=1):
            entries.append(_dump_table(connection, writer, position, table, files))
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "application": "绩效评价工作台",
            "created_at": clock.now().isoformat(),
            "database": engine.dialect.name,
            "alembic_revision": revision,
            "tables": entries,
            "files": files,
        }
        writer.commit(manifest)
    except BaseException:
        writer.abandon()
        raise
    finally:
        connection.rollback()
        connection.close()
    return Summary(Path(path), len(entries), sum(e["rows"] for e in entries), len(files), Path(path).stat().st_size)


def _dump_table(connection, writer, position, table, files):
    """One table as JSON lines (ordered by primary key, so two backups of the same data are
    the same); each binary value becomes a file of the archive named by the row's key."""
    kinds = {column.name: codec.kind_of(column) for column in table.columns}
    key_columns = list(table.primary_key.columns)
    query = select(*(codec.select_expression(c) for c in table.columns)).order_by(*key_columns)
    if table.name in database.EPHEMERAL_TABLES:
        query = query.where(false())  # the table is in the archive, empty
    rows = 0
    with archive.spool() as lines:
        per_fetch = ROWS_WITH_FILES_PER_FETCH if codec.BINARY in kinds.values() else ROWS_PER_FETCH
        result = connection.execution_options(yield_per=per_fetch).execute(query)
        for row in result.mappings():
            rows += 1
            key = "-".join(str(row[c.name]) for c in key_columns) or str(rows)
            record = {}
            for name, kind in kinds.items():
                value = row[name]
                if kind == codec.BINARY and value is not None:
                    member = archive.file_member(table.name, key, name)
                    writer.add_bytes(member, bytes(value))
                    files.append({"member": member, **writer.members[member]})
                    value = member
                record[name] = codec.encode(kind, value)
            lines.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        lines.seek(0)
        member = archive.table_member(position, table.name)
        writer.add_stream(member, lines)
    return {"name": table.name, "columns": list(kinds), "rows": rows, "member": member, **writer.members[member]}
