"""The seed's year 2020 through /api/v1 alone, as another system would run it: from an empty
plan (the organisation is the administrator's, made by factories) to the finance bureau's
package ZIP — the plan, its stages, group, framework and projects, the training meeting with
its notice, replies and sign-ins, both self-evaluations, the reviewer's catch of the seed's
206.4万元, the return and the correction, approval, the submission and the package. Not one
request of the whole year goes to a page."""
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from flask import request, request_started
from openpyxl import load_workbook
from sqlalchemy import select

from tests.api_helpers import ApiClient
from tests.e2e_year import at, make_organisation
from tests.test_api_meetings_review import PDF
from tests.test_api_plans import filled, upload
from workflow import demo
from workflow import demo_content as dc
from workflow.extensions import db
from workflow.meetings import demo as meeting_demo
from workflow.models import User
from workflow.roles import Role

MINE, MINE_SECTION = demo.PROJECTS[0][:2]
LATE_PROJECT, LATE_SECTION = demo.PROJECTS[1][:2]
LATE_BUDGET, LATE_EXECUTED = demo.PROJECTS[1][2]
LATECOMER = meeting_demo.PARTICIPANTS[-1]
SEED_SLIP, CORRECTED = "206.4万元", "206.632万元"


def actor(project, trigger):
    return next(login for done, login, _comment in project[3] if done == trigger)


OFFICE = actor(demo.PROJECTS[0], "open_self_evaluation")
MINE_STAFF = actor(demo.PROJECTS[0], "submit")
LATE_STAFF = actor(demo.PROJECTS[1], "submit")
REVIEWER = actor(demo.PROJECTS[1], "pass_review")
LEADER = demo.GROUP["leader"][0]
FINANCE = next(login for login, *_rest, roles, _part in demo.PEOPLE if roles == {Role.FINANCE})


@pytest.fixture
def page_requests(app):
    """The path of every request the app serves during the test."""
    paths = []

    def record(_sender, **_extra):
        paths.append(request.path)

    request_started.connect(record, app)
    yield paths
    request_started.disconnect(record, app)


def test_the_seed_year_through_the_api_alone(app, page_requests):
    people = make_organisation()
    users = {u.username: u for u in db.session.scalars(select(User))}
    api = {login: ApiClient(app, users[login]) for login in people}
    at(5, 20)
    plan_id = set_up_the_plan(api, users)
    training_meeting(api, people, users, plan_id)
    mine, late = self_evaluation(api, plan_id)
    frozen = review_and_approval(api, mine, late)
    report_to_the_finance_bureau(api, plan_id, mine, late, frozen)

    assert len(page_requests) > 50  # the year: about 80 calls
    assert all(path.startswith("/api/v1/") for path in page_requests), sorted(
        {p for p in page_requests if not p.startswith("/api/v1/")})


# 准备阶段 ---------------------------------------------------------------------------------


