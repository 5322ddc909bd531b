"""Two people acting on one evaluation at the same moment, over two real database
connections (threads with their own application context and session): exactly one action
wins, the other is told in Chinese that someone was quicker, and the database shows one
transition's worth of changes. Runs on SQLite (file database in WAL mode) and PostgreSQL."""
import re
import threading

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_evaluation, make_setup, prepare_step
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import AuditRecord, Evaluation, Notification, Snapshot, Task, User

# Real commits: two sessions or processes race on the same rows.
pytestmark = pytest.mark.commits


HAN = re.compile(r"[\u4e00-\u9fff]")
JOIN_TIMEOUT = 60


def state_of_the_database(evaluation_id):
    """Read with a fresh connection, outside every session."""
    with db.engine.connect() as connection:
        state, version = connection.execute(
            select(Evaluation.state, Evaluation.version).where(Evaluation.id == evaluation_id)
        ).one()
        audit_rows = connection.execute(
            select(AuditRecord.action, AuditRecord.from_state, AuditRecord.to_state, AuditRecord.actor_id)
            .where(AuditRecord.evaluation_id == evaluation_id).order_by(AuditRecord.id)
        ).all()
        task_rows = connection.execute(
            select(Task.state, Task.completed_at.is_not(None), Task.completed_by_id)
            .where(Task.evaluation_id == evaluation_id).order_by(Task.id)
        ).all()
        notifications = connection.execute(select(func.count()).select_from(Notification)).scalar()
        snapshots = connection.execute(
            select(Snapshot.kind).where(Snapshot.evaluation_id == evaluation_id).order_by(Snapshot.id)
        ).scalars().all()
    return {
        "state": state,
        "version": version,
        "audit": [tuple(r) for r in audit_rows],
        "completed": [tuple(r) for r in task_rows if r[1]],
        "open": [r[0] for r in task_rows if not r[1]],
        "notifications": notifications,
        "snapshots": list(snapshots),
    }


def race(app, evaluation_id, attempts):
    """Run each (user_id, trigger, comment) in its own thread, application context and
    session. Each loads the evaluation first (the same version), then all fire together."""
    barrier = threading.Barrier(len(attempts), timeout=JOIN_TIMEOUT)
    results = [None] * len(attempts)

    def attempt(index, user_id, trigger, comment):
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                evaluation = db.session.get(Evaluation, evaluation_id)
                version = evaluation.version
                assert actor.roles and evaluation.state  # both loaded before the start
                barrier.wait()
                actions.perform(evaluation_id, trigger, actor, comment=comment, expected_version=version)
                results[index] = ("done", trigger, user_id)
            except ServiceError as error:
                db.session.rollback()
                results[index] = ("refused", error.code, error.message)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[index] = ("crashed", type(error).__name__, str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, *a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread hung"
    return results


def test_sqlite_runs_in_wal_mode_on_a_file():
    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return
    assert db.engine.url.database not in (None, "", ":memory:")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


RACES = {
    # name: state, [(who, trigger, comment)]
    "double_click_submit": ("self_evaluating", [("staff_a", "submit", ""), ("staff_a", "submit", "")]),
    "two_colleagues_submit": ("self_evaluating", [("staff_a", "submit", ""), ("staff_a2", "submit", "")]),
    "review_against_return": ("submitted", [("reviewer", "pass_review", ""),
                                            ("reviewer2", "return_for_revision", "请补充附件。")]),
    "withdraw_against_review": ("submitted", [("staff_a", "withdraw", ""), ("reviewer", "pass_review", "")]),
    "double_click_approve": ("reviewed", [("leader", "approve", ""), ("leader", "approve", "")]),
    "approve_against_return": ("reviewed", [("leader", "approve", ""), ("leader", "return_for_revision", "重做")]),
    "report_against_return": ("approved", [("office", "report", ""), ("leader", "return_for_revision", "重做")]),
}
DESTINATION = {"pass_review": "reviewed", "return_for_revision": "returned", "withdraw": "self_evaluating",
               "approve": "approved", "submit": "submitted", "report": "reported"}
# The snapshot a transition stores (submit and approve): one, however many pressed at once.
SNAPSHOT_OF = {"submit": "submission", "approve": "approval"}


@pytest.mark.parametrize("name", list(RACES))
def test_of_two_simultaneous_actions_exactly_one_happens(app, name):
    state, contenders = RACES[name]
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, state)
    for _who, trigger, _comment in contenders:  # a complete form, a submission batch
        prepare_step(evaluation, trigger, {"office": org.office})
    evaluation_id = evaluation.id
    attempts = [(getattr(org, who).id, trigger, comment) for who, trigger, comment in contenders]
    db.session.commit()
    before = state_of_the_database(evaluation_id)

    results = race(app, evaluation_id, attempts)

    assert not [r for r in results if r[0] == "crashed"], results
    done = [r for r in results if r[0] == "done"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(done) == 1 and len(refused) == 1, results
    (_, code, message), = refused
    assert code in ("concurrent_change", "refused")
    assert HAN.search(message)
    if code == "concurrent_change":
        assert message in ("该评价已被他人处理，请刷新后重试。", "该评价已被他人处理，页面内容已过期。请刷新后重试。")

    (_, trigger, user_id), = done
    after = state_of_the_database(evaluation_id)
    assert after["state"] == DESTINATION[trigger]
    assert after["version"] == before["version"] + 1
    assert after["audit"] == before["audit"] + [(trigger, state, DESTINATION[trigger], user_id)]
    assert after["completed"] == before["completed"] + [(state, True, user_id)]
    assert len(after["open"]) == 1 and after["open"][0] == DESTINATION[trigger]
    assert after["snapshots"] == before["snapshots"] + ([SNAPSHOT_OF[trigger]] if trigger in SNAPSHOT_OF else [])

    # The main session sees the same after a refresh.
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation_id).state == DESTINATION[trigger]


