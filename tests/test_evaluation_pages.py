"""The evaluation page: who sees it, which buttons it offers, firing transitions through
it, its history and diagram; the workflow diagram itself; bulk approval."""
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import post, signed_in
from tests.factories import fill_complete, make_section, make_user, prepare_step
from workflow.engine import actions
from workflow.extensions import db as _db
from workflow.models import AuditRecord, Evaluation
from workflow.plans import services as plans
from workflow.roles import Role

# (trigger, who) to walk an evaluation of section A to each state.
PATH = {
    "preparing": [],
    "self_evaluating": [("open_self_evaluation", "office")],
    "submitted": [("open_self_evaluation", "office"), ("submit", "staff_a")],
    "returned": [("open_self_evaluation", "office"), ("submit", "staff_a"), ("return_for_revision", "reviewer")],
    "reviewed": [("open_self_evaluation", "office"), ("submit", "staff_a"), ("pass_review", "reviewer")],
    "approved": [("open_self_evaluation", "office"), ("submit", "staff_a"), ("pass_review", "reviewer"),
                 ("approve", "leader")],
    "reported": [("open_self_evaluation", "office"), ("submit", "staff_a"), ("pass_review", "reviewer"),
                 ("approve", "leader"), ("report", "office")],
    "applied": [("open_self_evaluation", "office"), ("submit", "staff_a"), ("pass_review", "reviewer"),
                ("approve", "leader"), ("report", "office"), ("apply", "office")],
}


# Helpers --------------------------------------------------------------------------------


def text(response):
    return response.get_data(as_text=True)


def fresh():
    _db.session.commit()
    _db.session.expire_all()


def reload(evaluation_id):
    fresh()
    return _db.session.get(Evaluation, evaluation_id)


def audit_count():
    fresh()
    return _db.session.scalar(select(func.count()).select_from(AuditRecord))


def flashes(response):
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'role="alert">(.*?)</div>', text(response), re.S)]


def buttons(response):
    return set(re.findall(r'data-testid="action-([a-z_]+)"', text(response)))


@pytest.fixture
def world():
    office_section = make_section("规划财务科", is_office=True)
    section_a = make_section("非煤矿山安全监督管理科")
    section_b = make_section("危险化学品安全监督管理科")
    people = {
        "office": make_user("office", roles=[Role.OFFICE], section=office_section, full_name="闫洪涛"),
        "staff_a": make_user("staff_a", roles=[Role.SECTION_STAFF], section=section_a, full_name="原立吉"),
        "staff_b": make_user("staff_b", roles=[Role.SECTION_STAFF], section=section_b, full_name="王士学"),
        "reviewer": make_user("reviewer", roles=[Role.REVIEWER], section=office_section, full_name="任志华"),
        # 王建华: reviewer and section staff of section A, like the seed's 科长.
        "both": make_user("both", roles=[Role.REVIEWER, Role.SECTION_STAFF], section=section_a, full_name="王建华"),
        "leader": make_user("leader", roles=[Role.LEADER], full_name="姜立新"),
        "finance": make_user("finance", roles=[Role.FINANCE], full_name="市财政局绩效科"),
    }
    plan = plans.create_plan(plans.PlanData(title="2020年评价方案", budget_year=2019, run_year=2020))
    return {"plan": plan, "section_a": section_a, "section_b": section_b, **people}


_counter = iter(range(1, 10_000))


def evaluation_in(world, state, name=None, steps=None):
    """A project of section A whose evaluation was walked to ``state`` through the engine,
    each step prepared as it must be (a complete form before submission, a submission batch
    before reporting, the finance bureau's feedback before application)."""
    project = plans.add_project(world["plan"], name or f"项目{next(_counter)}", world["section_a"].id, world["office"])
    for trigger, who in (steps if steps is not None else PATH[state]):
        comment = "请补充说明。" if trigger == "return_for_revision" else ""
        prepare_step(project.evaluation, trigger, world)
        actions.perform(project.evaluation.id, trigger, world[who], comment=comment)
    evaluation = reload(project.evaluation.id)
    assert evaluation.state == state
    return evaluation


