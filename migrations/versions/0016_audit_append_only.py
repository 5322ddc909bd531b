"""The audit log is kept by the database: UPDATE and DELETE of audit_records are refused by
triggers, whoever sends them (the ORM refused them already; now plain SQL is refused too).

PostgreSQL: one row-level trigger function for UPDATE and DELETE, and a statement-level
trigger for TRUNCATE (which row triggers do not see). SQLite: a BEFORE UPDATE and a BEFORE
DELETE trigger that RAISE(ABORT). Nothing in the triggers can be switched off by a setting:
the backup's restore, which must replace the table's rows, lifts them by DDL inside its own
transaction and puts them back before it commits (workflow/maintenance/audit_guard.py), which
on PostgreSQL needs the table's owner.

A later revision that rebuilds audit_records on SQLite with Alembic's batch copy drops these
triggers with the old table and must create them again (tests/test_audit_append_only.py
fails at head otherwise).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:00:00

"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

MESSAGE = 'audit records are append-only'

POSTGRESQL_UP = (
    f"""
    CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)';
    END
    $$
    """,
    "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records"
    " FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()",
    "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()",
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER audit_records_no_truncate ON audit_records",
    "DROP TRIGGER audit_records_append_only ON audit_records",
    "DROP FUNCTION audit_records_append_only()",
)
SQLITE_UP = (
    "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END",
    "CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER audit_records_no_delete",
    "DROP TRIGGER audit_records_no_update",
)


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _run(POSTGRESQL_UP)
    else:
        _run(SQLITE_UP)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _run(POSTGRESQL_DOWN)
    else:
        _run(SQLITE_DOWN)
