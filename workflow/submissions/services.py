"""Rules of submissions, feedback and rectifications."""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from workflow import clock, document_number, scoring
from workflow.engine import actions, audit, notify, tasks
from workflow.engine.definition import state_def
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import (Evaluation, PlanMember, Project, Rectification, Section, Submission, SubmissionItem,
                             Task, User)
from workflow.roles import Role
from workflow.selfeval.services import last_snapshot


@dataclass
class SummaryRow:
    evaluation_id: int
    project: str
    section: str
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    grade: str | None
    advice: object = None  # its 预算安排建议 (results.advice.Advice), as of today: rectifications hold it back
    # The department's evaluation (部门整体): listed, but not one of the projects summed.
    department: bool = False

    @property
    def grade_label(self):
        return scoring.GRADE_LABELS[self.grade] if self.grade else ""


def _decimal(value):
    return Decimal(value) if value not in (None, "") else None


def summary_row(evaluation, data):
    """A line of the summary table, from the frozen data (what was approved is what goes)."""
    total = data["funding"].get("total", {})
    budget, executed = _decimal(total.get("annual_budget")), _decimal(total.get("executed"))
    rate = scoring.execution_rate(budget, executed) if budget and executed is not None else None
    return SummaryRow(evaluation.id, data["project"]["name"], data["project"]["section"], budget, executed,
                      rate, _decimal(data.get("total_score")), data.get("grade"), department="department" in data)


def ready_to_report(plan):
    """Approved evaluations of the plan not yet in a submission."""
    submitted = select(SubmissionItem.evaluation_id)
    return db.session.scalars(
        select(Evaluation).join(Project, Evaluation.project_id == Project.id)
        .options(joinedload(Evaluation.project).joinedload(Project.section))
        .where(Project.plan_id == plan.id, Evaluation.state == "approved", Evaluation.id.not_in(submitted))
        .order_by(Project.section_id, Project.name)
    ).unique().all()


def compose(plan, evaluation_ids, title, note, actor, address=""):
    """Put approved evaluations into one submission with their frozen snapshots, and report
    each (approved → reported). Everything is checked before anything is written."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("请填写报送批次名称。"))
    if len(title) > 200 or len(note or "") > 5000:
        raise ServiceError(_("报送批次名称或说明过长。"))
    candidates = {e.id: e for e in ready_to_report(plan)}
    chosen = [candidates.get(i) for i in dict.fromkeys(evaluation_ids)]
    if not chosen:
        raise ServiceError(_("请至少选择一个已审批的项目。"))
    if any(e is None for e in chosen):
        raise ServiceError(_("所选项目中有未审批或已报送的项目，请刷新后重试。"), code="concurrent_change")
    submission = Submission(plan_id=plan.id, title=title, note=(note or "").strip(), created_by_id=actor.id,
                            signer=default_signer(plan))
    for evaluation in chosen:
        submission.items.append(SubmissionItem(evaluation_id=evaluation.id,
                                               snapshot_id=last_snapshot(evaluation, "approval").id))
    db.session.add(submission)
    db.session.flush()
    # One transaction for the batch and every 报送: a process stopped half-way must not leave
    # a batch whose evaluations were never reported (and, being in a batch, could never be
    # chosen again). A refused evaluation is taken out of the batch; a concurrent change
    # rolls everything back (perform says so).
    refused = []
    for evaluation, item in zip(chosen, list(submission.items)):
        try:
            actions.perform(evaluation.id, "report", actor, address=address, commit=False)
        except ServiceError as error:
            if error.code == actions.CONCURRENT_CHANGE:
                raise
            submission.items.remove(item)
            refused.append((evaluation.id, error.message))
    if len(refused) == len(chosen):
        db.session.rollback()
        raise ServiceError(refused[0][1])
    db.session.commit()
    return submission, refused


def may_recall(submission):
    """Until the finance bureau has downloaded it (or answered one of its evaluations)."""
    return submission.received_at is None and not any(
        (item.evaluation.finance_feedback or "").strip() for item in submission.items)


def recall(submission, comment, actor, address=""):
    """The office takes a 报送 back (撤回报送): each evaluation returns to 已审批 (the flow's
    recall_report, which takes it out of the batch), and the emptied batch goes, its 发文字号
    free again. One transaction: all of it or nothing."""
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_("撤回报送时必须填写原因。"))
    if not may_recall(submission):
        raise ServiceError(_("财政局已下载或反馈，不能撤回该报送。"), code=LOCKED)
    title = submission.title
    for evaluation_id in [item.evaluation_id for item in submission.items]:
        actions.perform(evaluation_id, "recall_report", actor, comment=comment, address=address, commit=False)
    db.session.commit()
    return title


# 发文字号 and 签发人 -----------------------------------------------------------------------
# The covering report goes up to 市财政局 (a 上行文), so under GB/T 9704 it carries a 发文字号
# (承应急〔2020〕12号: 机关代字, the year in 〔〕, the number without 第 or leading zeros) and
# the name of its 签发人. The office sets them; once the bureau has downloaded the submission
# (received_at) the paper it holds must stay the paper the system gives, so they are fixed.

LOCKED = "locked"


def default_signer(plan):
    """The plan's 组长, who signs off what goes to the bureau; "" when the plan has none."""
    name = db.session.scalar(
        select(User.full_name).join(PlanMember, PlanMember.user_id == User.id)
        .where(PlanMember.plan_id == plan.id, PlanMember.group_role == "leader")
        .order_by(PlanMember.sort_order, PlanMember.id).limit(1))
    return name or ""


