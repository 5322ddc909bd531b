"""Conditions of transitions: each returns None when the transition may fire, or the
reason (in the user's language) why not. The definition names them; the machine and the
buttons both call them."""
from flask_babel import gettext as _

from workflow.roles import Role


def ready_to_submit(evaluation, actor):
    """Completeness of the self-evaluation: every indicator scored, deviations explained,
    the required report sections written, the budget figures present and consistent
    (workflow/selfeval/services.py says what exactly)."""
    from workflow.selfeval.services import completeness_problems

    if evaluation.project is None or evaluation.project.section_id is None:
        return _("项目没有责任科室，不能提交。")
    problems = completeness_problems(evaluation)
    if problems:
        return _("自评尚未填写完整（%(n)d 项），例如：%(first)s", n=len(problems), first=problems[0])
    return None


def review_not_started(evaluation, actor):
    """The submitter may withdraw only until a reviewer has taken up the review task."""
    from workflow.engine import tasks

    task = tasks.open_task(evaluation)
    if task is not None and task.assignee_id is not None and task.assignee_id != actor.id:
        return _("复核已经开始，不能撤回。")
    return None


def right_person_returns(evaluation, actor):
    """Reviewers return what is submitted; once reviewed or approved, only the leader (the
    working group's 组长, when the plan has a group) may return it."""
    if evaluation.state == "submitted":
        if Role.REVIEWER not in actor.roles:
            return _("待复核的自评由复核人退回。")
        return None
    if Role.LEADER not in actor.roles:
        return _("复核已通过，只有组长可以退回。")
    leaders = [m.user_id for m in evaluation.project.plan.members if m.group_role == "leader"]
    if evaluation.project.plan.members and actor.id not in leaders:
        return _("只有评价工作小组组长可以退回。")
    return None


def included_in_submission(evaluation, actor):
    """An evaluation is reported to the finance bureau as part of a submission (报送)."""
    from sqlalchemy import select

    from workflow.extensions import db
    from workflow.models import SubmissionItem

    from workflow.selfeval.services import last_snapshot

    item = db.session.scalar(select(SubmissionItem).where(SubmissionItem.evaluation_id == evaluation.id))
    if item is None:
        return _("请在“报送财政局”页面将其编入报送批次。")
    approval = last_snapshot(evaluation, "approval")
    if approval is None or item.snapshot_id != approval.id:
        # Returned and approved again since it was put in the batch: what would go to the
        # bureau is no longer what was approved.
        return _("报送批次中的材料不是最新审批的版本，请重新编入报送批次。")
    return None


def feedback_recorded(evaluation, actor):
    """Result application starts from the finance bureau's feedback."""
    if not (evaluation.finance_feedback or "").strip():
        return _("请先记录财政局的反馈意见。")
    return None
