"""The review queue's counts of findings, stored on each evaluation (findings_open,
findings_total): every write that can change the findings refreshes them, the queue shows the
stored counts without reading any evaluation's content, and an evaluation without counts
(NULL, from before they were kept) gets them computed and stored on the first view of the
queue. The review page itself always computes the findings live (tests/test_checks.py)."""
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests import factories
from tests.conftest import signed_in
from tests.test_sql_counts import counting
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.excel import importer
from workflow.extensions import db as _db
from workflow.models import Evaluation, NarrativeSection, Project
from workflow.plans import services as plans
from workflow.review import checks
from workflow.review import services as review
from workflow.selfeval import services as selfeval
from workflow.selfeval.edits import EvaluationEdit

D = Decimal
# The content tables the queue used to read for every row.
CONTENT_TABLES = ("funding_rows", "indicators", "narrative_sections", "finding_notes")


@pytest.fixture
def world(app):
    return factories.make_setup()


def fresh(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def stored(evaluation_id):
    evaluation = fresh(evaluation_id)
    return evaluation.findings_open, evaluation.findings_total


def live(evaluation_id):
    found = checks.evaluation_findings(fresh(evaluation_id))
    return sum(1 for f in found if not f.explained), len(found)


def filled(world, name="应急物资储备项目"):
    """An evaluation in 自评中, complete and without findings."""
    org, plan = world
    evaluation = factories.make_project(plan, name, org.section_a, org.office).evaluation
    factories.walk_to(evaluation, "self_evaluating", org)
    factories.fill_complete(evaluation)
    _db.session.commit()
    return evaluation


def submitted_with_two_findings(world, name="应急物资储备项目"):
    """Submitted with 206.4万元 in the text and a quantity missed without a reason."""
    org, _plan = world
    evaluation = filled(world, name)
    sections = {s.key: s for s in evaluation.narrative}
    if "overview" in sections:
        sections["overview"].text = "利用剩余资金206.4万元开展排查。"
    else:
        evaluation.narrative.append(NarrativeSection(key="overview", text="利用剩余资金206.4万元开展排查。"))
    next(i for i in evaluation.indicators if i.level2 == "数量指标").actual = D("90")
    _db.session.commit()
    actions.perform(evaluation.id, "submit", org.staff_a)
    return evaluation.id


def set_counts(evaluation_id, open_count, all_count):
    _db.session.execute(update(Evaluation).where(Evaluation.id == evaluation_id)
                        .values(findings_open=open_count, findings_total=all_count))
    _db.session.commit()


def queue_cell(client, evaluation_id):
    """(the open count the queue shows for the evaluation, the whole findings cell)."""
    page = client.get("/evaluations/review").get_data(as_text=True)
    match = re.search(rf'/evaluations/{evaluation_id}/review">.*?data-findings="(\d+)">(.*?)</td>', page, re.S)
    assert match, page
    return int(match.group(1)), match.group(2)


# Every write that can change the findings refreshes the counts -----------------------------


def test_a_save_that_introduces_or_removes_a_finding_updates_the_counts(world):
    org, _plan = world
    evaluation = filled(world)
    assert stored(evaluation.id) == (0, 0)

    selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(narrative={"overview": "利用剩余资金206.4万元开展排查。"}))
    assert stored(evaluation.id) == live(evaluation.id) == (1, 1)

    # A refused save changes nothing, the counts neither.
    with pytest.raises(ServiceError):
        selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(narrative={"overview": "另有300万元。"},
                                                                 funding={"total": {"annual_budget": "x"}}))
    assert stored(evaluation.id) == (1, 1)

    selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(narrative={"overview": "按计划开展排查。"}))
    assert stored(evaluation.id) == live(evaluation.id) == (0, 0)


def test_submission_recounts_whatever_wrote_the_content(world):
    evaluation_id = submitted_with_two_findings(world)  # the content was written directly
    assert stored(evaluation_id) == live(evaluation_id) == (2, 2)


def test_explaining_a_finding_moves_it_to_explained_without_bumping_the_version(world):
    org, _plan = world
    evaluation_id = submitted_with_two_findings(world)
    before = fresh(evaluation_id)
    version, updated_at = before.version, before.updated_at

    checks.explain(before, "text_amount:206.4", "报告中为计划数。", org.reviewer)
    assert stored(evaluation_id) == live(evaluation_id) == (1, 2)
    after = fresh(evaluation_id)
    # Derived data: an open page of the evaluation is not made outdated by an explanation.
    assert (after.version, after.updated_at) == (version, updated_at)