def may_change_document(submission):
    return submission.received_at is None


def set_document(submission, number, signer, actor):
    """The office sets the covering report's 发文字号 and 签发人 (both at once; "" clears
    one). Everything is checked before anything changes."""
    if Role.OFFICE not in actor.roles:
        raise ServiceError(_("只有办公室可以设置发文字号和签发人。"), code="forbidden")
    if not may_change_document(submission):
        raise ServiceError(_("市财政局已下载本批报送材料，发文字号和签发人不能再修改。"), code=LOCKED)
    number, signer = (number or "").strip(), (signer or "").strip()
    if len(number) > document_number.DOCUMENT_NUMBER_MAX:
        raise ServiceError(_("发文字号不能超过 %(n)d 个字。", n=document_number.DOCUMENT_NUMBER_MAX))
    if number and (problem := document_number.document_number_problem(number)):
        raise ServiceError(problem)
    if len(signer) > document_number.SIGNER_MAX or re.search(r"[\x00-\x1f\x7f]", signer):
        raise ServiceError(_("签发人姓名不能超过 %(n)d 个字，且不能换行。", n=document_number.SIGNER_MAX))
    if number and db.session.scalar(select(Submission.id).where(Submission.document_number == number,
                                                               Submission.id != submission.id).limit(1)):
        raise ServiceError(_("发文字号“%(number)s”已用于另一批报送材料。", number=number), code="duplicate")
    submission.document_number, submission.signer = number, signer
    db.session.commit()
    return submission


def mark_received(submission, user):
    """The finance bureau's first download of the submission: from then on its 发文字号 and
    签发人 are fixed. One conditional UPDATE, so two first downloads at once record one time."""
    if Role.FINANCE not in user.roles or submission.received_at is not None:
        return
    db.session.execute(update(Submission).where(Submission.id == submission.id, Submission.received_at.is_(None))
                       .values(received_at=clock.now()))
    db.session.commit()


def get_submission(submission_id):
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(_("报送批次不存在。"))
    return submission


def list_submissions(plan=None):
    query = select(Submission).order_by(Submission.created_at.desc(), Submission.id.desc())
    if plan is not None:
        query = query.where(Submission.plan_id == plan.id)
    return db.session.scalars(query).all()


def rows_of(submission):
    # One query for the items with their evaluations and snapshots (the PDFs stay deferred),
    # not two per item: a package of 300 evaluations reads these rows too.
    items = db.session.scalars(
        select(SubmissionItem).where(SubmissionItem.submission_id == submission.id)
        .options(selectinload(SubmissionItem.evaluation), selectinload(SubmissionItem.snapshot))
        .order_by(SubmissionItem.id)
    ).all()
    from workflow.results.advice import advice_of_many

    advice = advice_of_many([item.evaluation for item in items], submission.plan)
    rows = [summary_row(item.evaluation, item.snapshot.data) for item in items]
    for item, row in zip(items, rows):
        row.advice = advice[item.evaluation_id]
    return rows