def set_up_the_plan(api, users):
    office = api[OFFICE]
    plan = office.post("/api/v1/plans", json={
        "title": demo.PLAN_TITLE, "budget_year": 2019, "run_year": 2020, "basis_documents": demo.BASIS_DOCUMENTS,
        "principles": demo.PRINCIPLES, "method": demo.METHOD, "requirements": demo.REQUIREMENTS})
    assert plan.status_code == 201, plan.get_json()
    plan = plan.get_json()
    p = plan["id"]
    stages = [{k: s[k] for k in ("kind", "name", "start_date", "due_date")} for s in plan["stages"]]
    assert office.put(f"/api/v1/plans/{p}/stages", json={"stages": stages}).status_code == 200
    group = {"leader_id": users[LEADER].id,
             "deputy_ids": [users[u].id for u in demo.GROUP["deputy"]],
             "member_ids": [users[u].id for u in demo.GROUP["member"]]}
    assert office.put(f"/api/v1/plans/{p}/group", json=group).status_code == 200
    rows = office.post(f"/api/v1/plans/{p}/framework/reset", json={"template": "key"}).get_json()["indicators"]
    indicators = [{"level1": r["level1"], "level2": r["level2"], "name": r["name"],
                   "weight": str(dc.PLAN_WEIGHT_CHANGES.get(r["name"], r["weight"]))} for r in rows]
    assert office.put(f"/api/v1/plans/{p}/framework", json={"indicators": indicators}).status_code == 200
    template = office.get(f"/api/v1/plans/{p}/import-template.xlsx").data
    data = filled(template, [(name, section) for name, section, _c, _s in demo.PROJECTS])
    assert upload(office, p, data).status_code == 201
    # Everything is there, read back.
    detail = office.get(f"/api/v1/plans/{p}").get_json()
    assert detail["title"] == demo.PLAN_TITLE and detail["basis_documents"] == demo.BASIS_DOCUMENTS
    assert [s["due_date"] for s in detail["stages"]] == [s["due_date"] for s in stages]
    assert sorted(m["user_id"] for m in detail["group"]) == sorted(
        [group["leader_id"], *group["deputy_ids"], *group["member_ids"]])
    framework = office.get(f"/api/v1/plans/{p}/framework").get_json()
    assert framework["template"] == "key"
    assert {r["name"]: r["weight"] for r in framework["indicators"]}["预算执行率"] == "1.00"
    projects = office.get(f"/api/v1/plans/{p}/projects").get_json()
    assert sorted((x["name"], x["section"], x["state"]) for x in projects) == sorted(
        (name, section, "preparing") for name, section, _c, _s in demo.PROJECTS)
    # Everyone else only reads the plan.
    assert api[MINE_STAFF].put(f"/api/v1/plans/{p}/stages", json={"stages": stages}).status_code == 403
    return p


# The training meeting (培训会) -----------------------------------------------------------------


def training_meeting(api, people, users, plan_id):
    at(6, 15, 10, 0)
    office = api[OFFICE]
    created = office.post("/api/v1/meetings", {
        "plan_id": plan_id, "title": meeting_demo.TITLE, "kind": "training",
        "starts_at": f"{meeting_demo.DAY.isoformat()}T09:00:00+08:00",
        "ends_at": f"{meeting_demo.DAY.isoformat()}T11:30:00+08:00",
        "place": meeting_demo.PLACE, "addressee": meeting_demo.ADDRESSEE, "purpose": meeting_demo.PURPOSE,
        "issuer": meeting_demo.ISSUER, "issued_on": meeting_demo.ISSUED_ON.isoformat(), "reply_by": "2020-06-18"})
    assert created.status_code == 201, created.get_json()
    url = f"/api/v1/meetings/{created.get_json()['id']}"
    ids = [users[login].id for login in meeting_demo.PARTICIPANTS]
    added = office.post(f"{url}/invitees", {"user_ids": ids}).get_json()
    assert added["added"] == len(meeting_demo.PARTICIPANTS)
    assert office.post(f"{url}/publish").status_code == 200

    at(6, 16, 14, 0)
    for login in meeting_demo.PARTICIPANTS:
        name, section = people[login]
        reply = api[login].put(f"{url}/registration", {"attending": True, "name": name, "unit": section or "",
                                                      "phone": "0314-2020620"})
        assert reply.status_code == 200, reply.get_json()
    replies = office.get(f"{url}/registrations").get_json()
    assert sorted(r["name"] for r in replies if r["response"] == "attend") == sorted(
        people[login][0] for login in meeting_demo.PARTICIPANTS)
    notice = office.get(f"{url}/notice.docx")
    assert notice.status_code == 200 and notice.data[:2] == b"PK"

    # The meeting day: the projector's code, scanned by everyone; 朱丽丽 comes at 9:10.
    at(6, 20, 8, 45)
    code = office.get(f"{url}/signin-code").get_json()
    assert code["window"] == "open" and code["url"].endswith(code["token"])
    for login in meeting_demo.PARTICIPANTS[:-1]:
        signed = api[login].post(f"{url}/signins", {"token": code["token"]})
        assert signed.status_code == 200 and signed.get_json()["signin"]["late"] is False, signed.get_json()
    at(6, 20, 9, 10)
    code = office.get(f"{url}/signin-code").get_json()
    late = api[LATECOMER].post(f"{url}/signins", {"token": code["token"]}).get_json()
    assert late["created"] is True and late["signin"]["late"] is True
    attendance = office.get(f"{url}/signins").get_json()
    assert len(attendance["signins"]) == len(meeting_demo.PARTICIPANTS)
    sheet = load_workbook(io.BytesIO(office.get(f"{url}/signin-sheet.xlsx").data)).active
    written = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert {people[login][0] for login in meeting_demo.PARTICIPANTS} <= written


