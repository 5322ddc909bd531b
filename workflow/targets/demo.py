"""The demo's approved targets: the seed's plan asks for 绩效目标审核, so each project that
self-evaluates has its targets filed by its section and approved by the office (闫洪涛) before
self-evaluation opens, through the real workflow; one project has a 目标调整 request waiting
for the office."""
from decimal import Decimal

from workflow import demo_content, scoring
from workflow.engine import actions
from workflow.extensions import db
from workflow.roles import Role
from workflow.selfeval import content
from workflow.selfeval.framework import EXECUTION_RATE
from workflow.targets import services

OFFICE_LOGIN = "yanhongtao"
# (project, indicator, new target, reason) of the request left waiting for the office.
PENDING_CHANGE = (
    "危险化学品企业安全生产执法检查项目", "实际完成率", "95",
    "部分企业因停产整顿无法按计划开展现场检查，申请将实际完成率目标由100%调整为95%。",
)


def _fill_targets(evaluation, figures):
    """The targets the demo's content later meets (demo_content), filed in 准备阶段. The
    indicators keep their framework names: demo_content's fill renames the mine's three, by
    these names, when it writes the actual values."""
    content.ensure_content(evaluation)
    if figures == "mine":
        indicators, goal = demo_content.MINE_INDICATORS, demo_content.MINE_TARGET
        evaluation.project.leader_name = demo_content.MINE_LEADER
    else:
        indicators, goal = demo_content.generic_indicators(), demo_content.GENERIC_TARGET
    evaluation.project.overall_target = goal
    for ind in evaluation.indicators:
        if ind.kind == EXECUTION_RATE or ind.name not in indicators:
            continue
        nature, unit, target, _actual, _band = indicators[ind.name]
        ind.nature, ind.unit = nature, unit
        if nature == scoring.QUALITATIVE:
            ind.target_text = target
        else:
            ind.target = Decimal(target)
    db.session.commit()


def _staff_of(project, users, steps):
    submitter = next((login for trigger, login, _comment in steps if trigger == "submit"), None)
    if submitter:
        return users[submitter]
    return next(u for _login, u in sorted(users.items())
                if Role.SECTION_STAFF in u.roles and u.section_id == project.section_id)


def submit_and_approve(evaluation, staff, office):
    """An evaluation whose targets are written: submitted by ``staff``, approved by ``office``
    (any other demo evaluation of the plan, e.g. one filled by its own demo module, can use it
    before its 开始自评)."""
    actions.perform(evaluation.id, "submit_targets", staff, address="demo")
    actions.perform(evaluation.id, "approve_targets", office, address="demo")


def load_targets(project, figures, steps, users):
    """Before the project's own steps: its targets filed and approved when it goes on to
    self-evaluation (a project that stays in 准备中 keeps its targets to write)."""
    if not project.plan.targets_approval or not steps:
        return
    evaluation = project.evaluation
    _fill_targets(evaluation, figures)
    staff = _staff_of(project, users, steps)
    submit_and_approve(evaluation, staff, users[OFFICE_LOGIN])
    name, indicator, target, reason = PENDING_CHANGE
    if project.name == name:
        ind = next(i for i in evaluation.indicators if i.name == indicator)
        services.request_change(evaluation.id, staff, [services.IndicatorTarget(ind.id, target=target)],
                                reason=reason, address="demo")
