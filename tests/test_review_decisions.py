"""Deciding where one reads: the review page passes or returns with a comment, through the
evaluation page's form and the same engine call (evaluations/decide.py → actions.perform), so
the same rights, checks, history and refusals. Pages through the test client."""
import re
from html import unescape

import pytest

from tests import factories
from tests.conftest import post, signed_in
from workflow.engine import audit
from workflow.extensions import db as _db
from workflow.models import Evaluation


@pytest.fixture
def world(app):
    org, plan = factories.make_setup()
    evaluation = factories.make_evaluation(plan, org, "submitted")
    return org, plan, evaluation.id


def reload(evaluation_id):
    _db.session.commit()
    _db.session.expire_all()
    return _db.session.get(Evaluation, evaluation_id)


def page(client, evaluation_id, status=200):
    response = client.get(f"/evaluations/{evaluation_id}/review")
    assert response.status_code == status
    return response.get_data(as_text=True)


def decide(client, evaluation_id, trigger, comment="", version=None):
    version = version if version is not None else reload(evaluation_id).version
    return post(client, f"/evaluations/{evaluation_id}/review",
                {"action": "decide", "trigger": trigger, "comment": comment, "version": str(version)})


def triggers(html):
    return re.findall(r'data-testid="action-([a-z_]+)"', html)


def test_the_reviewer_sees_the_decisions_on_the_review_page(app, world):
    org, _plan, evaluation_id = world
    html = page(signed_in(app, org.reviewer), evaluation_id)
    assert 'data-testid="decisions"' in html
    assert triggers(html) == ["pass_review", "return_for_revision"]
    assert 'id="comment"' in html and 'name="action" value="decide"' in html
    assert "请在项目页面办理" not in html


def test_a_pass_from_the_review_page(app, world):
    org, _plan, evaluation_id = world
    reviewer = signed_in(app, org.reviewer)
    response = decide(reviewer, evaluation_id, "pass_review", comment="核查无误。")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluations/{evaluation_id}/review")
    evaluation = reload(evaluation_id)
    assert evaluation.state == "reviewed"
    history, _total = audit.timeline(evaluation, None)
    assert (history[-1].action, history[-1].actor_id, history[-1].comment) == ("pass_review", org.reviewer.id, "核查无误。")

    html = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert "已执行“复核通过”，当前状态：待审批" in unescape(html)
    assert 'data-testid="decisions"' not in html  # now the 组长's to decide

    # The 组长 decides on the same page: approve, or return to the section or to the reviewers.
    leader_html = page(signed_in(app, org.leader), evaluation_id)
    assert set(triggers(leader_html)) == {"approve", "return_for_revision", "return_to_review"}


def test_a_return_needs_its_comment_and_then_goes_back_to_the_section(app, world):
    org, _plan, evaluation_id = world
    reviewer = signed_in(app, org.reviewer)
    response = decide(reviewer, evaluation_id, "return_for_revision")
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "退回时必须填写意见" in html
    assert 'data-testid="decisions"' in html  # still on the review page, still to decide
    assert reload(evaluation_id).state == "submitted"

    response = decide(reviewer, evaluation_id, "return_for_revision", comment="请补充佐证材料。")
    assert response.status_code == 302
    evaluation = reload(evaluation_id)
    assert evaluation.state == "returned"
    history, _total = audit.timeline(evaluation, None)
    assert (history[-1].action, history[-1].comment) == ("return_for_revision", "请补充佐证材料。")


def test_a_stale_page_is_refused(app, world):
    org, _plan, evaluation_id = world
    stale = reload(evaluation_id).version
    _db.session.get(Evaluation, evaluation_id).overall_achievement = "改了一处。"
    _db.session.commit()
    response = decide(signed_in(app, org.reviewer), evaluation_id, "pass_review", version=stale)
    assert response.status_code == 409
    assert reload(evaluation_id).state == "submitted"


@pytest.mark.parametrize("who", ["outsider", "office", "leader"])
def test_who_may_not_decide_now_sees_no_decision_and_is_refused(app, world, who):
    """A reviewer outside the working group, the office, and the 组长 before the review has
    passed: the same rule as the evaluation page's buttons."""
    org, _plan, evaluation_id = world
    client = signed_in(app, getattr(org, who))
    html = page(client, evaluation_id)
    assert 'data-testid="decisions"' not in html
    response = decide(client, evaluation_id, "pass_review")
    assert response.status_code == 403
    assert reload(evaluation_id).state == "submitted"


def test_a_length_refused_by_the_form_is_422_and_changes_nothing(app, world):
    org, _plan, evaluation_id = world
    response = decide(signed_in(app, org.reviewer), evaluation_id, "return_for_revision", comment="长" * 2001)
    assert response.status_code == 422
    assert "不能超过 2000 个字符" in unescape(response.get_data(as_text=True))
    assert reload(evaluation_id).state == "submitted"


def test_the_evaluation_page_decides_as_before(app, world):
    org, _plan, evaluation_id = world
    reviewer = signed_in(app, org.reviewer)
    html = reviewer.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert triggers(html) == ["pass_review", "return_for_revision"]
    response = post(reviewer, f"/evaluations/{evaluation_id}/transition",
                    {"trigger": "return_for_revision", "comment": "", "version": str(reload(evaluation_id).version)})
    assert response.status_code == 422
    response = post(reviewer, f"/evaluations/{evaluation_id}/transition",
                    {"trigger": "pass_review", "version": str(reload(evaluation_id).version)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluations/{evaluation_id}")
    assert reload(evaluation_id).state == "reviewed"
