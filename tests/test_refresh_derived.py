"""``flask --app wsgi refresh-derived`` repairs what a change made directly in the database
left wrong on the evaluations: the copies of the project's plan and section, and the findings
counts; without bumping any evaluation's version."""
from sqlalchemy import text

from tests import factories
from workflow.engine import board
from workflow.extensions import db
from workflow.models import Evaluation


def stored(evaluation_id):
    return db.session.execute(text(
        "SELECT plan_id, section_id, findings_open, findings_total, version FROM evaluations WHERE id = :id"
    ), {"id": evaluation_id}).one()


def test_refresh_derived_repairs_copies_and_counts_changed_behind_the_services(app):
    org, plan = factories.make_setup()
    moved = factories.make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    miscounted = factories.make_project(plan, "危险化学品监测预警项目", org.section_a, org.office).evaluation
    untouched = factories.make_project(plan, "矿山隐患排查项目", org.section_b, org.office).evaluation
    before = {e.id: stored(e.id) for e in (moved, miscounted, untouched)}
    # Behind the services' back: a project moved to another section in psql, counts overwritten.
    db.session.execute(text("UPDATE projects SET section_id = :section WHERE id = :id"),
                       {"section": org.section_b.id, "id": moved.project_id})
    db.session.execute(text("UPDATE evaluations SET findings_open = 7, findings_total = 9 WHERE id = :id"),
                       {"id": miscounted.id})
    db.session.commit()
    by_section = sorted([(org.section_a.id, 2), (org.section_b.id, 1)])
    assert sorted((row.key, row.total) for row in board.board(plan)[0].items) == by_section  # the old copy

    result = app.test_cli_runner().invoke(args=["refresh-derived"])
    assert result.exit_code == 0, result.output
    assert "已检查 3 个评价：方案与科室副本修正 1 个，核查问题计数修正 1 个。" in result.output
    db.session.expire_all()
    assert tuple(stored(moved.id)) == (plan.id, org.section_b.id, *before[moved.id][2:])
    assert tuple(stored(miscounted.id)) == tuple(before[miscounted.id])
    assert tuple(stored(untouched.id)) == tuple(before[untouched.id])
    assert sorted((row.key, row.total) for row in board.board(plan)[0].items) == sorted(
        [(org.section_a.id, 1), (org.section_b.id, 2)])

    again = app.test_cli_runner().invoke(args=["refresh-derived"])
    assert "方案与科室副本修正 0 个，核查问题计数修正 0 个" in again.output
    assert db.session.get(Evaluation, moved.id).version == before[moved.id].version
