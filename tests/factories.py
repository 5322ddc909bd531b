"""Workflow factories: plans with their stages, working groups, sections, people with roles,
projects, and evaluations walked to a given state through the real workflow.

Everything goes through the services (plans.create_plan, set_group, add_project,
actions.perform), so what a test builds is what the application would have built.

    org = make_org()                        # sections and one person per part
    plan = make_plan()                      # the seed's default stages for 2020
    make_group(plan, org.leader, deputies=[org.reviewer], members=[org.reviewer2])
    project = make_project(plan, "应急物资储备项目", org.section_a, org.office)
    walk_to(project.evaluation, "reviewed", org)
"""
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial

from workflow.engine import actions
from workflow.extensions import db
from workflow.models import Section, User
from workflow.models.people import hash_password
from workflow.plans import services as plans
from workflow.roles import Role
from workflow.selfeval.outline import labels

PASSWORD = "Passw0rd!x"  # the same as tests.conftest.PASSWORD: factory users can log in
RUN_YEAR = 2020
BUDGET_YEAR = 2019

OFFICE_SECTION = "规划财务科"
SECTION_A = "非煤矿山安全监督管理科"
SECTION_B = "危险化学品安全监督管理科"


@lru_cache(maxsize=1)
def _password_hash():
    """Hashed with the testing configuration's (cheap) method, as the app hashes passwords;
    one salted hash serves every factory user."""
    return hash_password(PASSWORD)


def make_section(name=SECTION_A, is_office=False, commit=True):
    section = Section(name=name, is_office=is_office)
    db.session.add(section)
    db.session.commit() if commit else db.session.flush()
    return section