def press(client, evaluation_id, trigger, comment="", version="page", with_csrf=True):
    """Press a button of the evaluation page as a browser does: the version comes from the
    page's hidden field (when the page has the form)."""
    data = {"trigger": trigger, "comment": comment}
    if version == "page":
        match = re.search(r'name="version" value="(\d+)"', text(client.get(f"/evaluations/{evaluation_id}")))
        if match:
            data["version"] = match.group(1)
    elif version is not None:
        data["version"] = str(version)
    url = f"/evaluations/{evaluation_id}/transition"
    if not with_csrf:
        return client.post(url, data=data)
    return post(client, url, data, follow_redirects=True)


# Who sees the page and which buttons ------------------------------------------------------------


def test_section_staff_sees_submit_on_their_own_self_evaluation(app, world):
    evaluation = evaluation_in(world, "self_evaluating")
    client = signed_in(app, world["staff_a"])
    # Until the self-evaluation is complete there is nothing to submit.
    assert buttons(client.get(f"/evaluations/{evaluation.id}")) == set()
    fill_complete(evaluation)
    page = client.get(f"/evaluations/{evaluation.id}")
    assert page.status_code == 200
    assert buttons(page) == {"submit"}
    assert "提交复核" in text(page)
    assert "自评中" in text(page)


def test_staff_of_another_section_may_not_see_the_page(app, world):
    evaluation = evaluation_in(world, "self_evaluating")
    client = signed_in(app, world["staff_b"])
    assert client.get(f"/evaluations/{evaluation.id}").status_code == 403
    assert client.get("/evaluations/999999").status_code == 404


def test_office_sees_open_self_evaluation_only_in_preparation(app, world):
    client = signed_in(app, world["office"])
    preparing = evaluation_in(world, "preparing")
    self_evaluating = evaluation_in(world, "self_evaluating")
    assert buttons(client.get(f"/evaluations/{preparing.id}")) == {"open_self_evaluation"}
    page = client.get(f"/evaluations/{self_evaluating.id}")
    assert page.status_code == 200 and buttons(page) == set()
    assert 'action="/evaluations/' not in text(page)  # no form without buttons


def test_reviewer_sees_review_buttons_but_not_on_their_own_submission(app, world):
    by_colleague = evaluation_in(world, "submitted")
    own = evaluation_in(world, "submitted", steps=[("open_self_evaluation", "office"), ("submit", "both")])
    client = signed_in(app, world["both"])
    page = client.get(f"/evaluations/{by_colleague.id}")
    assert buttons(page) == {"pass_review", "return_for_revision"}
    assert "复核通过" in text(page) and "退回修改" in text(page)
    assert 'name="comment"' in text(page)  # returning needs a comment field
    own_page = client.get(f"/evaluations/{own.id}")
    assert own_page.status_code == 200
    assert buttons(own_page) == {"withdraw"}
    assert "复核通过" not in text(own_page)


def test_leader_sees_approve_and_return_on_a_reviewed_one(app, world):
    evaluation = evaluation_in(world, "reviewed")
    page = signed_in(app, world["leader"]).get(f"/evaluations/{evaluation.id}")
    assert buttons(page) == {"approve", "return_for_revision", "return_to_review"}
    assert buttons(signed_in(app, world["reviewer"]).get(f"/evaluations/{evaluation.id}")) == set()