def test_editing_the_projects_overall_target_updates_the_counts(world):
    org, _plan = world
    evaluation = filled(world)
    project = evaluation.project
    plans.update_project(project, project.name, project.section_id, "", "计划投入500万元完成排查。", org.office)
    assert stored(evaluation.id) == live(evaluation.id) == (1, 1)
    project = fresh(evaluation.id).project
    plans.update_project(project, project.name, project.section_id, "", "完成排查。", org.office)
    assert stored(evaluation.id) == (0, 0)


def test_an_import_stores_the_counts_of_the_files_figures(world):
    org, plan = world
    wb = load_workbook(io.BytesIO(importer.template_workbook(plan, [org.section_a, org.section_b])))
    rows = [
        # The target's amount is the file's 全年预算数: no finding (there is one until the
        # figures are in, when create_project first counts).
        ["相符的项目", org.section_a.name, None, 200, 206.632, 172.743, 33.889, None, "全年预算206.632万元。"],
        # 300万元 in the target is none of the file's figures: a finding.
        ["不符的项目", org.section_b.name, None, 100, 100, 60, 40, None, "投入300万元。"],
    ]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            wb["项目"].cell(row=importer.FIRST_DATA_ROW + offset, column=column, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    importer.import_projects(plan, buffer, org.office)

    ids = dict(_db.session.execute(select(Project.name, Evaluation.id).join(Evaluation.project)).all())
    assert stored(ids["相符的项目"]) == live(ids["相符的项目"]) == (0, 0)
    assert stored(ids["不符的项目"]) == live(ids["不符的项目"]) == (1, 1)


# The queue reads the stored counts -----------------------------------------------------------


def test_the_queue_shows_the_stored_counts_without_reading_content(app, world):
    org, _plan = world
    evaluation_id = submitted_with_two_findings(world)
    client = signed_in(app, org.reviewer)
    assert queue_cell(client, evaluation_id)[0] == 2

    # Figures no check would give prove they are read, not computed.
    set_counts(evaluation_id, 3, 5)
    with counting() as statements:
        open_count, cell = queue_cell(client, evaluation_id)
    assert open_count == 3 and "（已说明 2）" in cell
    assert not [s for s in statements if any(table in s for table in CONTENT_TABLES)]
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]

    # The review page, where the reviewer decides, computes the findings live.
    page = client.get(f"/evaluations/{evaluation_id}/review").get_data(as_text=True)
    assert "206.4万元" in page


def test_a_count_not_known_yet_is_computed_and_stored_on_first_view(app, world):
    org, _plan = world
    evaluation_id = submitted_with_two_findings(world)
    other_id = submitted_with_two_findings(world, name="危险化学品监测预警项目")
    checks.explain(fresh(other_id), "text_amount:206.4", "报告中为计划数。", org.reviewer)
    set_counts(evaluation_id, None, None)  # as after revision 0008 on an existing database
    set_counts(other_id, None, None)
    client = signed_in(app, org.reviewer)

    with counting() as first:
        assert queue_cell(client, evaluation_id)[0] == 2
    assert queue_cell(client, other_id)[0] == 1
    assert [s for s in first if s.lstrip().upper().startswith("UPDATE")]
    assert stored(evaluation_id) == (2, 2) and stored(other_id) == (1, 2)

    with counting() as second:
        assert queue_cell(client, evaluation_id)[0] == 2
    assert not [s for s in second if any(table in s for table in CONTENT_TABLES)]
    assert not [s for s in second if s.lstrip().upper().startswith("UPDATE")]


def test_the_demo_stores_the_counts_of_its_evaluations(app):
    result = app.test_cli_runner().invoke(args=["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ids = _db.session.scalars(select(Evaluation.id)).all()
    assert ids
    assert all(stored(evaluation_id) == live(evaluation_id) for evaluation_id in ids)


def test_a_queue_page_past_the_end_shows_the_last_page(world):
    org, plan = world
    evaluations = [factories.make_evaluation(plan, org, "submitted", name=f"待复核项目{n}") for n in range(3)]
    page = review.queue_page(5, size=2)
    assert (page.number, [e.id for e, _open, _all in page.items]) == (2, [evaluations[2].id])