def make_user(username="user", roles=(), section=None, full_name=None, password=None, email=None, commit=True,
              **fields):
    """A user with ``roles`` (Role members or codes) in ``section`` (a Section or None).
    They sign in with PASSWORD unless given another ``password``. ``commit=False`` only
    flushes (many users, one commit: commits are what makes tests slow)."""
    user = User(
        username=username,
        full_name=full_name or username,
        section_id=section.id if section is not None else None,
        email=f"{username}@yjj.example.cn" if email is None else email,
        password_hash=_password_hash() if password is None else hash_password(password),
        **fields,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.commit() if commit else db.session.flush()
    return user


def make_plan(title=None, run_year=RUN_YEAR, budget_year=BUDGET_YEAR, office_section=None, **fields):
    """A plan made by services.create_plan: the default stages of ``run_year``."""
    data = plans.PlanData(
        title=title or f"承德市应急管理局{run_year}年市级预算绩效部门重点评价工作方案",
        budget_year=budget_year,
        run_year=run_year,
        office_section_id=office_section.id if office_section is not None else None,
        **fields,
    )
    return plans.create_plan(data)


def make_group(plan, leader=None, deputies=(), members=()):
    """The plan's working group (组长, 副组长, 成员), set through services.set_group."""
    plans.set_group(plan, leader.id if leader is not None else None,
                    [u.id for u in deputies], [u.id for u in members])
    return plan


def make_project(plan, name, section, actor=None):
    """A project added by services.add_project: its evaluation waits in 准备中."""
    return plans.add_project(plan, name, section.id, actor)


def stage_due(plan, kind):
    return plan.stage(kind).due_date


@dataclass
class Org:
    """A small bureau: the office section and two business sections, one person per part.

    office      评价办公室 (office section)
    leader      组长 (no section, like the seed's 副局长)
    reviewer    复核人 (office section), reviewer2 复核人 (section B)
    outsider    复核人 who is not in any working group
    staff_a, staff_a2   科室经办人 of section A; staff_b of section B
    admin, finance      roles that never act in the workflow
    """

    office_section: Section
    section_a: Section
    section_b: Section
    office: User
    leader: User
    reviewer: User
    reviewer2: User
    outsider: User
    staff_a: User
    staff_a2: User
    staff_b: User
    admin: User
    finance: User
    extra: dict = field(default_factory=dict)


def make_org():
    office_section = make_section(OFFICE_SECTION, is_office=True, commit=False)
    section_a = make_section(SECTION_A, commit=False)
    section_b = make_section(SECTION_B, commit=False)
    user = partial(make_user, commit=False)
    org = Org(
        office_section=office_section,
        section_a=section_a,
        section_b=section_b,
        office=user("office", [Role.OFFICE], office_section, full_name="闫洪涛"),
        leader=user("leader", [Role.LEADER], None, full_name="姜立新"),
        reviewer=user("reviewer", [Role.REVIEWER], office_section, full_name="任志华"),
        reviewer2=user("reviewer2", [Role.REVIEWER], section_b, full_name="李东阳"),
        outsider=user("outsider", [Role.REVIEWER], section_b, full_name="局外人"),
        staff_a=user("staff_a", [Role.SECTION_STAFF], section_a, full_name="原立吉"),
        staff_a2=user("staff_a2", [Role.SECTION_STAFF], section_a, full_name="王建华"),
        staff_b=user("staff_b", [Role.SECTION_STAFF], section_b, full_name="王士学"),
        admin=user("admin", [Role.ADMIN], None, full_name="系统管理员"),
        finance=user("finance", [Role.FINANCE], None, full_name="市财政局绩效科"),
    )
    db.session.commit()
    return org


def make_setup(with_group=True):
    """An Org, a plan with default stages and (unless told otherwise) a working group:
    组长 leader, 副组长 reviewer, 成员 reviewer2. The outsider stays out."""
    org = make_org()
    plan = make_plan()
    if with_group:
        make_group(plan, org.leader, deputies=[org.reviewer], members=[org.reviewer2])
    return org, plan


# Walking an evaluation through the workflow ---------------------------------------------

PART_OF_ROLE = {Role.OFFICE: "office", Role.SECTION_STAFF: "staff", Role.REVIEWER: "reviewer", Role.LEADER: "leader"}
RETURN_COMMENT = "请补充佐证材料。"


def _paths(targets_approval=False):
    """How each state is reached from 准备中 on the seed plan's options (one reviewer, the
    组长 approves; its targets approved by the office first with ``targets_approval``): the
    shortest walk through the flow's rows, each step (trigger, part of the Org that fires it,
    comment). "staff" is the staff of the project's own section."""
    from types import SimpleNamespace

    from workflow.engine.definition import INITIAL_STATE, TRANSITIONS

    seed = SimpleNamespace(approval_required=True, review_rule="one", targets_approval=targets_approval)
    rows = [t for t in TRANSITIONS if not t.opinion and (t.plan_option is None or t.plan_option(seed))]
    paths, queue = {INITIAL_STATE: []}, [INITIAL_STATE]
    while queue:
        state = queue.pop(0)
        for t in rows:
            if state in t.source and t.dest not in paths:
                comment = RETURN_COMMENT if t.comment_required else ""
                paths[t.dest] = paths[state] + [(t.trigger, PART_OF_ROLE[t.role], comment)]
                queue.append(t.dest)
    return paths


PATHS = _paths()
TARGET_PATHS = _paths(targets_approval=True)  # a plan whose targets the office approves


def paths_for(plan):
    return TARGET_PATHS if plan.targets_approval else PATHS


def fill_targets(evaluation):
    """File an evaluation's 绩效目标 so that they may be submitted: the year's goal and every
    indicator's target (≥ 100), as fill_complete() later meets them."""
    from decimal import Decimal

    from workflow import scoring
    from workflow.selfeval import content
    from workflow.selfeval.framework import EXECUTION_RATE

    content.ensure_content(evaluation)
    evaluation.project.overall_target = evaluation.project.overall_target or "完成年度目标"
    for ind in evaluation.indicators:
        if ind.kind != EXECUTION_RATE:
            ind.nature, ind.target = scoring.POSITIVE, Decimal(100)
    db.session.commit()
    return evaluation


def fill_complete(evaluation, budget="206.632", executed="172.743"):
    """Fill an evaluation's self-evaluation so that it may be submitted: targets met, the
    budget block, the overall target and achievement, every required report section."""
    from decimal import Decimal

    from workflow import scoring
    from workflow.models import NarrativeSection
    from workflow.selfeval import content, services
    from workflow.selfeval.framework import EXECUTION_RATE

    content.ensure_content(evaluation)
    project = evaluation.project
    project.overall_target = project.overall_target or "完成年度目标"
    evaluation.overall_achievement = evaluation.overall_achievement or "已完成年度目标"
    rows = content.funding(evaluation)
    for kind in ("total", "current_year"):
        rows[kind].initial_budget = Decimal(budget)
        rows[kind].annual_budget = Decimal(budget)
        rows[kind].executed = Decimal(executed)
    for ind in evaluation.indicators:
        if ind.kind == EXECUTION_RATE:
            ind.actual = (Decimal(executed) / Decimal(budget) * 100).quantize(Decimal("0.01"))
        else:
            ind.nature, ind.target, ind.actual = scoring.POSITIVE, Decimal(100), Decimal(100)
    written = {s.key for s in evaluation.narrative}
    names = labels(project.plan.report_sections)
    for outline in project.plan.report_sections:
        if outline.key not in written:
            evaluation.narrative.append(NarrativeSection(key=outline.key, text=f"{names[outline.key]}：内容。"))
    services.recompute(evaluation)
    db.session.commit()
    return evaluation


def include_in_submission(evaluation, office):
    """Put an approved evaluation into a submission to the finance bureau (报送批次)."""
    from workflow.models import Submission, SubmissionItem
    from workflow.selfeval.services import last_snapshot

    submission = Submission(plan_id=evaluation.project.plan_id, title="报送", created_by_id=office.id)
    submission.items.append(SubmissionItem(evaluation_id=evaluation.id,
                                           snapshot_id=last_snapshot(evaluation, "approval").id))
    db.session.add(submission)
    db.session.commit()


def prepare_step(evaluation, trigger, actors):
    """What a step needs before it may fire: a complete form before submission, a
    submission batch before reporting, the finance bureau's feedback before application."""
    if trigger in ("submit", "resubmit"):
        fill_complete(evaluation)
    elif trigger == "submit_targets":
        fill_targets(evaluation)
    elif trigger == "report":
        include_in_submission(evaluation, actors["office"])
    elif trigger == "apply":
        evaluation.finance_feedback = evaluation.finance_feedback or "同意评价结论。"
        db.session.commit()


def walk_to(evaluation, state, actors):
    """Fire the PATHS steps (TARGET_PATHS on a plan whose targets are approved) for ``state`` with ``actors``: an Org, or a dict with the keys
    office, staff, reviewer, leader. With an Org, staff is staff_a or staff_b by section."""
    if isinstance(actors, Org):
        org = actors
        staff = org.staff_a if evaluation.project.section_id == org.section_a.id else org.staff_b
        actors = {"office": org.office, "staff": staff, "reviewer": org.reviewer, "leader": org.leader}
    for trigger, part, comment in paths_for(evaluation.project.plan)[state]:
        prepare_step(evaluation, trigger, actors)
        actions.perform(evaluation.id, trigger, actors[part], comment=comment)
    assert evaluation.state == state, (evaluation.state, state)
    return evaluation


def make_evaluation(plan, org, state="preparing", name="应急物资储备项目", section=None):
    """A project of ``plan`` whose evaluation has been walked to ``state``."""
    project = make_project(plan, name, section or org.section_a, org.office)
    walk_to(project.evaluation, state, org)
    return project.evaluation


def make_approved(plan, org, name, section, budget, executed):
    """An evaluation of a new project walked to 已审批 with its own budget figures (全年预算数,
    全年执行数, as strings), submitted by its section's staff. Not walk_to(…, "approved"):
    that fills the form with the default figures on submission."""
    evaluation = make_project(plan, name, section, org.office).evaluation
    walk_to(evaluation, "self_evaluating", org)
    fill_complete(evaluation, budget=budget, executed=executed)
    staff = org.staff_a if section.id == org.section_a.id else org.staff_b
    actions.perform(evaluation.id, "submit", staff)
    actions.perform(evaluation.id, "pass_review", org.reviewer)
    actions.perform(evaluation.id, "approve", org.leader)
    return evaluation


def day(month, day_of_month, year=RUN_YEAR):
    return date(year, month, day_of_month)


# The seed's documents ----------------------------------------------------------------------

SEED_MINE = "2019年度金属非金属矿山“专家会诊”隐患排查项目"


def make_seed_mine(org, plan):
    """The seed's mine project in ``plan`` (with the seed's adjusted framework), its form
    filled as the seed's report has it: the evaluation."""
    from workflow import demo_content

    demo_content.adjust_plan_framework(plan)
    project = make_project(plan, SEED_MINE, org.section_a, org.office)
    demo_content.fill_mine_project(project.evaluation)
    return project.evaluation


def make_seed_plan(org):
    """The seed's plan: its title, texts and basis documents, and a group of the seed's
    shape (组长, two 副组长, two 成员)."""
    from workflow import demo

    plan = make_plan(title=demo.PLAN_TITLE, basis_documents=list(demo.BASIS_DOCUMENTS),
                     principles=demo.PRINCIPLES, method=demo.METHOD, requirements=demo.REQUIREMENTS)
    deputy = make_user("quzhiqing", ["reviewer"], org.section_b, full_name="曲志清")
    make_group(plan, org.leader, deputies=[org.office, deputy], members=[org.reviewer, org.reviewer2])
    return plan


def approve(org, evaluation):
    """Walk a filled evaluation of section A from 准备中 to 已审批 by the shortest path."""
    for trigger, who in (("open_self_evaluation", org.office), ("submit", org.staff_a),
                         ("pass_review", org.reviewer), ("approve", org.leader)):
        actions.perform(evaluation.id, trigger, who)
