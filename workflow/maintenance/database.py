"""What backup and restore need from the database itself: one consistent read transaction,
the Alembic revision, a lock against the running application, and the id sequences."""
from sqlalchemy import inspect, text

from workflow.extensions import db


# Tables whose rows a backup leaves out: the signed-in sessions. Restoring them would bring
# back sessions that ended after the backup was taken (a logout, a password change); after a
# restore everybody signs in again.
EPHEMERAL_TABLES = frozenset({"user_sessions"})


def tables():
    """Every table of the metadata, parents before children (the order rows are restored in)."""
    return list(db.metadata.sorted_tables)


def read_snapshot(engine):
    """A connection whose reads all see one moment of the database.

    PostgreSQL: a REPEATABLE READ, read-only transaction (one snapshot for every query).
    SQLite: an explicit BEGIN; in WAL mode a reader keeps the snapshot of its first read
    until the transaction ends, while writers go on."""
    if engine.dialect.name == "postgresql":
        connection = engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True)
        connection.begin()
        return connection
    connection = engine.connect()
    connection.exec_driver_sql("BEGIN")
    return connection


def begin_exclusive(connection):
    """Restore writes every table in one transaction and keeps the application out while it
    does: PostgreSQL locks every table, SQLite takes the write lock at once."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def revision(connection):
    """The Alembic revision(s) the schema is at, or None when it has never been migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def reset_sequences(connection):
    """After rows were inserted with their ids, PostgreSQL's sequences must continue after
    the largest id (SQLite takes max(rowid) + 1 by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                text(f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") IS NOT NULL) '
                     f'FROM "{table.name}"'),
                {"sequence": sequence},
            )
