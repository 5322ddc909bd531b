"""Conditions of transitions: each returns None when the transition may fire, or the
reason (in the user's language) why not. The definition names them; the machine and the
buttons both call them."""
from flask_babel import gettext as _

from workflow.roles import Role


def ready_to_submit(evaluation, actor):
    """Completeness of the self-evaluation. The content checks (every indicator scored,
    required sections written, budget figures consistent) join here when the
    self-evaluation form exists; an evaluation must at least belong to a project with a
    responsible section."""
    if evaluation.project is None or evaluation.project.section_id is None:
        return _("项目没有责任科室，不能提交。")
    return None


def review_not_started(evaluation, actor):
    """The submitter may withdraw only until a reviewer has taken up the review task."""
    from workflow.engine import tasks

    task = tasks.open_task(evaluation)
    if task is not None and task.assignee_id is not None and task.assignee_id != actor.id:
        return _("复核已经开始，不能撤回。")
    return None


def leader_returns_reviewed(evaluation, actor):
    """Reviewers return what is submitted; once reviewed, only the leader may return it."""
    if evaluation.state == "reviewed" and Role.LEADER not in actor.roles:
        return _("复核已通过，只有组长可以退回。")
    if evaluation.state == "submitted" and Role.REVIEWER not in actor.roles:
        return _("待复核的自评由复核人退回。")
    return None
