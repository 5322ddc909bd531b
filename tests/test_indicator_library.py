"""The indicator library by kind of project (issue #16, item 3): projects start from their
category's indicators, the library grows from approved evaluations without duplicates, it is
carried to the next year's plan, and its fields reach the 自评表. Rules through the services,
pages through the test client."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tests.api_helpers import ApiClient, assert_error
from tests.conftest import login, post
from tests.factories import fill_complete, make_project, make_setup, walk_to
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.evidence.services import upload
from workflow.extensions import db
from workflow.library import services as library
from workflow.library.services import EntryData
from workflow.models import Indicator, LibraryIndicator, Project
from workflow.plans import services as plans
from workflow.selfeval import services as selfeval
from workflow.selfeval.edits import EvaluationEdit, IndicatorEdit
from workflow.selfeval.framework import EXECUTION_RATE

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The 单位自评 framework (the default): 产出指标 / 数量指标 … 满意度指标 / 服务对象满意度.
TRAINING = [
    EntryData("training", "产出指标", "数量指标", "培训人次", ">=", "人次", "年度实际参加培训的人次。", "plan", "300"),
    EntryData("training", "产出指标", "质量指标", "培训合格率", ">=", "%", "考核合格人数÷参训人数。", "history", "95"),
    EntryData("training", "满意度指标", "服务对象满意度", "参训人员满意度", ">=", "%", "", "industry", "90"),
    # 二级指标 the framework lacks: goes to the first group of its 一级指标 (数量指标).
    EntryData("training", "产出指标", "培训课时", "培训课时数", ">=", "学时", "", "plan", "40"),
    # 一级指标 the framework lacks: left out.
    EntryData("training", "不存在的一级指标", "", "无处可放", "qualitative", "", "", "", "好"),
]


@pytest.fixture
def world(app):
    org, plan = make_setup()
    for data in TRAINING:
        library.add_entry(plan, data)
    return org, plan


def rows_of(evaluation):
    return [(i.level1, i.level2, i.name, i.weight) for i in evaluation.indicators]


def library_count(plan, **where):
    statement = select(func.count()).select_from(LibraryIndicator).where(LibraryIndicator.plan_id == plan.id)
    for key, value in where.items():
        statement = statement.where(getattr(LibraryIndicator, key) == value)
    return db.session.scalar(statement)


def approve_with(evaluation, org, change=None):
    """Fill, optionally change the indicators, submit, pass and approve."""
    walk_to(evaluation, "self_evaluating", org)
    fill_complete(evaluation)
    if change:
        change(evaluation)
        selfeval.recompute(evaluation)
        db.session.commit()
    for trigger, who in (("submit", org.staff_a), ("pass_review", org.reviewer), ("approve", org.leader)):
        actions.perform(evaluation.id, trigger, who)
    assert evaluation.state == "approved"


# A project starts from its kind's indicators ---------------------------------------------


def test_a_project_with_a_category_starts_from_its_library_entries(world):
    org, plan = world
    evaluation = plans.add_project(plan, "森林草原防灭火宣传培训项目", org.section_a.id, org.office,
                                   category="training").evaluation
    assert evaluation.project.category == "training"
    rows = rows_of(evaluation)
    names = [name for _l1, _l2, name, _w in rows]
    # The framework's placeholders of the groups that got entries gave way; the others stay.
    assert "计划任务完成数量" not in names and "质量达标率" not in names and "服务对象满意度" not in names
    assert ("产出指标", "数量指标", "培训人次", D("10")) in rows
    assert ("产出指标", "数量指标", "培训课时数", D("10")) in rows  # shares 数量指标's 20 points
    assert ("产出指标", "质量指标", "培训合格率", D("10")) in rows
    assert ("满意度指标", "服务对象满意度", "参训人员满意度", D("10")) in rows
    assert "按期完成率" in names and "无处可放" not in names
    assert evaluation.indicators[0].kind == EXECUTION_RATE
    assert sum(w for *_rest, w in rows) == D("100")
    trained = next(i for i in evaluation.indicators if i.name == "培训人次")
    assert (trained.nature, trained.unit, trained.target, trained.basis, trained.explanation) == (
        ">=", "人次", D("300"), "plan", "年度实际参加培训的人次。")
    # Without a category: the framework as it is.
    plain = plans.add_project(plan, "应急物资储备项目", org.section_a.id, org.office).evaluation
    assert [i.name for i in plain.indicators][1] == "计划任务完成数量"
    assert plain.project.category is None


def test_weights_split_to_the_cent_and_retired_entries_are_not_offered(world):
    org, plan = world
    for name in ("培训期数", "培训覆盖单位数"):
        library.add_entry(plan, EntryData("training", "产出指标", "数量指标", name, ">=", "期", "", "", ""))
    retired = library.add_entry(plan, EntryData("training", "产出指标", "时效指标", "培训及时率", ">=", "%"))
    library.set_retired(retired, True)
    evaluation = plans.add_project(plan, "培训项目", org.section_a.id, org.office, category="training").evaluation
    quantity = [i.weight for i in evaluation.indicators if i.level2 == "数量指标"]
    assert len(quantity) == 4 and sum(quantity) == D("20") and quantity == [D("5")] * 4
    assert "培训及时率" not in [i.name for i in evaluation.indicators]
    assert library._split(D("10"), 3) == [D("3.34"), D("3.33"), D("3.33")]


def test_a_section_adds_indicators_from_the_library_while_it_may_edit_targets(world):
    org, plan = world
    evaluation = plans.add_project(plan, "培训项目", org.section_a.id, org.office, category="training").evaluation
    later = library.add_entry(plan, EntryData("training", "产出指标", "质量指标", "培训考核通过率", ">=", "%",
                                              "通过人数÷参加考核人数。", "industry", "90"))
    timely = library.add_entry(plan, EntryData("training", "产出指标", "时效指标", "培训按期完成率", ">=", "%"))
    placeholder = next(i for i in evaluation.indicators if i.name == "按期完成率")
    evidence = upload(evaluation, org.staff_a, FileStorage(io.BytesIO(PDF), filename="计划.pdf"),
                      indicator_id=placeholder.id)
    assert [e.id for e in library.offered(evaluation)] == [later.id, timely.id]
    with pytest.raises(ServiceError) as refused:
        library.add_to_evaluation(evaluation, [later.id], org.staff_b)  # not the project's section
    assert refused.value.code == "refused"
    added, left_out = library.add_to_evaluation(evaluation, [later.id, timely.id], org.staff_a)
    assert (added, left_out) == (2, 0)
    assert library.offered(evaluation) == []
    quality = [(i.name, i.weight) for i in evaluation.indicators if i.level2 == "质量指标"]
    assert quality == [("培训合格率", D("5")), ("培训考核通过率", D("5"))]
    timeliness = [(i.name, i.weight) for i in evaluation.indicators if i.level2 == "时效指标"]
    assert timeliness == [("培训按期完成率", D("10"))]  # the untouched placeholder gave way
    db.session.refresh(evidence)
    assert evidence.evaluation_id == evaluation.id and evidence.indicator_id is None
    assert sum(i.weight for i in evaluation.indicators) == D("100")
    with pytest.raises(ServiceError) as again:
        library.add_to_evaluation(evaluation, [later.id], org.staff_a)
    assert again.value.code == "duplicate"
    other = library.add_entry(plan, EntryData("meeting", "产出指标", "数量指标", "会议次数", ">=", "次"))
    with pytest.raises(ServiceError):
        library.add_to_evaluation(evaluation, [other.id], org.staff_a)  # another category's
    uncategorised = make_project(plan, "无类别项目", org.section_a, org.office).evaluation
    with pytest.raises(ServiceError, match="项目类别"):
        library.add_to_evaluation(uncategorised, [later.id], org.staff_a)
    walk_to(evaluation, "submitted", org)
    with pytest.raises(ServiceError) as frozen:
        library.add_to_evaluation(evaluation, [later.id], org.staff_a)
    assert frozen.value.code == "refused"


# The library grows on approval ---------------------------------------------------------


def _mines(evaluation):
    ind = next(i for i in evaluation.indicators if i.name == "计划任务完成数量")
    ind.name, ind.unit, ind.target, ind.actual = "检查矿山数量", "个", D("286"), D("286")
    ind.explanation, ind.basis = "年度计划排查的金属非金属矿山数量。", "plan"


def test_an_approved_evaluation_adds_its_indicators_once(world):
    org, plan = world
    before = library_count(plan, category="inspection")
    first = plans.add_project(plan, "矿山检查项目", org.section_a.id, org.office, category="inspection").evaluation
    approve_with(first, org, _mines)
    grown = db.session.scalars(select(LibraryIndicator).where(
        LibraryIndicator.plan_id == plan.id, LibraryIndicator.category == "inspection")).all()
    # Only the indicator of its own: the framework's placeholders add nothing.
    assert library_count(plan, category="inspection") == before + 1
    entry = grown[-1]
    assert (entry.level1, entry.level2, entry.name, entry.nature, entry.unit, entry.target, entry.basis,
            entry.explanation, entry.source) == ("产出指标", "数量指标", "检查矿山数量", ">=", "个", D("286"),
                                                 "plan", "年度计划排查的金属非金属矿山数量。", "approved")
    # A second project of the kind starts from it, and its approval adds no duplicate.
    second = plans.add_project(plan, "矿山复查项目", org.section_a.id, org.office, category="inspection").evaluation
    assert "检查矿山数量" in [i.name for i in second.indicators]
    approve_with(second, org)
    assert library_count(plan, category="inspection") == before + 1
    # Other categories are untouched; a project without a category adds nothing.
    assert library_count(plan, category="training") == len(TRAINING)
    third = make_project(plan, "无类别项目", org.section_a, org.office).evaluation
    approve_with(third, org, _mines)
    assert library_count(plan) == len(TRAINING) + 1


def test_a_retired_entry_is_not_added_back(world):
    org, plan = world
    retired = library.add_entry(plan, EntryData("inspection", "产出指标", "数量指标", "检查矿山数量", ">=", "个"))
    library.set_retired(retired, True)
    evaluation = plans.add_project(plan, "矿山检查项目", org.section_a.id, org.office, category="inspection").evaluation
    approve_with(evaluation, org, _mines)
    assert library_count(plan, category="inspection") == 1
    assert db.session.get(LibraryIndicator, retired.id).retired


# Carried to the next year --------------------------------------------------------------


def test_copy_plan_carries_the_library(world):
    org, plan = world
    retired = library.add_entry(plan, EntryData("meeting", "产出指标", "数量指标", "会议次数", ">=", "次", "", "", "4"))
    library.set_retired(retired, True)
    copy = plans.copy_plan(plan)
    old = [(e.category, e.level1, e.level2, e.name, e.nature, e.unit, e.target, e.basis, e.retired)
           for e in library.entries(plan)]
    new = [(e.category, e.level1, e.level2, e.name, e.nature, e.unit, e.target, e.basis, e.retired)
           for e in library.entries(copy)]
    assert new == old and len(new) == len(TRAINING) + 1
    assert {e.plan_id for e in library.entries(copy)} == {copy.id}
    # Next year's projects start from it; this year's library is its own.
    evaluation = plans.add_project(copy, "培训项目", org.section_a.id, org.office, category="training").evaluation
    assert "培训人次" in [i.name for i in evaluation.indicators]
    library.update_entry(library.entries(copy, "training")[0],
                         EntryData("training", "产出指标", "数量指标", "培训人数", ">=", "人"))
    assert library.entries(plan, "training")[0].name == "培训人次"


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("data, message", [
    (EntryData("nonsense", "产出指标", "", "甲", ">=", "个"), "请选择项目类别"),
    (EntryData("training", "", "", "甲", ">=", "个"), "一级指标不能为空"),
    (EntryData("training", "产出指标", "", "", ">=", "个"), "三级指标不能为空"),
    (EntryData("training", "产出指标", "", "甲", "大于", "个"), "请选择指标性质"),
    (EntryData("training", "产出指标", "", "甲", ">=", ""), "定量指标须填写度量单位"),
    (EntryData("training", "产出指标", "", "甲", ">=", "个", "", "guess"), "目标值依据无效"),
    (EntryData("training", "产出指标", "", "甲", ">=", "个", "", "", "abc"), "常用指标值"),
    (EntryData("training", "产出指标", "", "甲", ">=", "个", "", "", "-1"), "常用指标值"),
    (EntryData("training", "产出指标", "", "甲" * 101, ">=", "个"), "指标名称过长"),
])
def test_bad_entries_are_refused(world, data, message):
    _org, plan = world
    before = library_count(plan)
    with pytest.raises(ServiceError, match=message) as refused:
        library.add_entry(plan, data)
    assert refused.value.code == "invalid"
    assert library_count(plan) == before


def test_a_duplicate_entry_is_refused(world):
    _org, plan = world
    with pytest.raises(ServiceError) as refused:
        library.add_entry(plan, TRAINING[0])
    assert refused.value.code == "duplicate"
    with pytest.raises(ServiceError, match="未知的项目类别"):
        plans.add_project(plan, "项目", world[0].section_a.id, world[0].office, category="培训")
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


# 指标解释 and 目标值依据 in the 自评表 ----------------------------------------------------


def test_explanation_and_basis_are_saved_with_the_target(world):
    org, plan = world
    evaluation = make_project(plan, "应急物资储备项目", org.section_a, org.office).evaluation
    ind = evaluation.indicators[1]
    edit = EvaluationEdit(indicators=[IndicatorEdit(id=ind.id, explanation="储备物资的种类数。", basis="history")])
    selfeval.save(evaluation.id, org.staff_a, edit)
    assert (ind.explanation, ind.basis) == ("储备物资的种类数。", "history")
    with pytest.raises(ServiceError, match="目标值依据无效"):
        selfeval.save(evaluation.id, org.staff_a, EvaluationEdit(indicators=[IndicatorEdit(id=ind.id, basis="x")]))
    assert db.session.get(Indicator, ind.id).basis == "history"


# Pages -----------------------------------------------------------------------------------


def entry_form(**values):
    form = {"category": "training", "level1": "产出指标", "level2": "数量指标", "name": "培训期数",
            "nature": ">=", "unit": "期", "target": "6", "basis": "plan", "explanation": "年度举办的培训期数。"}
    form.update(values)
    return form


def test_the_office_keeps_the_library_on_its_pages(world, client):
    org, plan = world
    login(client, org.office.username)
    page = client.get(f"/library/plans/{plan.id}?category=training")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "培训人次" in text and "计划标准" in text and "不在指标体系内" in text and 'data-testid="add-entry"' in text
    added = post(client, f"/library/plans/{plan.id}/entries", entry_form())
    assert added.status_code == 302
    entry = db.session.scalar(select(LibraryIndicator).where(LibraryIndicator.name == "培训期数"))
    assert (entry.unit, entry.target, entry.basis) == ("期", D("6"), "plan")
    bad = post(client, f"/library/plans/{plan.id}/entries", entry_form(name="另一项", nature="", target="x"))
    assert bad.status_code == 422
    assert "请选择指标性质" in bad.get_data(as_text=True)
    assert library_count(plan) == len(TRAINING) + 1
    duplicate = post(client, f"/library/plans/{plan.id}/entries", entry_form())
    assert duplicate.status_code == 409 and "已有" in duplicate.get_data(as_text=True)
    edit_page = client.get(f"/library/entries/{entry.id}/edit")
    assert edit_page.status_code == 200 and 'value="6"' in edit_page.get_data(as_text=True)
    saved = post(client, f"/library/entries/{entry.id}/edit", entry_form(target="8"))
    db.session.expire_all()
    assert saved.status_code == 302 and db.session.get(LibraryIndicator, entry.id).target == D("8")
    refused = post(client, f"/library/entries/{entry.id}/edit", entry_form(category="x"))
    db.session.expire_all()
    assert refused.status_code == 422 and db.session.get(LibraryIndicator, entry.id).category == "training"
    assert post(client, f"/library/entries/{entry.id}/retire", {"retired": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(LibraryIndicator, entry.id).retired
    assert post(client, f"/library/entries/{entry.id}/retire", {"retired": "no"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(LibraryIndicator, entry.id).retired
    assert client.get("/library/entries/999999/edit").status_code == 404
    no_csrf = client.post(f"/library/plans/{plan.id}/entries", data=entry_form(name="无令牌"))
    assert no_csrf.status_code == 400 and library_count(plan, name="无令牌") == 0


def test_a_section_may_read_but_not_edit_the_library(world, client):
    org, plan = world
    entry = library.entries(plan, "training")[0]
    login(client, org.staff_a.username)
    page = client.get(f"/library/plans/{plan.id}")
    assert page.status_code == 200 and 'data-testid="add-entry"' not in page.get_data(as_text=True)
    assert post(client, f"/library/plans/{plan.id}/entries", entry_form()).status_code == 403
    assert post(client, f"/library/entries/{entry.id}/edit", entry_form(name="改名")).status_code == 403
    assert post(client, f"/library/entries/{entry.id}/retire", {"retired": "yes"}).status_code == 403
    assert client.get(f"/library/entries/{entry.id}/edit").status_code == 403
    db.session.refresh(entry)
    assert entry.name == "培训人次" and not entry.retired
    assert library_count(plan) == len(TRAINING)


def test_the_project_form_sets_the_category(world, client):
    org, plan = world
    login(client, org.office.username)
    detail = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'name="category"' in detail and "检查整治类" in detail
    response = post(client, f"/plans/{plan.id}/projects",
                    {"name": "培训项目", "section_id": org.section_a.id, "category": "training"})
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.name == "培训项目"))
    assert project.category == "training" and "培训人次" in [i.name for i in project.evaluation.indicators]
    assert 'data-testid="category">培训类</span>' in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    bad = post(client, f"/plans/{plan.id}/projects", {"name": "坏类别", "section_id": org.section_a.id,
                                                      "category": "nonsense"})
    assert bad.status_code == 422 and "未知的项目类别" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Project).where(Project.name == "坏类别")) is None
    edited = post(client, f"/plans/projects/{project.id}/edit",
                  {"name": "培训项目", "section_id": org.section_a.id, "category": "meeting"})
    db.session.expire_all()
    assert edited.status_code == 302 and db.session.get(Project, project.id).category == "meeting"


def test_the_form_shows_and_saves_the_fields_and_adds_from_the_library(world, client):
    org, plan = world
    evaluation = plans.add_project(plan, "培训项目", org.section_a.id, org.office, category="training").evaluation
    trained = next(i for i in evaluation.indicators if i.name == "培训人次")
    later = library.add_entry(plan, EntryData("training", "产出指标", "时效指标", "培训按期完成率", ">=", "%"))
    login(client, org.staff_a.username)
    page = client.get(f"/evaluations/{evaluation.id}/form").get_data(as_text=True)
    assert f'name="ind-{trained.id}-basis"' in page and f'name="ind-{trained.id}-explanation"' in page
    assert "年度实际参加培训的人次。" in page and '<option value="plan" selected>' in page
    assert 'data-testid="from-library"' in page and f'value="{later.id}"' in page
    saved = post(client, f"/evaluations/{evaluation.id}/form",
                 {"version": evaluation.version, f"ind-{trained.id}-basis": "industry",
                  f"ind-{trained.id}-explanation": "参训人次（含线上）。"})
    assert saved.status_code == 302
    db.session.refresh(trained)
    assert (trained.basis, trained.explanation) == ("industry", "参训人次（含线上）。")
    db.session.refresh(evaluation)
    bad = post(client, f"/evaluations/{evaluation.id}/form",
               {"version": evaluation.version, f"ind-{trained.id}-basis": "guess"})
    assert bad.status_code == 422 and "目标值依据无效" in bad.get_data(as_text=True)
    added = post(client, f"/library/evaluations/{evaluation.id}/add", {"entry": str(later.id)})
    assert added.status_code == 302
    db.session.expire_all()
    assert "培训按期完成率" in [i.name for i in db.session.get(type(evaluation), evaluation.id).indicators]
    again = post(client, f"/library/evaluations/{evaluation.id}/add", {"entry": str(later.id)})
    assert again.status_code == 409 and "已在自评表中" in again.get_data(as_text=True)
    nothing = post(client, f"/library/evaluations/{evaluation.id}/add", {})
    assert nothing.status_code == 422 and "请从本项目类别的指标库中选择指标" in nothing.get_data(as_text=True)


def test_another_section_cannot_add_from_the_library(world, client):
    org, plan = world
    evaluation = plans.add_project(plan, "培训项目", org.section_a.id, org.office, category="training").evaluation
    entry = library.entries(plan, "training")[0]
    count = len(evaluation.indicators)
    login(client, org.staff_b.username)
    response = post(client, f"/library/evaluations/{evaluation.id}/add", {"entry": str(entry.id)})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert len(db.session.get(type(evaluation), evaluation.id).indicators) == count


def test_the_import_template_takes_categories(world, client):
    from tests.test_excel import send, upload_file

    org, plan = world
    login(client, org.office.username)
    template = client.get(f"/excel/plans/{plan.id}/projects-template.xlsx").data
    sheet = load_workbook(io.BytesIO(template))["项目"]
    assert sheet.cell(row=2, column=10).value == "项目类别"
    bad = send(client, plan, upload_file(template, [["坏项目", org.section_a.name] + [None] * 7 + ["培训"]]))
    assert bad.status_code == 422 and "未知的项目类别“培训”" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    good = send(client, plan, upload_file(template, [["培训项目", org.section_a.name] + [None] * 7 + ["培训类"],
                                                     ["其他项目", org.section_a.name]]))
    assert good.status_code in (200, 302), good.get_data(as_text=True)[:300]
    projects = {p.name: p for p in db.session.scalars(select(Project))}
    assert projects["培训项目"].category == "training" and projects["其他项目"].category is None
    assert "培训人次" in [i.name for i in projects["培训项目"].evaluation.indicators]


def test_the_api_creates_projects_with_a_category(world, app):
    org, plan = world
    office = ApiClient(app, org.office)
    created = office.post(f"/api/v1/plans/{plan.id}/projects",
                          json={"name": "培训项目", "section_id": org.section_a.id, "category": "training"})
    assert created.status_code == 201 and created.get_json()["category"] == "training"
    assert_error(office.post(f"/api/v1/plans/{plan.id}/projects",
                             json={"name": "坏项目", "section_id": org.section_a.id, "category": "培训"}), 422, "invalid")
    project_id = created.get_json()["id"]
    changed = office.patch(f"/api/v1/projects/{project_id}", json={"category": "meeting"})
    assert changed.status_code == 200 and changed.get_json()["category"] == "meeting"


def test_the_excel_self_evaluation_form_notes_explanation_and_basis(world, client):
    org, plan = world
    evaluation = plans.add_project(plan, "培训项目", org.section_a.id, org.office, category="training").evaluation
    login(client, org.office.username)
    response = client.get(f"/excel/evaluations/{evaluation.id}/self-evaluation.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "培训人次")
    assert "年度实际参加培训的人次。" in cell.comment.text and "计划标准" in cell.comment.text


def test_the_demo_has_a_starting_library_and_the_seed_mine_is_an_inspection_project(app):
    result = app.test_cli_runner().invoke(args=["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    from workflow import demo
    from workflow.models import Plan

    plan = db.session.scalar(select(Plan).where(Plan.title == demo.PLAN_TITLE))
    counts = library.counts(plan)
    assert all(counts[kind] >= 3 for kind in ("training", "meeting", "purchase", "service", "inspection"))
    mines = next(e for e in library.entries(plan, "inspection") if e.name == "检查矿山数量")
    assert (mines.nature, mines.target, mines.unit, mines.basis) == (">=", D("286"), "个", "plan")
    projects = {p.name: p for p in db.session.scalars(select(Project).where(Project.plan_id == plan.id))}
    mine = projects["2019年度金属非金属矿山“专家会诊”隐患排查项目"]
    assert mine.category == "inspection" and mine.evaluation.total_score == D("99.70")
    library_names = {e.name for e in library.entries(plan, "inspection")}
    assert {"在产矿山排查完成率", "单座矿山排查成本", "排查整治事故隐患数量"} <= library_names
    assert {"在产矿山排查完成率", "单座矿山排查成本", "排查整治事故隐患数量"} <= {i.name for i in mine.evaluation.indicators}
    training = projects["森林草原防灭火宣传培训项目"].evaluation
    assert training.state == "preparing" and "培训人次" in [i.name for i in training.indicators]
    assert sum(i.weight for i in training.indicators) == D("100")