def test_leader_sees_return_on_an_approved_one_and_the_office_report(app, world):
    evaluation = evaluation_in(world, "approved")
    leader = signed_in(app, world["leader"])
    assert buttons(leader.get(f"/evaluations/{evaluation.id}")) == {"return_for_revision", "return_to_review"}
    assert buttons(signed_in(app, world["reviewer"]).get(f"/evaluations/{evaluation.id}")) == set()
    office = signed_in(app, world["office"])
    assert buttons(office.get(f"/evaluations/{evaluation.id}")) == set()  # not in a submission batch yet
    prepare_step(evaluation, "report", world)
    assert buttons(office.get(f"/evaluations/{evaluation.id}")) == {"report"}
    response = press(leader, evaluation.id, "return_for_revision", comment="审批后发现数据有误，请修改。")
    assert "已执行“退回修改”，当前状态：已退回。" in flashes(response)
    assert reload(evaluation.id).state == "returned"


@pytest.mark.parametrize("state, visible", [
    ("preparing", False), ("self_evaluating", False), ("submitted", False), ("returned", False),
    ("reviewed", False), ("approved", False), ("reported", True), ("applied", True),
])
def test_finance_sees_only_reported_and_applied_evaluations(app, world, state, visible):
    evaluation = evaluation_in(world, state)
    page = signed_in(app, world["finance"]).get(f"/evaluations/{evaluation.id}")
    if visible:
        assert page.status_code == 200
        assert buttons(page) == set()
        assert evaluation.project.name in text(page)
    else:
        assert page.status_code == 403
        assert "无权访问" in text(page)