def project_rows(rows):
    """The rows of projects: the department's evaluation, whose budget holds the projects'
    money too, is left out of every sum and count of projects."""
    return [row for row in rows if not row.department]


def totals(rows):
    rows = project_rows(rows)
    budget = sum((r.budget for r in rows if r.budget is not None), Decimal(0))
    executed = sum((r.executed for r in rows if r.executed is not None), Decimal(0))
    rate = scoring.execution_rate(budget, executed) if budget else None
    return budget, executed, rate


# Result application ----------------------------------------------------------------------


def record_feedback(evaluation, text, actor, address=""):
    if not state_def(evaluation.state).with_finance:
        raise ServiceError(_("只有已报送的评价才能记录财政局反馈。"), code="refused")
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写财政局的反馈意见。"))
    if len(text) > 5000:
        raise ServiceError(_("反馈意见不能超过 5000 个字。"))
    evaluation.finance_feedback = text
    evaluation.updated_at = clock.now()
    audit.record(evaluation, actor, "feedback", evaluation.state, evaluation.state, text, address)
    db.session.commit()


def record_plan_result(plan, text):
    text = (text or "").strip()
    if len(text) > 10000:
        raise ServiceError(_("结果应用说明不能超过 10000 个字。"))
    plan.result_summary = text
    db.session.commit()


# Rectification (问题整改) ------------------------------------------------------------------


def add_rectification(evaluation, problem, measure, section_id, due, actor):
    if not state_def(evaluation.state).with_finance:
        raise ServiceError(_("问题整改在报送财政局之后登记。"))
    problem, measure = (problem or "").strip(), (measure or "").strip()
    if not problem:
        raise ServiceError(_("请填写存在的问题。"))
    if len(problem) > 2000 or len(measure) > 2000:
        raise ServiceError(_("问题或整改措施不能超过 2000 个字。"))
    section = db.session.get(Section, section_id) if section_id else None
    if section is None or not section.active:
        raise ServiceError(_("请选择在用的责任科室。"))
    if not isinstance(due, date):
        raise ServiceError(_("请填写整改期限。"))
    if due < tasks.today():
        raise ServiceError(_("整改期限不能早于今天。"))
    item = Rectification(evaluation_id=evaluation.id, problem=problem, measure=measure, section_id=section.id,
                         due_date=due, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    task = Task(evaluation_id=evaluation.id, state=tasks.RECTIFICATION, role=Role.SECTION_STAFF.value,
                section_id=section.id, due_date=due, rectification_id=item.id)
    db.session.add(task)
    db.session.flush()
    notify.notify(tasks.users_to_act(task),
                  lambda: _("问题整改：%(problem)s（%(project)s），期限 %(due)s。", problem=problem[:60],
                            project=evaluation.project.name, due=due.isoformat()),
                  tasks.evaluation_link(evaluation.id))
    audit.record(evaluation, actor, "rectification", details={"problem": problem, "section": section.name,
                                                               "due": due.isoformat()})
    db.session.commit()
    return item


def rectifications_of(evaluation):
    return db.session.scalars(
        select(Rectification).options(joinedload(Rectification.section))
        .where(Rectification.evaluation_id == evaluation.id).order_by(Rectification.id)
    ).all()


def get_rectification(rectification_id):
    item = db.session.get(Rectification, rectification_id)
    if item is None:
        raise NotFound(_("整改事项不存在。"))
    return item


def may_close(item, user):
    if item.closed_at is not None:
        return False
    return Role.OFFICE in user.roles or (Role.SECTION_STAFF in user.roles and user.section_id == item.section_id)


def close_rectification(item, note, actor):
    if not may_close(item, actor):
        raise ServiceError(_("只有责任科室或办公室可以办结整改事项。"), code="refused")
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写整改情况。"))
    if len(note) > 2000:
        raise ServiceError(_("整改情况不能超过 2000 个字。"))
    now = clock.now()
    item.closed_at, item.closing_note = now, note
    for task in db.session.scalars(select(Task).where(Task.rectification_id == item.id, Task.completed_at.is_(None))):
        task.completed_at, task.completed_by_id = now, actor.id
    audit.record(item.evaluation, actor, "rectification_closed", details={"problem": item.problem, "note": note})
    db.session.commit()
