"""Review (复核) pages: comments per report section, indicator or on the whole, who may
comment and when, what the section sees, the review queue with its open findings, the diff a
reviewer gets after a return and resubmission, and who may open the review pages."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import post, signed_in
from workflow.engine import actions
from workflow.errors import ServiceError
from workflow.extensions import db as _db
from workflow.models import Evaluation, ReviewComment
from workflow.review import checks, services
from workflow.roles import Role


@pytest.fixture
def world(app):
    """The Org and its plan with a working group; ``dual`` is section A's staff who also
    reviews (a member of the group)."""
    org = factories.make_org()
    dual = factories.make_user("dual", [Role.SECTION_STAFF, Role.REVIEWER], org.section_a, full_name="张玉坤")
    plan = factories.make_plan()
    factories.make_group(plan, org.leader, deputies=[org.reviewer], members=[org.reviewer2, dual])
    org.extra["dual"] = dual
    return org, plan


def html(response, status=200):
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def comment_count():
    return _db.session.scalar(select(func.count()).select_from(ReviewComment))


def indicator(evaluation, level2):
    return next(i for i in evaluation.indicators if i.level2 == level2)


# Comments --------------------------------------------------------------------------------


def test_reviewers_comment_per_section_indicator_and_overall(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    quantity = indicator(evaluation, "数量指标")
    reviewer = signed_in(app, org.reviewer)
    url = f"/evaluations/{evaluation.id}/review"

    page = html(reviewer.get(url))
    options = dict(re.findall(r'<option value="([^"]+)">([^<]*)</option>', page))
    assert options["general"] == "总体意见"
    assert options["section:overview"] == "一、基本情况（一）项目概况"
    assert options[f"indicator:{quantity.id}"] == "计划任务完成数量"

    for target, text in (("section:overview", "请补充项目实施情况。"),
                         (f"indicator:{quantity.id}", "请附排查记录作为佐证。"),
                         ("general", "资金数据总体准确。")):
        page = html(post(reviewer, url, {"target": target, "text": text}, follow_redirects=True))
        assert "已添加复核意见。" in page
    other = signed_in(app, org.reviewer2)
    html(post(other, url, {"target": "general", "text": "同意复核意见。"}, follow_redirects=True))

    stored = _db.session.scalars(select(ReviewComment).order_by(ReviewComment.id)).all()
    assert [(c.target, c.text, c.author_id) for c in stored] == [
        ("section:overview", "请补充项目实施情况。", org.reviewer.id),
        (f"indicator:{quantity.id}", "请附排查记录作为佐证。", org.reviewer.id),
        ("general", "资金数据总体准确。", org.reviewer.id),
        ("general", "同意复核意见。", org.reviewer2.id),
    ]
    page = html(reviewer.get(url))
    comments = page[page.index('data-testid="comments"'):]
    assert "任志华 · 一、基本情况（一）项目概况" in comments
    assert "任志华 · 计划任务完成数量" in comments
    assert "李东阳 · 总体意见" in comments
    assert comments.index("请补充项目实施情况。") < comments.index("同意复核意见。")


def test_the_section_sees_the_comments_after_a_return(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    services.add_comment(evaluation, org.reviewer, "section:overview", "请补充项目实施情况。")
    services.add_comment(evaluation, org.reviewer, "general", "资金数据请与决算核对。")
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="请按复核意见修改。")

    staff = signed_in(app, org.staff_a2)  # a colleague of the submitter in the same section
    page = html(staff.get(f"/evaluations/{evaluation.id}"))
    assert 'data-testid="review-comments"' in page
    shown = page[page.index('data-testid="review-comments"'):]
    assert "请补充项目实施情况。" in shown and "资金数据请与决算核对。" in shown
    assert "一、基本情况（一）项目概况" in shown and "总体意见" in shown
    # Other sections and the finance bureau do not read the group's comments.
    assert services.comments_for(reload(evaluation.id), org.staff_b) == []
    assert services.comments_for(reload(evaluation.id), org.finance) == []
    assert len(services.comments_for(reload(evaluation.id), org.staff_a)) == 2


def test_no_comment_box_on_the_evaluation_page_without_comments(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    page = html(signed_in(app, org.staff_a).get(f"/evaluations/{evaluation.id}"))
    assert 'data-testid="review-comments"' not in page


def test_submitter_holding_the_reviewer_role_cannot_comment_on_their_own_submission(app, world):
    org, plan = world
    dual = org.extra["dual"]
    own = factories.make_evaluation(plan, org, "self_evaluating", name="自己提交的项目")
    factories.fill_complete(own)
    actions.perform(own.id, "submit", dual)
    someone_elses = factories.make_evaluation(plan, org, "submitted", name="别人提交的项目", section=org.section_b)

    assert services.may_comment(reload(own.id), dual) is False
    assert services.may_comment(reload(someone_elses.id), dual) is True
    with pytest.raises(ServiceError) as refused:
        services.add_comment(reload(own.id), dual, "general", "我觉得没问题。")
    assert refused.value.message == "当前不能对该评价提出复核意见。"

    client = signed_in(app, dual)
    page = html(client.get(f"/evaluations/{own.id}/review"))
    assert 'name="text"' not in page  # no comment form
    page = html(post(client, f"/evaluations/{own.id}/review", {"target": "general", "text": "我觉得没问题。"},
                     follow_redirects=True), 403)
    assert "当前不能对该评价提出复核意见。" in page
    assert comment_count() == 0
    html(post(client, f"/evaluations/{someone_elses.id}/review", {"target": "general", "text": "请核对。"},
              follow_redirects=True))
    assert comment_count() == 1


@pytest.mark.parametrize("state", ["self_evaluating", "returned", "approved", "reported"])
def test_comments_refused_when_not_under_review(app, world, state):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, state)
    for who in (org.reviewer, org.leader):
        assert services.may_comment(evaluation, who) is False
        with pytest.raises(ServiceError) as refused:
            services.add_comment(evaluation, who, "general", "意见")
        assert refused.value.message == "当前不能对该评价提出复核意见。"
    page = html(post(signed_in(app, org.reviewer), f"/evaluations/{evaluation.id}/review",
                     {"target": "general", "text": "意见"}, follow_redirects=True), 403)
    assert "当前不能对该评价提出复核意见。" in page
    assert comment_count() == 0


def test_who_comments_in_which_state(world):
    org, plan = world
    submitted = factories.make_evaluation(plan, org, "submitted", name="待复核")
    reviewed = factories.make_evaluation(plan, org, "reviewed", name="待审批")
    assert services.may_comment(submitted, org.reviewer) and services.may_comment(submitted, org.reviewer2)
    assert not services.may_comment(submitted, org.leader)  # the leader waits for the review
    assert not services.may_comment(submitted, org.office)
    # Who may act now comments (the engine's one rule): the 组长 once the review has passed.
    assert services.may_comment(reviewed, org.leader) and not services.may_comment(reviewed, org.reviewer)
    assert not services.may_comment(reviewed, org.office)
    # A reviewer outside the plan's working group neither reviews nor comments.
    assert not services.may_comment(submitted, org.outsider)
    with pytest.raises(ServiceError):
        actions.perform(submitted.id, "pass_review", org.outsider)


def test_without_a_working_group_every_reviewer_comments(app):
    org, plan = factories.make_setup(with_group=False)
    evaluation = factories.make_evaluation(plan, org, "submitted")
    assert services.may_comment(evaluation, org.outsider)
    services.add_comment(evaluation, org.outsider, "general", "请核对。")
    assert comment_count() == 1


@pytest.mark.parametrize("target,text,message", [
    ("indicator:999999", "意见", "意见对象无效。"),
    ("section:nonexistent", "意见", "意见对象无效。"),
    ("everything", "意见", "意见对象无效。"),
    ("general", "", "请填写意见。"),
    ("general", "  \n ", "请填写意见。"),
    ("general", "意" * 2001, "意见不能超过 2000 个字。"),
])
def test_bad_comments_refused_and_nothing_stored(app, world, target, text, message):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    with pytest.raises(ServiceError) as refused:
        services.add_comment(evaluation, org.reviewer, target, text)
    assert refused.value.message == message
    page = html(post(signed_in(app, org.reviewer), f"/evaluations/{evaluation.id}/review",
                     {"target": target, "text": text}, follow_redirects=True), 422)
    assert message in page
    assert "已添加复核意见。" not in page
    assert comment_count() == 0


def test_an_indicator_of_another_evaluation_is_not_a_target(world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted", name="甲")
    other = factories.make_evaluation(plan, org, "submitted", name="乙")
    with pytest.raises(ServiceError):
        services.add_comment(evaluation, org.reviewer, f"indicator:{other.indicators[0].id}", "意见")
    services.add_comment(evaluation, org.reviewer, "general", "意" * 2000)  # the limit itself is fine
    assert comment_count() == 1


# The review queue --------------------------------------------------------------------------


def test_queue_lists_evaluations_under_review_with_open_findings(app, world):
    org, plan = world
    flagged = factories.make_evaluation(plan, org, "self_evaluating", name="有问题的项目")
    factories.fill_complete(flagged)
    next(s for s in flagged.narrative if s.key == "purpose").text = "利用剩余资金206.4万元。"
    indicator(flagged, "数量指标").actual = Decimal("90")
    _db.session.commit()
    actions.perform(flagged.id, "submit", org.staff_a)
    clean = factories.make_evaluation(plan, org, "reviewed", name="无问题的项目", section=org.section_b)
    factories.make_evaluation(plan, org, "self_evaluating", name="自评中的项目")
    factories.make_evaluation(plan, org, "approved", name="已审批的项目")

    client = signed_in(app, org.reviewer)
    page = html(client.get("/evaluations/review"))
    table = page[page.index('data-testid="review-queue"'):page.index("</table>")]
    rows = re.findall(r'<tr><td><a href="/evaluations/(\d+)/review">([^<]+)</a>.*?data-findings="(\d+)"', table, re.S)
    assert sorted(rows) == sorted([(str(flagged.id), "有问题的项目", "2"), (str(clean.id), "无问题的项目", "0")])
    assert "自评中的项目" not in table and "已审批的项目" not in table

    # An explained finding no longer counts as open, but is still counted as explained.
    checks.explain(reload(flagged.id), "text_amount:206.4", "报告中为计划数。", org.reviewer)
    page = html(client.get("/evaluations/review"))
    assert re.search(rf'/evaluations/{flagged.id}/review">有问题的项目</a>.*?data-findings="1"', page, re.S)
    assert "（已说明 1）" in page
    # Ordered by state (reviewed before submitted), then name.
    assert [(e.id, open_, all_) for e, open_, all_ in services.queue()] == [(clean.id, 0, 0), (flagged.id, 1, 2)]


def test_queue_can_be_limited_to_a_plan(world):
    org, plan = world
    mine = factories.make_evaluation(plan, org, "submitted", name="本方案项目")
    other_plan = factories.make_plan(title="另一方案", run_year=2021, budget_year=2020)
    factories.make_evaluation(other_plan, org, "submitted", name="他方案项目")
    assert [e.id for e, _o, _a in services.queue(plan.id)] == [mine.id]
    assert len(services.queue()) == 2
    # The pages too (their statement built once, the plan given when it runs).
    page = services.queue_page(1, plan_id=plan.id)
    assert ([e.id for e, _o, _a in page.items], page.total) == ([mine.id], 1)
    assert services.queue_page(1).total == 2


# The diff after a return -------------------------------------------------------------------


def test_review_page_shows_what_changed_since_the_last_submission(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    quantity = indicator(evaluation, "数量指标")
    old_overview = next(s.text for s in evaluation.narrative if s.key == "overview")
    actions.perform(evaluation.id, "return_for_revision", org.reviewer, comment="请核实完成数量并补充概况。")

    staff = signed_in(app, org.staff_a)
    url = f"/evaluations/{evaluation.id}/form"
    response = post(staff, url, {f"ind-{quantity.id}-actual": "95",
                                 "text-overview": "实际排查在产矿山253座，排查整治隐患3099条。"})
    assert response.status_code == 302
    evaluation = reload(evaluation.id)
    assert indicator(evaluation, "数量指标").actual == Decimal("95")
    actions.perform(evaluation.id, "resubmit", org.staff_a)

    page = html(signed_in(app, org.reviewer).get(f"/evaluations/{evaluation.id}/review"))
    assert 'data-testid="changes"' in page
    table = page[page.index('data-testid="changes"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td><td[^>]*>(.*?)</td><td>(.*?)</td></tr>", table, re.S)
    changes = {field: (old, new) for field, old, new in rows}
    assert changes["计划任务完成数量 · 实际完成值"] == ("100", "95")
    assert changes["一、基本情况（一）项目概况"] == (old_overview, "实际排查在产矿山253座，排查整治隐患3099条。")
    assert changes["计划任务完成数量 · 得分"] == ("20", "19")
    assert "年度资金总额 · 全年预算数" not in changes  # unchanged fields are not listed


def test_no_changes_listed_on_a_first_submission(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    page = html(signed_in(app, org.reviewer).get(f"/evaluations/{evaluation.id}/review"))
    assert 'data-testid="changes"' not in page


# Who may open the review pages ---------------------------------------------------------------


@pytest.mark.parametrize("who,status", [
    ("staff_a", 403), ("staff_b", 403), ("finance", 403), ("admin", 403),
    ("reviewer", 200), ("reviewer2", 200), ("leader", 200), ("office", 200),
])
def test_review_pages_by_role(app, world, who, status):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    client = signed_in(app, getattr(org, who))
    assert client.get("/evaluations/review").status_code == status
    assert client.get(f"/evaluations/{evaluation.id}/review").status_code == status
    response = post(client, f"/evaluations/{evaluation.id}/review", {"target": "general", "text": "意见"})
    # The group's reviewers comment while it is under review; the leader and the office may read
    # the page but not comment now (403, nothing stored).
    commenting = who in ("reviewer", "reviewer2")
    assert response.status_code == (302 if commenting else 403)
    assert comment_count() == (1 if commenting else 0)


def test_review_pages_send_anonymous_visitors_to_login(app, world):
    org, plan = world
    evaluation = factories.make_evaluation(plan, org, "submitted")
    client = app.test_client()
    for url in ("/evaluations/review", f"/evaluations/{evaluation.id}/review"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_review_page_of_a_missing_evaluation_is_404(app, world):
    org, _plan = world
    assert signed_in(app, org.reviewer).get("/evaluations/999999/review").status_code == 404
