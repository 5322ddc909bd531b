"""Rules for plans, their stages, working group and projects."""
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from workflow import signals
from workflow.engine import definition, opinions, tasks
from workflow.errors import NotFound, ServiceError
from workflow.evaluations.services import sees_reported_only
from workflow.extensions import db
from workflow.models import Evaluation, Plan, PlanMember, Project, Section, Stage, User
from workflow.engine.definition import state_def, states_where
from workflow.selfeval import content, framework
from workflow.models.evaluations import derived_update
from workflow.models.plans import NEWEST_FIRST, STAGE_KINDS

STAGE_NAMES = {
    "prepare": _l("准备阶段"),
    "self_evaluate": _l("自评阶段"),
    "review": _l("复核阶段"),
    "report": _l("报送财政局"),
    "apply": _l("结果应用"),
}

GROUP_ROLE_LABELS = {"leader": _l("组长"), "deputy": _l("副组长"), "member": _l("成员")}

# The seed's timeline (month, day) for the year the evaluation runs: 准备阶段 6-10 → 6-30 and
# 自评阶段 7-02 → 7-30 are the seed's; the last three follow the seed's order of work.
DEFAULT_STAGE_DATES = {
    "prepare": ((6, 10), (6, 30)),
    "self_evaluate": ((7, 2), (7, 30)),
    "review": ((8, 3), (8, 21)),
    "report": ((8, 24), (8, 31)),
    "apply": ((9, 1), (12, 31)),
}


# The return period a plan may set, in working days.
RETURN_DAYS = (1, 60)
# Lengths a plan's texts may have (the plan form and the API say the same).
TITLE_LIMIT = 200
DOCUMENT_LIMIT = 300  # one basis document
TEXT_LIMITS = {"principles": 5000, "method": 5000, "requirements": 10000}
STAGE_NAME_LIMIT = 64
PROJECT_NAME_LIMIT = 200
LEADER_LIMIT = 64
TARGET_LIMIT = 5000


@dataclass
class PlanData:
    title: str
    budget_year: int
    run_year: int
    basis_documents: list = field(default_factory=list)
    principles: str = ""
    method: str = ""
    requirements: str = ""
    office_section_id: int | None = None
    return_working_days: int = 5
    # How the working group reviews (workflow/flow.py): engine.opinions.RULES.
    review_rule: str = "one"
    review_quorum: int = 2
    approval_required: bool = True
    # 绩效目标须经办公室审核 (workflow/flow.py: submit_targets, approve_targets).
    targets_approval: bool = False


def list_plans():
    return db.session.scalars(select(Plan).order_by(*NEWEST_FIRST)).all()


def get_plan(plan_id):
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("评价方案不存在。"))
    return plan


@cache
def _current_plan_query():
    """Built once per process (a SELECT holds no data; the dashboard asks on every view)."""
    return select(Plan).options(joinedload(Plan.stages)).order_by(*NEWEST_FIRST).limit(1)


def current_plan_id():
    """The current plan's id, as a scalar subquery: for a statement that reads rows of the
    current plan and nothing of the plan itself (the review queue), one statement less."""
    return select(Plan.id).order_by(*NEWEST_FIRST).limit(1).scalar_subquery()


def current_plan():
    """The plan the dashboard follows: the newest one, with its stages (one query)."""
    return db.session.scalar(_current_plan_query())


def _check(data):
    if not data.title.strip():
        raise ServiceError(_("方案名称不能为空。"))
    if len(data.title.strip()) > TITLE_LIMIT:
        raise ServiceError(_("方案名称不能超过 %(n)d 个字。", n=TITLE_LIMIT))
    if any(len(getattr(data, name).strip()) > limit for name, limit in TEXT_LIMITS.items()):
        raise ServiceError(_("填写的内容过长。"))
    if not (2000 <= data.budget_year <= 2100 and 2000 <= data.run_year <= 2100):
        raise ServiceError(_("年度应在 2000 到 2100 之间。"))
    if data.run_year < data.budget_year:
        raise ServiceError(_("评价年度不能早于被评价的预算年度。"))
    if not RETURN_DAYS[0] <= data.return_working_days <= RETURN_DAYS[1]:
        raise ServiceError(_("退回修改期限应在 %(low)d 到 %(high)d 个工作日之间。", low=RETURN_DAYS[0], high=RETURN_DAYS[1]))
    if data.review_rule not in opinions.RULES:
        raise ServiceError(_("复核方式无效。"))
    if not 2 <= data.review_quorum <= 20:
        raise ServiceError(_("会签通过人数应在 2 到 20 之间。"))
    if data.office_section_id is not None and db.session.get(Section, data.office_section_id) is None:
        raise ServiceError(_("所选科室不存在。"))
    documents = [line.strip() for line in data.basis_documents if line.strip()]
    if any(len(line) > DOCUMENT_LIMIT for line in documents):
        raise ServiceError(_("每条依据文件不能超过 %(n)d 个字。", n=DOCUMENT_LIMIT))
    return documents