# 自评阶段 -----------------------------------------------------------------------------------


def self_evaluation(api, plan_id):
    at(7, 2, 9, 0)
    opened = api[OFFICE].post(f"/api/v1/plans/{plan_id}/open-self-evaluation").get_json()
    assert len(opened["opened"]) == len(demo.PROJECTS) and opened["refused"] == []
    again = api[OFFICE].post(f"/api/v1/plans/{plan_id}/open-self-evaluation").get_json()
    assert again == {"opened": [], "refused": []}
    projects = {x["name"]: x for x in api[OFFICE].get(f"/api/v1/plans/{plan_id}/projects").get_json()}

    at(7, 20, 10, 0)
    mine = projects[MINE]["evaluation_id"]
    tasks = api[MINE_STAFF].get("/api/v1/tasks").get_json()
    assert any(t.get("evaluation_id") == mine for t in _items(tasks)), tasks
    saved = fill(api[MINE_STAFF], mine, dc.MINE_BUDGET, dc.MINE_EXECUTED, dc.MINE_INDICATORS, dc.MINE_NAMES,
                 dc.MINE_TEXT, dc.MINE_LEADER, dc.MINE_TARGET, dc.MINE_ACHIEVEMENT)
    assert (saved["total_score"], saved["grade"], saved["problems"]) == ("99.70", "excellent", [])
    evidence = api[MINE_STAFF].upload(f"/api/v1/evaluations/{mine}/evidence", PDF, "排查报告.pdf")
    assert evidence.status_code == 201, evidence.get_json()
    fire(api[MINE_STAFF], mine, "submit", "submitted")

    at(8, 3, 9, 0)
    late = projects[LATE_PROJECT]["evaluation_id"]
    saved = fill(api[LATE_STAFF], late, LATE_BUDGET, LATE_EXECUTED, dc.generic_indicators(), {},
                 dc.generic_texts(LATE_PROJECT), "", dc.GENERIC_TARGET, dc.GENERIC_ACHIEVEMENT)
    assert (saved["total_score"], saved["grade"]) == ("99.97", "excellent")
    fire(api[LATE_STAFF], late, "submit", "submitted")
    return mine, late


def _items(listing):
    return listing["items"] if isinstance(listing, dict) else listing


def fill(client, evaluation_id, budget, executed, indicators, names, texts, leader, target, achievement):
    """The sheet as one PATCH: what a section's system sends for its 自评表."""
    url = f"/api/v1/evaluations/{evaluation_id}"
    read = client.get(url).get_json()
    rows = []
    for row in read["content"]["indicators"]:
        if row["kind"] == "execution_rate":  # computed from the budget block
            continue
        nature, unit, target_value, actual_value, band = indicators[row["name"]]
        change = {"id": row["id"], "name": names.get(row["name"], row["name"]), "nature": nature, "unit": unit,
                  "target": target_value, "actual": actual_value}
        if band is not None:
            change.update(band=band[0], score=band[1])
        rows.append(change)
    amounts = {"initial_budget": budget, "annual_budget": budget, "executed": executed}
    response = client.patch(url, {
        "version": read["version"], "leader_name": leader, "overall_target": target,
        "overall_achievement": achievement, "funding": {"total": amounts, "current_year": amounts},
        "indicators": rows, "narrative": texts})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def fire(client, evaluation_id, trigger, to_state, comment=""):
    url = f"/api/v1/evaluations/{evaluation_id}"
    version = client.get(url).get_json()["version"]
    response = client.post(f"{url}/transitions", {"trigger": trigger, "version": version, "comment": comment})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["to_state"] == to_state
    return response.get_json()


# 复核 and 审批 -------------------------------------------------------------------------------