def test_an_action_on_an_evaluation_changed_meanwhile_is_refused(app):
    """The same race, deterministic: this session loaded the evaluation, then another
    connection moved it on. Acting on the stale copy is refused, nothing is half-written."""
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    evaluation_id, reviewer2_id = evaluation.id, org.reviewer2.id
    assert evaluation.version and evaluation.state == "submitted"  # loaded in this session

    (other,) = race(app, evaluation_id, [(org.reviewer.id, "pass_review", "")])
    assert other[0] == "done"
    before = state_of_the_database(evaluation_id)

    reviewer2 = db.session.get(User, reviewer2_id)
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation_id, "return_for_revision", reviewer2, comment="退回")
    assert refused.value.code == "concurrent_change"
    assert refused.value.message == "该评价已被他人处理，请刷新后重试。"
    assert state_of_the_database(evaluation_id) == before
    db.session.rollback()
    assert db.session.get(Evaluation, evaluation_id).state == "reviewed"


def test_bulk_goes_on_when_one_item_was_changed_meanwhile(app):
    """A leader's bulk approval whose list is stale for one evaluation: that one is
    reported, the others are approved."""
    org, plan = make_setup()
    first = make_evaluation(plan, org, "reviewed", name="项目甲")
    second = make_evaluation(plan, org, "reviewed", name="项目乙")
    third = make_evaluation(plan, org, "reviewed", name="项目丙")
    ids = [second.id, first.id, third.id]  # the stale one first, before any commit expires it
    assert [e.state for e in (first, second, third)] == ["reviewed"] * 3  # loaded here

    (other,) = race(app, second.id, [(org.leader.id, "return_for_revision", "数据有误")])
    assert other[0] == "done"
    done, refused = actions.perform_bulk(ids, "approve", org.leader)
    assert done == [first.id, third.id]
    assert refused == [(second.id, "该评价已被他人处理，请刷新后重试。")]
    assert state_of_the_database(second.id)["state"] == "returned"


def test_a_stale_page_is_refused_and_changes_nothing():
    org, plan = make_setup()
    evaluation = make_evaluation(plan, org, "submitted")
    page_version = evaluation.version  # the reviewer opens the page
    actions.perform(evaluation.id, "withdraw", org.staff_a)  # the submitter withdraws meanwhile
    actions.perform(evaluation.id, "submit", org.staff_a)  # ... and submits again: same state
    assert state_of_the_database(evaluation.id)["snapshots"] == ["submission", "submission"]
    assert evaluation.state == "submitted" and evaluation.version == page_version + 2
    before = state_of_the_database(evaluation.id)
    with pytest.raises(ServiceError) as refused:
        actions.perform(evaluation.id, "pass_review", org.reviewer, expected_version=page_version)
    assert refused.value.code == "concurrent_change"
    assert refused.value.message == "该评价已被他人处理，页面内容已过期。请刷新后重试。"
    assert state_of_the_database(evaluation.id) == before
    # With the current version it goes through.
    actions.perform(evaluation.id, "pass_review", org.reviewer, expected_version=evaluation.version)
    assert state_of_the_database(evaluation.id)["state"] == "reviewed"