def _apply(plan, data, documents):
    plan.title = data.title.strip()
    plan.budget_year = data.budget_year
    plan.run_year = data.run_year
    plan.basis_documents = documents
    plan.principles = data.principles.strip()
    plan.method = data.method.strip()
    plan.requirements = data.requirements.strip()
    plan.office_section_id = data.office_section_id
    plan.return_working_days = data.return_working_days
    plan.review_rule, plan.review_quorum = data.review_rule, data.review_quorum
    plan.approval_required = data.approval_required
    plan.targets_approval = data.targets_approval


def _under_review(plan):
    return db.session.scalar(select(Evaluation.id).where(
        Evaluation.plan_id == plan.id, Evaluation.state.in_(states_where("under_review"))).limit(1)) is not None


def _targets_started(plan):
    """Whether an evaluation of the plan has left 准备中 (its targets submitted, or its
    self-evaluation opened): the plan's way of setting targets is then fixed."""
    return db.session.scalar(select(Evaluation.id).where(
        Evaluation.plan_id == plan.id, Evaluation.state != definition.INITIAL_STATE).limit(1)) is not None


def default_stages(run_year):
    return [
        Stage(kind=kind, name=str(STAGE_NAMES[kind]), sort_order=index,
              start_date=date(run_year, *DEFAULT_STAGE_DATES[kind][0]),
              due_date=date(run_year, *DEFAULT_STAGE_DATES[kind][1]))
        for index, kind in enumerate(STAGE_KINDS)
    ]


def create_plan(data):
    documents = _check(data)
    plan = Plan()
    _apply(plan, data, documents)
    if plan.office_section_id is None:
        office = db.session.scalar(select(Section).where(Section.is_office.is_(True)))
        plan.office_section_id = office.id if office else None
    plan.stages = default_stages(data.run_year)
    framework.apply_template(plan, "self")
    framework.apply_default_outline(plan)
    db.session.add(plan)
    db.session.commit()
    return plan


def update_plan(plan, data):
    documents = _check(data)
    period_changed = plan.return_working_days != data.return_working_days
    review_changed = ((plan.review_rule, plan.review_quorum, plan.approval_required)
                      != (data.review_rule, data.review_quorum, data.approval_required))
    if review_changed and _under_review(plan):
        # A round runs by the rule it started with: its tasks and opinions were made for it.
        raise ServiceError(_("本方案尚有评价在复核或审批中，办结后才能更改复核方式和审批要求。"), code="conflict")
    if plan.targets_approval != data.targets_approval and _targets_started(plan):
        raise ServiceError(_("本方案已有项目提交绩效目标或开始自评，不能再更改绩效目标审核要求。"), code="conflict")
    _apply(plan, data, documents)
    if period_changed:   # the returned evaluations' tasks count from their return again
        db.session.flush()
        tasks.refresh_due_dates(plan.id)
    db.session.commit()
    return plan


def update_stages(plan, rows):
    """``rows``: {kind: (name, start_date, due_date)}; dates may be None while unknown.
    Open tasks move with their stage's new due date. A refusal names its field
    (ServiceError.fields: {(kind, "name" | "start_date" | "due_date"): message})."""
    def refuse(message, kind, field):
        return ServiceError(message, fields={(kind, field): message})

    for kind, (name, start, due) in rows.items():
        if kind not in STAGE_KINDS:
            raise ServiceError(_("未知的阶段。"))
        if not (name or "").strip():
            raise refuse(_("阶段名称不能为空。"), kind, "name")
        if len(name.strip()) > STAGE_NAME_LIMIT:
            raise refuse(_("阶段名称不能超过 %(n)d 个字。", n=STAGE_NAME_LIMIT), kind, "name")
        if start and due and start > due:
            raise refuse(_("“%(stage)s”的开始日期晚于截止日期。", stage=name.strip()), kind, "start_date")
    ordered = [(k, rows[k]) for k in STAGE_KINDS if k in rows and rows[k][1] and rows[k][2]]
    for ((_kind, earlier), (later_kind, later)) in zip(ordered, ordered[1:]):
        if later[1] < earlier[1]:
            raise refuse(_("阶段须按顺序排列：“%(later)s”不能早于“%(earlier)s”开始。",
                           later=later[0].strip(), earlier=earlier[0].strip()), later_kind, "start_date")
    for kind, (name, start, due) in rows.items():
        stage = plan.stage(kind)
        if stage is None:
            stage = Stage(kind=kind, sort_order=STAGE_KINDS.index(kind))
            plan.stages.append(stage)
        stage.name, stage.start_date, stage.due_date = name.strip(), start, due
    db.session.flush()
    tasks.refresh_due_dates(plan.id)
    db.session.commit()


