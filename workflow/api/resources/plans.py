"""Plans (评价方案), their stages, working group and projects: readable by the same roles as
the plan pages; created and changed by the office through the services the pages call."""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from workflow.api import guards, present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.plan_schemas import (
    CopyInput,
    GroupInput,
    OpenedSchema,
    PlanChangeInput,
    PlanInput,
    ProjectEditInput,
    ProjectInput,
    StagesInput,
)
from workflow.api.schemas import MemberSchema, PlanDetailSchema, PlanSchema, ProjectQuery, ProjectSchema, StageSchema
from workflow.errors import ServiceError
from workflow.permissions import roles
from workflow.plans import services
from workflow.roles import Role

bp = api_blueprint("plans", "评价方案、阶段、工作小组与项目")
# The roles of the pages plans.index and plans.detail.
plan_readers = roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
office_only = roles(Role.OFFICE)

OFFICE_ONLY = "只有办公室可以执行"
NO_PLAN = "评价方案不存在"
NO_PROJECT = "项目不存在"
INVALID = "数值不符合要求（字段说明见 details）"


def _plan_exists(plan_id, **_kwargs):
    services.get_plan(plan_id)  # NotFound: 404 before the body's 422


def _project_exists(project_id, **_kwargs):
    services.get_project(project_id)


@bp.route("/plans")
@bp.response(200, PlanSchema(many=True))
@plan_readers
def list_plans():
    """All plans, newest first."""
    return [present.plan(p) for p in services.list_plans()]


@bp.route("/plans", methods=["POST"])
@bp.arguments(PlanInput)
@bp.response(201, PlanDetailSchema)
@refusals(bp, {403: OFFICE_ONLY, 422: INVALID + "；评价年度早于预算年度；科室不存在"})
@office_only
def create_plan(data):
    """A new plan with the default stages (the seed's timeline in ``run_year``) and the
    单位自评 framework, as the page 新建评价方案 makes it."""
    plan = services.create_plan(_plan_data(data))
    return present.plan_detail(plan)


def _plan_data(data, plan=None):
    """The body as the services' PlanData; keys not sent keep the plan's values (or the
    defaults of a new plan)."""
    def value(key, default):
        return data[key] if key in data else (getattr(plan, key) if plan is not None else default)

    defaults = services.PlanData(title="", budget_year=0, run_year=0)
    return services.PlanData(
        title=value("title", ""), budget_year=value("budget_year", 0), run_year=value("run_year", 0),
        basis_documents=list(value("basis_documents", []) or []),
        principles=value("principles", ""), method=value("method", ""), requirements=value("requirements", ""),
        office_section_id=value("office_section_id", None),
        return_working_days=value("return_working_days", defaults.return_working_days),
        review_rule=value("review_rule", defaults.review_rule),
        review_quorum=value("review_quorum", defaults.review_quorum),
        approval_required=value("approval_required", defaults.approval_required),
        targets_approval=value("targets_approval", defaults.targets_approval),
    )


@bp.route(f"/plans/<{ID}:plan_id>")
@refusals(bp, 403, 404)
@bp.response(200, PlanDetailSchema)
@plan_readers
def get_plan(plan_id):
    """One plan with its stages and working group."""
    return present.plan_detail(services.get_plan(plan_id))


