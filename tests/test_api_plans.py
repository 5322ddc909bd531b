"""The office sets up a plan through /api/v1 exactly as on the pages: plans, stages, working
group, framework, projects, the Excel import, opening self-evaluation and days off; every other
role is refused, bad values answer 422 in Chinese with nothing changed, duplicates 409."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.api_helpers import ApiClient, assert_error
from tests.factories import make_project, make_setup, make_user, walk_to
from tests.test_meetings import bj
from workflow import clock
from workflow.extensions import db
from workflow.models import OfficeDayOff, Plan, Project
from workflow.roles import Role

ROLES = ("office", "leader", "reviewer", "staff_a", "finance", "admin")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app):
    org, plan = make_setup()
    project = make_project(plan, "应急物资储备项目", org.section_a, org.office)
    api = {name: ApiClient(app, getattr(org, name)) for name in ROLES}
    return org, plan, project, api


def filled(template, rows):
    wb = load_workbook(io.BytesIO(template))
    ws = wb["项目"]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            ws.cell(row=3 + offset, column=column, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, plan_id, data):
    return client.client.post(f"/api/v1/plans/{plan_id}/import", headers=client.headers,
                              data={"file": (io.BytesIO(data), "项目.xlsx")}, content_type="multipart/form-data")


def test_only_the_office_may_change_plans(world):
    org, plan, project, api = world
    p, pr = plan.id, project.id
    calls = [
        ("POST", "/api/v1/plans", {"title": "新方案", "budget_year": 2020, "run_year": 2021}),
        ("PATCH", f"/api/v1/plans/{p}", {"title": "改名"}),
        ("POST", f"/api/v1/plans/{p}/copy", {"run_year": 2021}),
        ("PUT", f"/api/v1/plans/{p}/stages", {"stages": [{"kind": "prepare", "name": "准备", "start_date": None,
                                                           "due_date": None}]}),
        ("PUT", f"/api/v1/plans/{p}/group", {"leader_id": None}),
        ("GET", f"/api/v1/plans/{p}/framework", None),
        ("PUT", f"/api/v1/plans/{p}/framework", {"indicators": [{"level1": "产出", "weight": "100"}]}),
        ("POST", f"/api/v1/plans/{p}/framework/reset", {"template": "key"}),
        ("POST", f"/api/v1/plans/{p}/projects", {"name": "新项目", "section_id": org.section_a.id}),
        ("PATCH", f"/api/v1/projects/{pr}", {"name": "改名项目"}),
        ("POST", f"/api/v1/plans/{p}/open-self-evaluation", None),
        ("GET", f"/api/v1/plans/{p}/import-template.xlsx", None),
        ("GET", "/api/v1/days-off", None),
        ("POST", "/api/v1/days-off", {"day": "2020-10-12"}),
        ("DELETE", "/api/v1/days-off/2020-10-12", None),
    ]
    before = (count(Plan), count(Project), plan.title, project.name, plan.framework)
    for name in ("leader", "reviewer", "staff_a", "finance", "admin"):
        for method, url, body in calls:
            assert_error(api[name]._call(method, url, json=body), 403, "forbidden")
        response = upload(api[name], p, b"PK")
        assert_error(response, 403, "forbidden")
    db.session.expire_all()
    assert (count(Plan), count(Project), plan.title, project.name, plan.framework) == before
    assert project.evaluation.state == "preparing" and count(OfficeDayOff) == 0
    # Reading the group is for the plan's readers; the library for those who set targets.
    assert api["finance"].get(f"/api/v1/plans/{p}/group").status_code == 200
    assert_error(api["admin"].get(f"/api/v1/plans/{p}/group"), 403, "forbidden")
    assert api["staff_a"].get("/api/v1/indicator-library?q=率").status_code == 200
    assert_error(api["finance"].get("/api/v1/indicator-library"), 403, "forbidden")


def test_plans_are_created_changed_and_copied(world):
    org, plan, project, api = world
    office = api["office"]
    made = office.post("/api/v1/plans", json={"title": "2021年方案", "budget_year": 2020, "run_year": 2021,
                                              "basis_documents": ["文件一"], "review_rule": "quorum"})
    assert made.status_code == 201, made.get_json()
    data = made.get_json()
    assert [s["kind"] for s in data["stages"]] == ["prepare", "self_evaluate", "review", "report", "apply"]
    assert data["review_rule"] == "quorum" and data["basis_documents"] == ["文件一"]
    changed = office.patch(f"/api/v1/plans/{data['id']}", json={"method": "定性与定量相结合"}).get_json()
    assert changed["method"] == "定性与定量相结合" and changed["title"] == "2021年方案"
    copied = office.post(f"/api/v1/plans/{plan.id}/copy", json={"run_year": plan.run_year + 1})
    assert copied.status_code == 201 and copied.get_json()["run_year"] == plan.run_year + 1
    assert len(copied.get_json()["group"]) == 3
    assert_error(office.post(f"/api/v1/plans/{plan.id}/copy", json={"run_year": plan.run_year + 1}), 409, "duplicate")
    plans_before = count(Plan)
    for body in ({"title": "x" * 201, "budget_year": 2020, "run_year": 2021},
                 {"title": "方案", "budget_year": 2021, "run_year": 2020},
                 {"title": "方案", "budget_year": 2020, "run_year": 2021, "review_rule": "most"},
                 {"title": "方\x00案", "budget_year": 2020, "run_year": 2021},
                 {"title": "方案", "budget_year": "2020", "run_year": 2021}):
        assert_error(office.post("/api/v1/plans", json=body), 422, "invalid")
    assert_error(office.patch(f"/api/v1/plans/{plan.id}", json={"run_year": 1999}), 422, "invalid")
    assert count(Plan) == plans_before
    # The object before the body: an unknown plan is 404 whatever the body.
    assert_error(office.patch("/api/v1/plans/999999", json={"run_year": "x"}), 404, "not_found")


def test_stages_and_group(world):
    org, plan, project, api = world
    office = api["office"]
    stages = office.put(f"/api/v1/plans/{plan.id}/stages", json={"stages": [
        {"kind": "prepare", "name": "准备阶段", "start_date": "2020-06-01", "due_date": "2020-06-28"}]})
    assert stages.status_code == 200, stages.get_json()
    assert stages.get_json()[0]["due_date"] == "2020-06-28"
    for body in ({"stages": [{"kind": "prepare", "name": "准备", "start_date": "2020-07-01", "due_date": "2020-06-01"}]},
                 {"stages": [{"kind": "later", "name": "准备", "start_date": None, "due_date": None}]},
                 {"stages": [{"kind": "prepare", "name": "a", "start_date": None, "due_date": None}] * 2}):
        assert_error(office.put(f"/api/v1/plans/{plan.id}/stages", json=body), 422, "invalid")
    assert office.get(f"/api/v1/plans/{plan.id}/stages").get_json()[0]["due_date"] == "2020-06-28"
    group = office.put(f"/api/v1/plans/{plan.id}/group", json={
        "leader_id": org.leader.id, "deputy_ids": [org.reviewer.id], "member_ids": [org.staff_a.id]})
    assert group.status_code == 200
    assert [(m["user_id"], m["group_role"]) for m in office.get(f"/api/v1/plans/{plan.id}/group").get_json()] == [
        (org.leader.id, "leader"), (org.reviewer.id, "deputy"), (org.staff_a.id, "member")]
    gone = make_user("gone", [Role.REVIEWER], org.section_b, full_name="已停用")
    gone.active = False
    db.session.commit()
    for body in ({"leader_id": org.leader.id, "deputy_ids": [org.leader.id]},
                 {"leader_id": gone.id}, {"leader_id": 999999}):
        assert_error(office.put(f"/api/v1/plans/{plan.id}/group", json=body), 422, "invalid")
    assert len(office.get(f"/api/v1/plans/{plan.id}/group").get_json()) == 3


def test_framework_and_library(world):
    org, plan, project, api = world
    office = api["office"]
    read = office.get(f"/api/v1/plans/{plan.id}/framework").get_json()
    assert read["template"] == "self" and {t["key"] for t in read["templates"]} == {"self", "key"}
    reset = office.post(f"/api/v1/plans/{plan.id}/framework/reset", json={"template": "key"}).get_json()
    assert reset["template"] == "key" and reset["refreshed"] == 1
    assert set(reset["totals"]) >= {"决策", "过程"}
    rows = [{"level1": "产出", "level2": "数量", "name": "完成率", "weight": "60"},
            {"level1": "效益", "level2": "社会", "name": "满意度", "weight": "40"}]
    put = office.put(f"/api/v1/plans/{plan.id}/framework", json={"indicators": rows}).get_json()
    assert [r["weight"] for r in put["indicators"]] == ["60.00", "40.00"]
    for body in ({"indicators": [dict(rows[0], weight="50")]}, {"indicators": [dict(rows[0], level1="x" * 33)]},
                 {"indicators": []}, {"indicators": [dict(rows[0], weight="abc")]}):
        assert_error(office.put(f"/api/v1/plans/{plan.id}/framework", json=body), 422, "invalid")
    assert_error(office.post(f"/api/v1/plans/{plan.id}/framework/reset", json={"template": "x"}), 422, "invalid")
    assert len(office.get(f"/api/v1/plans/{plan.id}/framework").get_json()["indicators"]) == 2
    names = [i["name"] for i in office.get("/api/v1/indicator-library?q=满意").get_json()]
    assert names == ["满意度"]
    assert_error(office.get("/api/v1/indicator-library?q=" + "x" * 51), 422, "invalid")


def test_projects_added_and_changed(world):
    org, plan, project, api = world
    office = api["office"]
    added = office.post(f"/api/v1/plans/{plan.id}/projects", json={"name": "危化品监管项目", "section_id": org.section_b.id})
    assert added.status_code == 201 and added.get_json()["state"] == "preparing"
    assert_error(office.post(f"/api/v1/plans/{plan.id}/projects",
                             json={"name": "危化品监管项目", "section_id": org.section_b.id}), 409, "duplicate")
    assert_error(office.post(f"/api/v1/plans/{plan.id}/projects", json={"name": "新", "section_id": 999999}), 422, "invalid")
    changed = office.patch(f"/api/v1/projects/{project.id}", json={"leader_name": "王建华"}).get_json()
    assert changed["leader_name"] == "王建华" and changed["name"] == "应急物资储备项目"
    assert_error(office.patch(f"/api/v1/projects/{project.id}", json={"name": "危化品监管项目"}), 409, "duplicate")
    assert_error(office.patch(f"/api/v1/projects/{project.id}", json={"leader_name": "x" * 65}), 422, "invalid")
    walk_to(project.evaluation, "submitted", org)
    assert_error(office.patch(f"/api/v1/projects/{project.id}", json={"section_id": org.section_b.id}), 403, "refused")
    db.session.expire_all()
    assert project.section_id == org.section_a.id and project.name == "应急物资储备项目"


def test_the_import_with_a_good_and_a_bad_file(world):
    org, plan, project, api = world
    office = api["office"]
    template = office.get(f"/api/v1/plans/{plan.id}/import-template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    good = filled(template.data, [("矿山专家会诊项目", org.section_a.name, "王建华", 206.632, 206.632, 206.632),
                                  ("危化品监测项目", org.section_b.name)])
    answer = upload(office, plan.id, good)
    assert answer.status_code == 201, answer.get_json()
    assert {p["name"] for p in answer.get_json()} == {"矿山专家会诊项目", "危化品监测项目"}
    before = count(Project)
    bad = filled(template.data, [("", org.section_a.name), ("新项目", "没有的科室"), ("矿山专家会诊项目", org.section_a.name)])
    error = assert_error(upload(office, plan.id, bad), 422, "invalid")
    assert set(error["details"]) == {"row 3", "row 4", "row 5"}
    assert assert_error(upload(office, plan.id, b"not a workbook"), 422, "invalid")["details"].keys() == {"file"}
    missing = office.client.post(f"/api/v1/plans/{plan.id}/import", headers=office.headers, data={},
                                 content_type="multipart/form-data")
    assert "file" in assert_error(missing, 422, "invalid")["details"]
    assert count(Project) == before


def test_days_off(world):
    org, plan, project, api = world
    clock.freeze(bj(10, 1, 9))
    office = api["office"]
    added = office.post("/api/v1/days-off", json={"day": "2020-10-12", "note": "临时闭馆"})
    assert added.status_code == 201 and added.get_json() == {"day": "2020-10-12", "note": "临时闭馆"}
    assert office.get("/api/v1/days-off").get_json() == [{"day": "2020-10-12", "note": "临时闭馆"}]
    assert_error(office.post("/api/v1/days-off", json={"day": "2020-10-12"}), 409, "duplicate")
    assert_error(office.post("/api/v1/days-off", json={"day": "2020-10-17"}), 422, "invalid")  # a Saturday
    assert_error(office.post("/api/v1/days-off", json={"day": "2020-10-13", "note": "x" * 101}), 422, "invalid")
    assert count(OfficeDayOff) == 1
    assert office.client.delete("/api/v1/days-off/2020-10-12", headers=office.headers).status_code == 204
    assert_error(office.client.delete("/api/v1/days-off/2020-10-12", headers=office.headers), 404, "not_found")
    assert count(OfficeDayOff) == 0