def set_group(plan, leader_id, deputy_ids, member_ids):
    """The working group: one 组长, any number of 副组长 and 成员, each person once."""
    wanted = [(leader_id, "leader")] if leader_id else []
    wanted += [(uid, "deputy") for uid in deputy_ids] + [(uid, "member") for uid in member_ids]
    ids = [uid for uid, _role in wanted]
    if len(ids) != len(set(ids)):
        raise ServiceError(_("同一人在工作小组中只能担任一个职务。"))
    # Only people who may sign in: the group page offers no one else.
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)))} \
        if ids else {}
    if len(users) != len(ids):
        raise ServiceError(_("所选人员不存在。"))
    # Remove the old rows before adding the new ones: someone who stays in the group would
    # otherwise be inserted twice for a moment and break the (plan, user) unique key.
    plan.members = []
    db.session.flush()
    plan.members = [
        PlanMember(user_id=uid, group_role=role, sort_order=index) for index, (uid, role) in enumerate(wanted)
    ]
    db.session.commit()


def group_of(plan, role):
    return [m.user for m in plan.members if m.group_role == role]


def copy_plan(source, run_year=None):
    """Next year's plan from this one: same texts, group and stage names, dates a year on.
    Projects are not copied: each year evaluates its own."""
    run_year = run_year or source.run_year + 1
    shift = run_year - source.run_year
    if db.session.scalar(select(Plan.id).where(Plan.run_year == run_year, Plan.title == _next_title(source, shift))):
        raise ServiceError(_("%(year)d 年的方案已存在。", year=run_year), code="duplicate")
    plan = Plan(
        title=_next_title(source, shift),
        budget_year=source.budget_year + shift,
        run_year=run_year,
        basis_documents=list(source.basis_documents or []),
        principles=source.principles,
        method=source.method,
        requirements=source.requirements,
        office_section_id=source.office_section_id,
        # Its results feed this plan's budget (workflow/results/), with the office's settings.
        previous_plan_id=source.id,
        budget_advice=dict(source.budget_advice) if source.budget_advice else None,
        score_text_decimals=source.score_text_decimals,
        targets_approval=source.targets_approval,   # next year's targets are approved the same way
        monitoring_lag_points=source.monitoring_lag_points,
    )
    plan.stages = [
        Stage(kind=s.kind, name=s.name, sort_order=s.sort_order,
              start_date=shift_years(s.start_date, shift), due_date=shift_years(s.due_date, shift))
        for s in source.stages
    ]
    plan.members = [PlanMember(user_id=m.user_id, group_role=m.group_role, sort_order=m.sort_order) for m in source.members]
    framework.copy_plan_framework(source, plan)
    db.session.add(plan)
    signals.plan_copied.send(source, plan=plan, years=shift)
    db.session.commit()
    return plan


def _next_title(source, shift):
    title = source.title
    for old, new in ((source.run_year, source.run_year + shift), (source.budget_year, source.budget_year + shift)):
        title = title.replace(str(old), str(new))
    return title


def shift_years(day, years):
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Projects -------------------------------------------------------------------------------


def projects_of(plan, section_id=None, viewer=None):
    """The plan's projects, of one section if given; a ``viewer`` from the finance bureau
    gets only the reported ones (evaluations.services.sees_reported_only)."""
    query = (
        select(Project).where(Project.plan_id == plan.id)
        .options(selectinload(Project.evaluation), selectinload(Project.section))
        .order_by(Project.section_id, Project.name)
    )
    if section_id is not None:
        query = query.where(Project.section_id == section_id)
    if viewer is not None and sees_reported_only(viewer):
        query = query.join(Evaluation, Evaluation.project_id == Project.id).where(
            Evaluation.state.in_(states_where("with_finance")))
    return db.session.scalars(query).all()


def create_project(plan, name, section, actor=None, details=None, **fields):
    """A project with its evaluation in 准备中, its content rows, the section's task and the
    'create' audit record; flushed, not committed (an import creates many in one
    transaction). The caller has validated the name and section."""
    from workflow.engine import audit

    project = Project(plan_id=plan.id, name=name, section_id=section.id, budget_year=plan.budget_year, **fields)
    project.plan = plan
    project.section = section
    project.evaluation = Evaluation(state=definition.INITIAL_STATE, plan_id=plan.id, section_id=section.id)
    content.ensure_content(project.evaluation)
    signals.evaluation_content_changed.send(project.evaluation)  # the findings, stored with the INSERT
    db.session.add(project)
    db.session.flush()
    signals.project_created.send(project)
    tasks.create_tasks(project.evaluation)
    audit.record(project.evaluation, actor, "create", None, project.evaluation.state, details=details)
    return project