@bp.route(f"/plans/<{ID}:plan_id>", methods=["PATCH"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(PlanChangeInput(partial=True))
@bp.response(200, PlanDetailSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 409: "复核方式或审批要求不能在有评价复核、审批中时更改；绩效目标审核要求不能在项目提交目标后更改",
               422: INVALID + "；评价年度早于预算年度；科室不存在"})
@office_only
def update_plan(data, plan_id):
    """Change the plan: only the keys sent change."""
    plan = services.get_plan(plan_id)
    services.update_plan(plan, _plan_data(data, plan))
    return present.plan_detail(plan)


@bp.route(f"/plans/<{ID}:plan_id>/copy", methods=["POST"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(CopyInput)
@bp.response(201, PlanDetailSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 409: "该年度的同名方案已存在", 422: INVALID})
@office_only
def copy_plan(data, plan_id):
    """Next year's plan from this one: texts, group, framework and stages (dates moved by
    the years between); no projects."""
    return present.plan_detail(services.copy_plan(services.get_plan(plan_id), data["run_year"]))


@bp.route(f"/plans/<{ID}:plan_id>/stages")
@refusals(bp, 403, 404)
@bp.response(200, StageSchema(many=True))
@plan_readers
def list_stages(plan_id):
    """The plan's stages with their dates."""
    return [present.stage(s) for s in services.get_plan(plan_id).stages]


@bp.route(f"/plans/<{ID}:plan_id>/stages", methods=["PUT"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(StagesInput)
@bp.response(200, StageSchema(many=True))
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 422: INVALID + "；开始晚于截止；阶段顺序颠倒"})
@office_only
def put_stages(data, plan_id):
    """Save the stages sent (names and dates; a date may be null while unknown). The open
    tasks' due dates move with them."""
    plan = services.get_plan(plan_id)
    kinds = [row["kind"] for row in data["stages"]]
    if len(kinds) != len(set(kinds)):  # a rule of the body no JSON schema can state
        raise ServiceError(_("每个阶段只能出现一次。"))
    services.update_stages(plan, {row["kind"]: (row["name"], row["start_date"], row["due_date"])
                                  for row in data["stages"]})
    return [present.stage(s) for s in plan.stages]


@bp.route(f"/plans/<{ID}:plan_id>/group")
@bp.response(200, MemberSchema(many=True))
@plan_readers
def get_group(plan_id):
    """The working group (评价工作小组), as the plan's page shows it."""
    return present.group(services.get_plan(plan_id))


@bp.route(f"/plans/<{ID}:plan_id>/group", methods=["PUT"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(GroupInput)
@bp.response(200, MemberSchema(many=True))
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 422: INVALID + "；同一人担任两个职务；人员不存在或已停用"})
@office_only
def put_group(data, plan_id):
    """Set the whole working group: one 组长 (or none), 副组长 and 成员 by user id."""
    plan = services.get_plan(plan_id)
    services.set_group(plan, data["leader_id"], data["deputy_ids"], data["member_ids"])
    return present.group(plan)


@bp.route(f"/plans/<{ID}:plan_id>/projects")
@refusals(bp, 403, 404)
@bp.arguments(ProjectQuery, location="query", as_kwargs=True)
@bp.response(200, ProjectSchema(many=True))
@plan_readers
def list_projects(plan_id, section=None):
    """The plan's projects with their evaluation's state, optionally of one section."""
    plan = services.get_plan(plan_id)
    return [present.project(p) for p in services.projects_of(plan, section, viewer=current_user)]


@bp.route(f"/plans/<{ID}:plan_id>/projects", methods=["POST"])
@guards.rule_before_body(_plan_exists)
@bp.arguments(ProjectInput)
@bp.response(201, ProjectSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN, 409: "本方案中已有同名项目", 422: INVALID + "；科室不存在或已停用"})
@office_only
def add_project(data, plan_id):
    """A project of the plan, its evaluation 准备中 with its section's first task."""
    plan = services.get_plan(plan_id)
    return present.project(services.add_project(plan, data["name"], data["section_id"], current_user,
                                                category=data.get("category")))


@bp.route(f"/plans/<{ID}:plan_id>/open-self-evaluation", methods=["POST"])
@bp.response(200, OpenedSchema)
@refusals(bp, {403: OFFICE_ONLY, 404: NO_PLAN})
@office_only
def open_self_evaluation(plan_id):
    """开始自评 for every project still 准备中, each on its own: the opened evaluations, and
    the refused ones with the reason (as the page's messages)."""
    plan = services.get_plan(plan_id)
    opened, refused = services.open_self_evaluation(plan, current_user, request.remote_addr)
    return {"opened": opened, "refused": [{"evaluation_id": i, "reason": reason} for i, reason in refused]}


@bp.route(f"/projects/<{ID}:project_id>")
@refusals(bp, 403, 404)
@bp.response(200, ProjectSchema)
@plan_readers
def get_project(project_id):
    """One project (as listed on its plan's page)."""
    return present.project(services.get_project(project_id, viewer=current_user))


@bp.route(f"/projects/<{ID}:project_id>", methods=["PATCH"])
@guards.rule_before_body(_project_exists)
@bp.arguments(ProjectEditInput)
@bp.response(200, ProjectSchema)
@refusals(bp, {403: OFFICE_ONLY + "；自评提交后更换责任科室", 404: NO_PROJECT, 409: "本方案中已有同名项目",
               422: INVALID + "；科室不存在或已停用"})
@office_only
def update_project(data, project_id):
    """Correct a project's name, section, leader or overall target: only the keys sent change."""
    project = services.get_project(project_id)
    services.update_project(project, data.get("name", project.name), data.get("section_id", project.section_id),
                            data.get("leader_name", project.leader_name),
                            data.get("overall_target", project.overall_target), current_user,
                            category=data["category"] if "category" in data else ...)
    return present.project(project)