def test_anonymous_visitors_are_sent_to_login(app, world):
    evaluation = evaluation_in(world, "self_evaluating")
    client = app.test_client()
    response = client.get(f"/evaluations/{evaluation.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    response = post(client, f"/evaluations/{evaluation.id}/transition", {"trigger": "submit"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert reload(evaluation.id).state == "self_evaluating"


# Firing transitions through the page -----------------------------------------------------------


def test_submit_through_the_page(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating"))
    client = signed_in(app, world["staff_a"])
    response = press(client, evaluation.id, "submit")
    assert response.status_code == 200
    assert "已执行“提交复核”，当前状态：待复核。" in flashes(response)
    evaluation = reload(evaluation.id)
    assert evaluation.state == "submitted"
    assert evaluation.submitted_by_id == world["staff_a"].id
    # The page now shows the new state and offers the submitter only the withdrawal.
    assert buttons(response) == {"withdraw"}


@pytest.mark.parametrize("state, who, trigger, message", [
    ("submitted", "staff_a", "pass_review", "您没有执行“复核通过”的权限。"),
    ("self_evaluating", "staff_a", "approve", "当前状态（自评中）下不能执行“审批通过”。"),
    ("self_evaluating", "both", "delete_everything", "未知的操作。"),
    ("submitted", "reviewer", "approve", "当前状态（待复核）下不能执行“审批通过”。"),
    ("submitted", "office", "pass_review", "您没有执行“复核通过”的权限。"),
    ("reviewed", "reviewer", "return_for_revision", "此时“退回修改”由组长办理。"),
    ("preparing", "staff_a", "open_self_evaluation", "您没有执行“开始自评”的权限。"),
])
def test_forged_trigger_is_refused_and_changes_nothing(app, world, state, who, trigger, message):
    evaluation = evaluation_in(world, state)
    version, records = evaluation.version, audit_count()
    response = press(signed_in(app, world[who]), evaluation.id, trigger, comment="伪造的请求")
    # Not theirs to do: 403; a trigger the workflow does not have is a bad value: 422.
    assert response.status_code == (422 if trigger == "delete_everything" else 403)
    assert message in flashes(response)
    evaluation = reload(evaluation.id)
    assert (evaluation.state, evaluation.version) == (state, version)
    assert audit_count() == records


def test_submitter_may_not_review_their_own_submission(app, world):
    evaluation = evaluation_in(world, "submitted", steps=[("open_self_evaluation", "office"), ("submit", "both")])
    response = press(signed_in(app, world["both"]), evaluation.id, "pass_review")
    assert "不能复核或审批自己提交的自评。" in flashes(response)
    assert reload(evaluation.id).state == "submitted"


def test_return_without_comment_is_refused(app, world):
    evaluation = evaluation_in(world, "submitted")
    client = signed_in(app, world["reviewer"])
    for comment in ("", "   \n "):
        response = press(client, evaluation.id, "return_for_revision", comment=comment)
        assert response.status_code == 422
        assert "退回时必须填写意见。" in flashes(response)
        assert reload(evaluation.id).state == "submitted"
    response = press(client, evaluation.id, "return_for_revision", comment="目标值与预算批复不一致，请修改。")
    assert "已执行“退回修改”，当前状态：已退回。" in flashes(response)
    assert reload(evaluation.id).state == "returned"
    assert "目标值与预算批复不一致，请修改。" in text(response)


def test_overlong_comment_is_refused(app, world):
    evaluation = evaluation_in(world, "submitted")
    response = press(signed_in(app, world["reviewer"]), evaluation.id, "return_for_revision", comment="意" * 2001)
    assert any("2000" in message for message in flashes(response))
    assert reload(evaluation.id).state == "submitted"


def test_stale_version_is_refused(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating"))  # the version alone stops it
    current = evaluation.version
    client = signed_in(app, world["staff_a"])
    response = press(client, evaluation.id, "submit", version=current - 1)
    assert response.status_code == 409
    assert "该评价已被他人处理，页面内容已过期。请刷新后重试。" in flashes(response)
    evaluation = reload(evaluation.id)
    assert (evaluation.state, evaluation.version) == ("self_evaluating", current)


def test_page_read_before_someone_else_acted_is_stale(app, world):
    """Two reviewers open the same page; the second to press loses."""
    evaluation = evaluation_in(world, "submitted")
    other = make_user("reviewer2", roles=[Role.REVIEWER], full_name="龚健")
    first, second = signed_in(app, world["reviewer"]), signed_in(app, other)
    version = re.search(r'name="version" value="(\d+)"', text(second.get(f"/evaluations/{evaluation.id}"))).group(1)
    assert "已执行“复核通过”" in flashes(press(first, evaluation.id, "pass_review"))[0]
    response = press(second, evaluation.id, "return_for_revision", comment="有问题", version=version)
    assert response.status_code == 409
    assert "该评价已被他人处理，页面内容已过期。请刷新后重试。" in flashes(response)
    assert reload(evaluation.id).state == "reviewed"


def test_bad_version_field_is_refused_in_chinese(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating"))
    response = press(signed_in(app, world["staff_a"]), evaluation.id, "submit", version="abc")
    assert response.status_code == 422
    assert any("整数" in message for message in flashes(response))
    assert reload(evaluation.id).state == "self_evaluating"


def test_transition_without_csrf_token_is_refused(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating"))
    response = press(signed_in(app, world["staff_a"]), evaluation.id, "submit", with_csrf=False)
    assert response.status_code == 400
    assert "请求已失效" in text(response)
    assert reload(evaluation.id).state == "self_evaluating"


def test_staff_of_another_section_may_not_post_a_transition(app, world):
    evaluation = fill_complete(evaluation_in(world, "self_evaluating"))
    response = post(signed_in(app, world["staff_b"]), f"/evaluations/{evaluation.id}/transition",
                    {"trigger": "submit", "version": str(evaluation.version)})
    assert response.status_code == 403
    assert reload(evaluation.id).state == "self_evaluating"


# History and diagram ----------------------------------------------------------------------


def test_page_shows_the_history_and_the_diagram(app, world):
    evaluation = evaluation_in(world, "returned")
    page = text(signed_in(app, world["staff_a"]).get(f"/evaluations/{evaluation.id}"))
    history = page.split('data-testid="history"')[1].split("</ol>")[0]
    entries = re.findall(r'<li class="history-item">(.*?)</li>', history, re.S)
    assert len(entries) == 4
    flat = [re.sub(r"\s+", "", e) for e in entries]
    assert "创建项目" in flat[0] and "闫洪涛" in flat[0]
    assert "开始自评：准备中→自评中" in flat[1]
    assert "提交复核：自评中→待复核" in flat[2] and "原立吉" in flat[2]
    assert "退回修改：待复核→已退回" in flat[3] and "任志华" in flat[3] and "请补充说明。" in flat[3]
    assert f'src="/help/workflow.svg?state=returned&amp;plan={evaluation.plan_id}"' in page
    assert 'alt="流程图，当前状态：已退回"' in page
    # The open task is shown with its deadline: the plan's return period (5 working days)
    # after the return, not the end of 自评阶段.
    from workflow.engine import tasks, workdays

    due = workdays.add(tasks.today(), evaluation.project.plan.return_working_days)
    assert "按意见修改后重新提交" in page and f"截止 {due.isoformat()}" in page


def test_history_names_the_system_for_records_without_a_person(app, world):
    from workflow.engine import audit

    evaluation = evaluation_in(world, "returned")
    audit.record(evaluation, None, "feedback", None, None, comment="自动提醒")
    _db.session.commit()
    page = text(signed_in(app, world["staff_a"]).get(f"/evaluations/{evaluation.id}"))
    history = page.split('data-testid="history"')[1].split("</ol>")[0]
    last = re.sub(r"\s+", "", re.findall(r'<li class="history-item">(.*?)</li>', history, re.S)[-1])
    assert "·系统" in last and "记录财政局反馈" in last and "自动提醒" in last


def test_a_long_history_shows_its_latest_records_and_all_of_them_on_request(app, world):
    """Every save is a record: the page lists the latest 30 in order and says how many there
    are; ?history=all lists every one."""
    from workflow.engine import audit
    from workflow.evaluations.routes import HISTORY_SHOWN

    evaluation = evaluation_in(world, "self_evaluating")  # two records: created, opened
    for n in range(1, 41):
        audit.record(evaluation, world["staff_a"], "edit", "self_evaluating", "self_evaluating", comment=f"第{n}次保存")
    _db.session.commit()
    client = signed_in(app, world["staff_a"])

    def entries(page):
        history = page.split('data-testid="history"')[1].split("</ol>")[0]
        return [re.sub(r"\s+", "", e) for e in re.findall(r'<li class="history-item">(.*?)</li>', history, re.S)]

    page = text(client.get(f"/evaluations/{evaluation.id}"))
    shown = entries(page)
    assert len(shown) == HISTORY_SHOWN == 30
    assert "第11次保存" in shown[0] and "第40次保存" in shown[-1]  # the latest, oldest first
    assert "共 42 条记录，以下为最近 30 条。" in page
    assert f'href="/evaluations/{evaluation.id}?history=all#history"' in page

    whole = text(client.get(f"/evaluations/{evaluation.id}?history=all"))
    every = entries(whole)
    assert len(every) == 42 and "创建项目" in every[0] and "第40次保存" in every[-1]
    assert 'data-testid="history-more"' not in whole


def test_diagram_highlights_the_state_and_speaks_chinese(app, world):
    client = signed_in(app, world["staff_a"])
    response = client.get("/help/workflow.svg?state=submitted")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = text(response)
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    for label in ("准备中", "自评中", "待复核", "已退回", "待审批", "已审批", "已报送", "已应用", "提交复核"):
        assert label in svg, label
    assert "#b3191c" in svg  # the current state is drawn in red
    plain = text(client.get("/help/workflow.svg"))
    assert "待复核" in plain and "#b3191c" not in plain


def test_diagram_for_an_unknown_state_is_404(app, world):
    client = signed_in(app, world["staff_a"])
    assert client.get("/help/workflow.svg?state=nonsense").status_code == 404
    assert client.get("/help/workflow.svg?state=").status_code == 404
    anonymous = app.test_client().get("/help/workflow.svg?state=submitted")
    assert anonymous.status_code == 302


def test_workflow_help_page(app, world):
    page = text(signed_in(app, world["finance"]).get("/help/workflow"))
    assert 'src="/help/workflow.svg"' in page
    assert "复核通过" in page and "须填写意见。" in page


# Bulk approval ----------------------------------------------------------------------------


def test_leader_approves_two_at_once(app, world):
    first = evaluation_in(world, "reviewed", name="应急物资储备项目")
    second = evaluation_in(world, "reviewed", name="危险化学品重大危险源监测预警项目")
    untouched = evaluation_in(world, "reviewed", name="森林草原防灭火宣传培训项目")
    client = signed_in(app, world["leader"])
    page = text(client.get("/evaluations/approvals"))
    for name in ("应急物资储备项目", "危险化学品重大危险源监测预警项目", "森林草原防灭火宣传培训项目"):
        assert name in page
    assert f'value="{first.id}"' in page and f'value="{second.id}"' in page
    response = post(client, "/evaluations/approvals",
                    {"evaluation_id": [str(first.id), str(second.id)]}, follow_redirects=True)
    assert "已审批通过 2 个项目。" in flashes(response)
    assert reload(first.id).state == "approved"
    assert reload(second.id).state == "approved"
    assert reload(untouched.id).state == "reviewed"
    # The approved ones have left the list; the third is still there.
    assert "应急物资储备项目" not in text(response)
    assert "森林草原防灭火宣传培训项目" in text(response)
    fresh()
    assert _db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "approve", AuditRecord.actor_id == world["leader"].id)) == 2


def test_bulk_approval_reports_what_it_refused(app, world):
    reviewed = evaluation_in(world, "reviewed")
    submitted = evaluation_in(world, "submitted")
    response = post(signed_in(app, world["leader"]), "/evaluations/approvals",
                    {"evaluation_id": [str(reviewed.id), str(submitted.id)]}, follow_redirects=True)
    messages = flashes(response)
    assert "已审批通过 1 个项目。" in messages
    assert "当前状态（待复核）下不能执行“审批通过”。" in messages
    assert reload(reviewed.id).state == "approved"
    assert reload(submitted.id).state == "submitted"


def test_bulk_approval_without_a_choice(app, world):
    evaluation_in(world, "reviewed")
    response = post(signed_in(app, world["leader"]), "/evaluations/approvals", {}, follow_redirects=True)
    assert "请至少选择一个项目。" in flashes(response)


def test_bulk_approval_respects_the_working_group(app, world):
    """With a working group, only its 组长 approves; another leader sees nothing to approve."""
    evaluation = evaluation_in(world, "reviewed", steps=[
        ("open_self_evaluation", "office"), ("submit", "staff_a"), ("pass_review", "reviewer")])
    outsider = make_user("leader2", roles=[Role.LEADER], full_name="另一位领导")
    plans.set_group(world["plan"], world["leader"].id, [], [world["reviewer"].id])
    client = signed_in(app, outsider)
    assert evaluation.project.name not in text(client.get("/evaluations/approvals"))
    response = post(client, "/evaluations/approvals", {"evaluation_id": [str(evaluation.id)]}, follow_redirects=True)
    assert "您不是本方案评价工作小组的成员。" in flashes(response)
    assert reload(evaluation.id).state == "reviewed"


@pytest.mark.parametrize("who", ["office", "reviewer", "staff_a", "finance"])
def test_only_the_leader_reaches_bulk_approval(app, world, who):
    evaluation = evaluation_in(world, "reviewed")
    client = signed_in(app, world[who])
    assert client.get("/evaluations/approvals").status_code == 403
    response = post(client, "/evaluations/approvals", {"evaluation_id": [str(evaluation.id)]})
    assert response.status_code == 403
    assert reload(evaluation.id).state == "reviewed"
