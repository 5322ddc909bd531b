"""The audit log is kept by the database (revision 0016): plain SQL can add audit records but
neither change nor delete them, on SQLite and on PostgreSQL. Only the guard's own lifting,
inside one transaction (what a restore does), gets past the triggers, and they are in force
again when that transaction ends, committed or rolled back."""
import pytest
from sqlalchemy import exc, text

from workflow.engine import audit
from workflow.extensions import db
from workflow.maintenance import audit_guard
from workflow.models import AuditRecord

# Real commits: the audit triggers are tried on committed rows through the engine.
pytestmark = pytest.mark.commits


EXPECTED_TRIGGERS = {
    "postgresql": ["audit_records_append_only", "audit_records_no_truncate"],
    "sqlite": ["audit_records_no_delete", "audit_records_no_update"],
}


def a_record(comment="开始自评"):
    entry = audit.record(None, None, "edit", comment=comment)
    db.session.flush()
    record_id = entry.id
    # Committed and not read again: this session keeps no transaction (and no lock on the
    # table) open while other connections try their statements.
    db.session.commit()
    return record_id


def stored(record_id):
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT comment FROM audit_records WHERE id = :id"), {"id": record_id}).scalar()


def refused(statement, **parameters):
    """Run one statement in a transaction of its own; returns the database's refusal."""
    with pytest.raises(exc.DatabaseError) as refusal:
        with db.engine.begin() as connection:
            connection.execute(text(statement), parameters)
    assert "append-only" in str(refusal.value)
    return refusal.value


def assert_guarded(record_id):
    """An UPDATE and a DELETE of the record by plain SQL both fail and change nothing."""
    before = stored(record_id)
    assert before is not None
    refused("UPDATE audit_records SET comment = '改过的' WHERE id = :id", id=record_id)
    refused("DELETE FROM audit_records WHERE id = :id", id=record_id)
    assert stored(record_id) == before


def test_the_triggers_are_in_place_at_head():
    with db.engine.connect() as connection:
        assert audit_guard.triggers(connection) == EXPECTED_TRIGGERS[connection.dialect.name]


def test_plain_sql_may_add_but_neither_change_nor_delete_an_audit_record():
    record_id = a_record()
    assert_guarded(record_id)
    refused("UPDATE audit_records SET comment = ''")  # every row at once: the same
    refused("DELETE FROM audit_records")
    # Appending is what the log is for.
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_records (at, action, comment, address)"
                                " VALUES (CURRENT_TIMESTAMP, 'edit', '追加', '')"))
    assert db.session.query(AuditRecord).count() == 2
    db.session.commit()
    assert stored(record_id) == "开始自评"


def test_truncate_is_refused_on_postgresql():
    record_id = a_record()
    if db.engine.dialect.name != "postgresql":
        # SQLite has no TRUNCATE: "DELETE FROM audit_records" is its form, refused above.
        assert_guarded(record_id)
        return
    refused("TRUNCATE audit_records")
    assert stored(record_id) == "开始自评"


def test_lifting_lasts_one_transaction_and_a_rollback_undoes_it():
    record_id = a_record()
    with db.engine.connect() as connection:
        transaction = connection.begin()
        with audit_guard.lifted(connection):
            assert audit_guard.triggers(connection) == []
            connection.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": record_id})
        # Back in force inside the same transaction, after the block.
        assert audit_guard.triggers(connection) == EXPECTED_TRIGGERS[connection.dialect.name]
        transaction.rollback()
    assert_guarded(record_id)  # the delete was rolled back, the guard stands

    # A block that fails leaves the putting back to the rollback.
    with pytest.raises(ZeroDivisionError):
        with db.engine.begin() as connection:
            with audit_guard.lifted(connection):
                connection.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": record_id})
                1 / 0  # noqa: B018
    assert_guarded(record_id)

    # Committed: the rows are gone, the triggers are back for everybody.
    with db.engine.begin() as connection:
        with audit_guard.lifted(connection):
            connection.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": record_id})
    assert stored(record_id) is None
    with db.engine.connect() as connection:
        assert audit_guard.triggers(connection) == EXPECTED_TRIGGERS[connection.dialect.name]
    assert_guarded(a_record("又一条"))


def test_deleting_an_evaluation_with_a_history_is_refused(app):
    """Nothing in the application deletes evaluations; by SQL, the foreign key's ON DELETE SET
    NULL would rewrite its audit records, and the triggers refuse that as well (the refusal
    names the audit log, not another foreign key)."""
    from tests import factories

    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "self_evaluating")
    evaluation_id = evaluation.id
    records = db.session.query(AuditRecord).filter_by(evaluation_id=evaluation_id).count()
    db.session.commit()
    assert records > 0
    refused("DELETE FROM evaluations WHERE id = :id", id=evaluation_id)
    assert db.session.query(AuditRecord).filter_by(evaluation_id=evaluation_id).count() == records
    db.session.commit()
