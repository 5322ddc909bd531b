"""The rules and effects of workflow/flow.py that reach into the features: whether the
self-evaluation is complete, what is kept at submission and approval, what the 报送 holds,
what the plan's options ask. Checks take (evaluation, act) and return None or the reason (in
the user's language) why not; effects take (evaluation, act) and run in the transition's
transaction."""
import hashlib

from flask_babel import gettext as _
from sqlalchemy import select

from workflow import signals
from workflow.documents.reports import render_frozen_report
from workflow.engine import opinions, tasks
from workflow.extensions import db
from workflow.models import SubmissionItem
from workflow.selfeval.services import completeness_problems, last_snapshot, take_snapshot
from workflow.targets import record as targets


# The plan's options ------------------------------------------------------------------------

def approval_required(plan):
    """The 组长 approves what the review passed (the seed's plan); otherwise a passed review
    is the approval."""
    return plan.approval_required


def no_approval(plan):
    return not plan.approval_required


def targets_approval(plan):
    """绩效目标须经办公室审核: the section submits its targets and the office approves them
    before self-evaluation opens."""
    return plan.targets_approval


def no_targets_approval(plan):
    return not plan.targets_approval


def committee_tasks(evaluation):
    """With a committee (会签) every reviewer has a task of their own; one reviewer: one task
    for whoever takes it."""
    if evaluation.project.plan.review_rule == "one":
        return None
    return opinions.committee(evaluation)


def more_passes_needed(evaluation, act):
    """This pass is one opinion of several: the round needs more distinct passes than it has
    with this one."""
    return opinions.passes(evaluation) + 1 < opinions.needed(evaluation)


# Checks ------------------------------------------------------------------------------------

def ready_to_submit(evaluation, act):
    """Completeness of the self-evaluation: every indicator scored, deviations explained,
    the required report sections written, the budget figures present and consistent
    (workflow/selfeval/services.py says what exactly)."""
    if evaluation.project is None or evaluation.project.section_id is None:
        return _("项目没有责任科室，不能提交。")
    problems = completeness_problems(evaluation)
    if problems:
        return _("自评尚未填写完整（%(n)d 项），例如：%(first)s", n=len(problems), first=problems[0])
    return None


def targets_complete(evaluation, act):
    """The year's goal and every applicable indicator's target are filled in
    (workflow/targets/record.py says what exactly)."""
    problems = targets.target_problems(evaluation)
    if problems:
        return _("绩效目标尚未填写完整（%(n)d 项），例如：%(first)s", n=len(problems), first=problems[0])
    return None


def first_opinion(evaluation, act):
    """Nobody counts twice in a round of review."""
    if opinions.given(evaluation, act.identity):
        return _("您已在本轮复核中提出意见。")
    return None


def review_not_started(evaluation, act):
    """The submitter may withdraw only until a reviewer has taken up the review task or given
    an opinion."""
    task = tasks.open_task(evaluation)
    if (task is not None and task.assignee_id is not None and task.assignee_id != act.actor.id
            and evaluation.project.plan.review_rule == "one") or opinions.passes(evaluation):
        return _("复核已经开始，不能撤回。")
    return None


def _item(evaluation):
    return db.session.scalar(select(SubmissionItem).where(SubmissionItem.evaluation_id == evaluation.id))


def included_in_submission(evaluation, act):
    """An evaluation is reported to the finance bureau as part of a submission (报送)."""
    item = _item(evaluation)
    if item is None:
        return _("请在“报送财政局”页面将其编入报送批次。")
    approval = last_snapshot(evaluation, "approval")
    if approval is None or item.snapshot_id != approval.id:
        # Returned and approved again since it was put in the batch: what would go to the
        # bureau is no longer what was approved.
        return _("报送批次中的材料不是最新审批的版本，请重新编入报送批次。")
    return None


def bureau_not_acted(evaluation, act):
    """A 报送 may be recalled until the finance bureau has downloaded it or answered."""
    item = _item(evaluation)
    if item is not None and item.submission.received_at is not None:
        return _("财政局已下载该报送，不能撤回。")
    if (evaluation.finance_feedback or "").strip():
        return _("财政局已反馈意见，不能撤回。")
    return None


def feedback_recorded(evaluation, act):
    """Result application starts from the finance bureau's feedback."""
    if not (evaluation.finance_feedback or "").strip():
        return _("请先记录财政局的反馈意见。")
    return None


# Effects -----------------------------------------------------------------------------------

def snapshot_submission(evaluation, act):
    """Keep the evaluation as submitted: the reviewers' diff compares submissions. The review
    queue's counts of findings are recounted as it enters review (they follow every save
    already; this makes them exact whatever wrote the content)."""
    take_snapshot(evaluation, "submission", act.actor)
    signals.evaluation_content_changed.send(evaluation)


def freeze(evaluation, act):
    """Approval freezes the evaluation: its data is kept with a SHA-256, its report is
    rendered and signed by the department once and kept with the SHA-256 of the signed bytes
    (every later download serves those bytes; the 验真 page knows them by it), and the form
    refuses edits until the leader returns it."""
    snapshot = take_snapshot(evaluation, "approval", act.actor)
    snapshot.pdf = render_frozen_report(evaluation, serialized=snapshot.data)
    snapshot.pdf_sha256 = hashlib.sha256(snapshot.pdf).hexdigest()


def fix_targets(evaluation, act):
    """Approval fixes the targets: what was approved is kept (a 'targets' snapshot); from now on
    a change is a 目标调整 request."""
    targets.keep_approved(evaluation, act.actor)


def take_out_of_submission(evaluation, act):
    """A recalled evaluation leaves its batch; a batch left empty goes (its 发文字号 with it)."""
    item = _item(evaluation)
    if item is None:
        return
    submission = item.submission
    db.session.delete(item)
    db.session.flush()
    db.session.refresh(submission)
    if not submission.items:
        db.session.delete(submission)