def add_project(plan, name, section_id, actor=None, category=None):
    """A project of the plan, with its evaluation waiting in 准备阶段 for its section; with a
    项目类别 its indicators start from that category's library entries."""
    from workflow.library.services import clean_category

    category = clean_category(category)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("项目名称不能为空。"))
    if len(name) > PROJECT_NAME_LIMIT:
        raise ServiceError(_("项目名称不能超过 %(n)d 个字。", n=PROJECT_NAME_LIMIT))
    section = db.session.get(Section, section_id) if section_id else None
    if section is None or not section.active:
        raise ServiceError(_("请选择在用的责任科室。"))
    if db.session.scalar(select(func.count()).select_from(Project).where(Project.plan_id == plan.id, Project.name == name)):
        raise ServiceError(_("本方案中已有名为“%(name)s”的项目。", name=name), code="duplicate")
    project = create_project(plan, name, section, actor, category=category)
    db.session.commit()
    return project


def open_self_evaluation(plan, actor, address=""):
    """Bulk: open self-evaluation for every project of the plan still in preparation (with
    the plan's targets approval: every project whose targets are approved)."""
    from workflow.engine import actions

    # From 准备中, or, when the plan's targets are approved first, from 目标已批复.
    sources = {state for t in definition.rows_for_plan(plan) if t.trigger == "open_self_evaluation" for state in t.source}
    ids = [p.evaluation.id for p in projects_of(plan) if p.evaluation.state in sources]
    return actions.perform_bulk(ids, "open_self_evaluation", actor, address)


def get_project(project_id, viewer=None):
    project = db.session.get(Project, project_id)
    if project is None or (viewer is not None and sees_reported_only(viewer)
                           and not state_def(project.evaluation.state).with_finance):
        raise NotFound(_("项目不存在。"))
    return project


def _copy_section(evaluation, section_id):
    """The evaluation's copy of its project's section (models.Evaluation.section_id), derived
    data: a form the section has open stays current."""
    db.session.execute(derived_update().where(Evaluation.__table__.c.id == evaluation.id).values(section_id=section_id))
    db.session.expire(evaluation, ["section_id"])  # read again from the row when next asked for


def update_project(project, name, section_id, leader_name, overall_target, actor, category=...):
    """The office corrects a project's name, section, leader, overall target or 项目类别
    (left as it is when not given). The section may change only before submission; its open
    section task moves with it."""
    from workflow.engine import audit
    from workflow.library.services import clean_category
    from workflow.models import Task

    category = project.category if category is ... else clean_category(category)

    if project.is_department:
        raise ServiceError(_("部门整体支出绩效自评的名称和填报科室不能修改。"), code="refused")
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("项目名称不能为空。"))
    if len(name) > PROJECT_NAME_LIMIT or len(leader_name) > LEADER_LIMIT or len(overall_target) > TARGET_LIMIT:
        raise ServiceError(_("填写的内容过长。"))
    clash = db.session.scalar(select(Project).where(Project.plan_id == project.plan_id, Project.name == name))
    if clash is not None and clash is not project:
        raise ServiceError(_("本方案中已有名为“%(name)s”的项目。", name=name), code="duplicate")
    section = db.session.get(Section, section_id) if section_id else None
    if section is None:
        raise ServiceError(_("请选择在用的责任科室。"))
    if section.id != project.section_id:
        if not state_def(project.evaluation.state).section_edits:
            raise ServiceError(_("自评提交后不能更换责任科室。"), code="refused")
        if not section.active:
            raise ServiceError(_("请选择在用的责任科室。"))
        for task in db.session.scalars(select(Task).where(
                Task.evaluation_id == project.evaluation.id, Task.completed_at.is_(None),
                Task.section_id == project.section_id)):
            task.section_id, task.assignee_id = section.id, None
        _copy_section(project.evaluation, section.id)
    changed = {key: value for key, value in (("name", name), ("section", section.name)) if
               (key == "name" and value != project.name) or (key == "section" and section.id != project.section_id)}
    project.name, project.section_id, project.category = name, section.id, category
    project.leader_name, project.overall_target = leader_name.strip(), overall_target.strip()
    if changed:
        audit.record(project.evaluation, actor, "project_edit", details=changed)
    signals.evaluation_content_changed.send(project.evaluation)  # the overall target is checked for amounts
    db.session.commit()