def review_and_approval(api, mine, late):
    at(8, 4, 9, 30)
    reviewer = api[REVIEWER]
    queue = reviewer.get("/api/v1/tasks").get_json()
    assert {mine, late} <= {t.get("evaluation_id") for t in _items(queue)}, queue
    findings = reviewer.get(f"/api/v1/evaluations/{mine}/findings").get_json()
    assert any(SEED_SLIP in f["message"] for f in findings), findings
    comment = f"项目概况中的{SEED_SLIP}与项目资金{CORRECTED}不一致，请核实修改。"
    assert reviewer.post(f"/api/v1/evaluations/{mine}/comments",
                         {"target": "section:overview", "text": comment}).status_code == 201
    fire(reviewer, mine, "return_for_revision", "returned", comment)

    at(8, 5, 10, 0)
    staff = api[MINE_STAFF]
    history = staff.get(f"/api/v1/evaluations/{mine}/history").get_json()
    assert any(h["comment"] == comment for h in history)
    version = staff.get(f"/api/v1/evaluations/{mine}").get_json()["version"]
    saved = staff.patch(f"/api/v1/evaluations/{mine}", {
        "version": version, "narrative": {"overview": dc.MINE_TEXT["overview"].replace(SEED_SLIP, CORRECTED)}})
    assert saved.get_json()["total_score"] == "99.70"
    fire(staff, mine, "resubmit", "submitted")

    at(8, 6, 9, 0)
    assert reviewer.get(f"/api/v1/evaluations/{mine}/findings").get_json() == []
    fire(reviewer, mine, "pass_review", "reviewed")
    fire(reviewer, late, "pass_review", "reviewed")

    at(8, 20, 15, 0)
    fire(api[LEADER], mine, "approve", "approved")
    fire(api[LEADER], late, "approve", "approved")
    frozen = api[LEADER].get(f"/api/v1/evaluations/{mine}/report.pdf")
    assert frozen.status_code == 200 and frozen.data[:5] == b"%PDF-"
    # Frozen: the same bytes every time, and the section can no longer change the sheet.
    assert api[MINE_STAFF].get(f"/api/v1/evaluations/{mine}/report.pdf").data == frozen.data
    version = staff.get(f"/api/v1/evaluations/{mine}").get_json()["version"]
    assert staff.patch(f"/api/v1/evaluations/{mine}", {"version": version, "leader_name": "改"}).status_code == 403
    return frozen.data


# 报送财政局 -----------------------------------------------------------------------------------


def report_to_the_finance_bureau(api, plan_id, mine, late, frozen):
    at(8, 25, 10, 0)
    created = api[OFFICE].post("/api/v1/submissions", {
        "plan_id": plan_id, "evaluation_ids": [mine, late], "title": "2019年度部门重点评价报送"})
    assert created.status_code == 201, created.get_json()
    submission = created.get_json()["submission"]
    rows = {r["evaluation_id"]: r for r in submission["rows"]}
    assert (rows[mine]["total_score"], rows[late]["total_score"]) == ("99.7", "99.97")

    finance = api[FINANCE]
    listed = finance.get("/api/v1/submissions").get_json()
    assert submission["id"] in [s["id"] for s in _items(listed)]
    assert finance.get(f"/api/v1/evaluations/{mine}").get_json()["state"] == "reported"
    package = finance.get(f"/api/v1/submissions/{submission['id']}/package.zip")
    assert package.status_code == 200, package.get_data(as_text=True)[:300]
    archive = zipfile.ZipFile(io.BytesIO(package.data))
    names = archive.namelist()
    reports = {project: [n for n in names if n.endswith(".pdf") and f"-{section}-" in n]
               for project, section in ((MINE, MINE_SECTION), (LATE_PROJECT, LATE_SECTION))}
    assert all(len(found) == 1 for found in reports.values()), names
    # The mine project's report is the file frozen at approval, byte for byte.
    assert archive.read(reports[MINE][0]) == frozen
    workbooks = [n for n in names if n.endswith(".xlsx")]
    assert len(workbooks) == 1, names
    summary = load_workbook(io.BytesIO(archive.read(workbooks[0]))).active
    cells = {str(c.value) for row in summary.iter_rows() for c in row if c.value is not None}
    assert {MINE, LATE_PROJECT} <= cells
    total_budget = Decimal(dc.MINE_BUDGET) + Decimal(LATE_BUDGET)
    assert any(Decimal(v) == total_budget for v in cells if _is_number(v)), cells
    sums = archive.read("SHA256SUMS.txt").decode()
    for name in names:
        if name != "SHA256SUMS.txt":
            assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}" in sums, name


def _is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
