"""The database's guard on the audit log, and the one way to lift it for a moment.

Revision 0016 puts triggers on ``audit_records`` that refuse every UPDATE and DELETE (and
TRUNCATE on PostgreSQL). Only a restore of a backup, which replaces every table's rows, has
to get past them. It does so explicitly, by DDL inside its own transaction:

- PostgreSQL: ``ALTER TABLE audit_records DISABLE TRIGGER`` each enabled trigger, then
  ``ENABLE`` them again. The ALTER holds an exclusive lock on the table until the transaction
  ends, and DDL is transactional, so no other transaction ever sees the table unguarded;
  it needs the table's owner (a role that may only read and write rows cannot lift it).
- SQLite: the triggers are read from ``sqlite_master``, dropped, and created again from the
  same text. The writer holds the database's write lock, and WAL readers keep seeing the
  schema as it was, so again nobody else sees them missing.

No session setting or flag table switches the triggers off, so a connection cannot be
talked out of them by a statement it sends (short of owning the table).

Use it only inside a transaction that rolls back on error: when the block raises, nothing is
put back here, and the rollback undoes the lifting with everything else.
"""
from contextlib import contextmanager

from sqlalchemy import text

TABLE = "audit_records"


@contextmanager
def lifted(connection):
    """Within the caller's transaction: the triggers on audit_records are off inside the
    block and exactly as before after it."""
    restore = _lift_postgresql(connection) if connection.dialect.name == "postgresql" else _lift_sqlite(connection)
    yield
    restore()


def _lift_postgresql(connection):
    names = triggers(connection)
    for name in names:
        connection.exec_driver_sql(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER "{name}"')

    def restore():
        for name in names:
            connection.exec_driver_sql(f'ALTER TABLE "{TABLE}" ENABLE TRIGGER "{name}"')

    return restore


def _lift_sqlite(connection):
    # Python's sqlite3 opens a transaction by itself only before INSERT, UPDATE or DELETE: a
    # DROP TRIGGER sent first would be committed on its own, outside the caller's transaction.
    # So the transaction starts here, with the write lock, unless one is open already.
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    saved = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table ORDER BY name"),
        {"table": TABLE}).all()
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')

    def restore():
        for _name, sql in saved:
            connection.exec_driver_sql(sql)

    return restore


def triggers(connection):
    """The names of the guarding triggers in force on audit_records (for checks and tests)."""
    if connection.dialect.name == "postgresql":
        return connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:table AS regclass)"
            " AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname"), {"table": TABLE}).scalars().all()
    return connection.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table ORDER BY name"),
        {"table": TABLE}).scalars().all()
