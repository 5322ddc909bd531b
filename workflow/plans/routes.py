from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import scoring
from workflow.admin import services as people
from workflow.admin.forms import ConfirmForm
from workflow.engine import tasks, workdays
from workflow.engine.definition import STATES, state_def
from workflow.errors import NotFound, ServiceError
from workflow.forms import flash_errors
from workflow.library.terms import CATEGORIES
from workflow.permissions import roles
from workflow.plans import bp, services
from workflow.plans import days_off as days_off_service
from workflow.plans.forms import (
    CopyPlanForm,
    DayOffForm,
    GroupForm,
    PlanForm,
    ProjectEditForm,
    ProjectForm,
    StagesForm,
)
from workflow.refusals import form_status, page_with_status, refused
from workflow.results import views as results_views
from workflow.roles import Role
from workflow.selfeval import framework
from workflow.plans.lookup import plan_or_404

office_only = roles(Role.OFFICE)


def _plan_data(form, plan=None):
    documents = form.basis_documents.data or ""
    if isinstance(documents, str):
        documents = documents.splitlines()
    # else: the field was left out of the POST and still holds the plan's own list
    return services.PlanData(
        title=form.title.data or "",
        budget_year=form.budget_year.data,
        run_year=form.run_year.data,
        basis_documents=list(documents),
        principles=form.principles.data or "",
        method=form.method.data or "",
        requirements=form.requirements.data or "",
        office_section_id=form.office_section_id.data,
        # Left out of the form: the plan keeps its period (a new plan gets the default).
        return_working_days=(form.return_working_days.data if form.return_working_days.data is not None
                             else plan.return_working_days if plan else services.PlanData.return_working_days),
        # Left out of the POST (an older page): the plan's own (or the defaults).
        review_rule=form.review_rule.data if "review_rule" in request.form else (
            plan.review_rule if plan else services.PlanData.review_rule),
        review_quorum=form.review_quorum.data if form.review_quorum.data is not None else (
            plan.review_quorum if plan else services.PlanData.review_quorum),
        approval_required=form.approval_required.data != "no" if "approval_required" in request.form else (
            plan.approval_required if plan else True),
        targets_approval=form.targets_approval.data == "yes" if "targets_approval" in request.form else (
            plan.targets_approval if plan else services.PlanData.targets_approval),
    )


@bp.route("/")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
def index():
    return render_template("plans/index.html", plans=services.list_plans())


@bp.route("/new", methods=["GET", "POST"])
@office_only
def new():
    refusal = None
    form = PlanForm(sections=people.active_sections())
    if request.method == "GET":
        year = tasks.today().year
        form.run_year.data, form.budget_year.data = year, year - 1
    if form.validate_on_submit():
        try:
            plan = services.create_plan(_plan_data(form))
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已创建评价方案，并按默认时间设置了各阶段，请核对。"), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=None), form_status(refusal)


@bp.route("/<int:plan_id>")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
def detail(plan_id):
    plan = plan_or_404(plan_id)
    section_id = request.args.get("section", type=int)
    projects = services.projects_of(plan, section_id, viewer=current_user)
    return render_template(
        "plans/detail.html",
        plan=plan,
        projects=projects,
        today=tasks.today(),
        workdays_known=workdays.known_year(plan.run_year),
        state_def=state_def,
        states=STATES,
        group_of=services.group_of,
        group_labels=services.GROUP_ROLE_LABELS,
        project_form=ProjectForm(sections=people.active_sections()),
        confirm=ConfirmForm(),
        copy_form=CopyPlanForm(run_year=plan.run_year + 1),
        sections=people.list_sections(),
        section_id=section_id,
        may_manage=Role.OFFICE in current_user.roles,
        **results_views.plan_context(plan, projects, current_user),
        categories=CATEGORIES,
    )


@bp.route("/<int:plan_id>/workplan.pdf")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
def workplan_pdf(plan_id):
    """The plan's 工作方案 as an official-style PDF, rendered from the plan as it stands."""
    from workflow import files
    from workflow.documents.workplan import render_workplan, workplan_filename

    plan = plan_or_404(plan_id)
    return files.pdf_download(workplan_filename(plan), render_workplan(plan))


@bp.route("/<int:plan_id>/workplan.docx")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE)
def workplan_docx(plan_id):
    """The plan's 工作方案 as an editable Word file, for the same readers as the PDF."""
    from workflow import files
    from workflow.documents.word.workplan import render_workplan_docx
    from workflow.documents.workplan import workplan_filename

    plan = plan_or_404(plan_id)
    return files.docx_download(workplan_filename(plan), render_workplan_docx(plan))


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@office_only
def edit(plan_id):
    refusal = None
    plan = plan_or_404(plan_id)
    form = PlanForm(obj=plan, sections=people.active_sections())
    if request.method == "GET":
        form.basis_documents.data = "\n".join(plan.basis_documents or [])
    if form.validate_on_submit():
        try:
            services.update_plan(plan, _plan_data(form, plan))
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存评价方案。"), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=plan), form_status(refusal)


@bp.route("/<int:plan_id>/stages", methods=["GET", "POST"])
@office_only
def stages(plan_id):
    refusal = None
    plan = plan_or_404(plan_id)
    form = StagesForm()
    if request.method == "GET":
        for stage in plan.stages:
            form.stages.append_entry(
                {"kind": stage.kind, "name": stage.name, "start_date": stage.start_date, "due_date": stage.due_date}
            )
    if form.validate_on_submit():
        rows = {row.kind.data: (row.form.name.data, row.form.start_date.data, row.form.due_date.data) for row in form.stages}
        try:
            services.update_stages(plan, rows)
        except ServiceError as error:
            refusal = error
            # The refused field carries the message, as if it had not validated; the page marks
            # it and lists it in its error summary.
            for (kind, name), message in error.fields.items():
                field = next(getattr(row.form, name) for row in form.stages if row.kind.data == kind)
                field.errors = [*field.errors, message]
            if not error.fields:
                flash(error.message, "danger")
        else:
            flash(_("已保存各阶段时间，未完成待办的截止日期已随之调整。"), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/stages.html", form=form, plan=plan), form_status(refusal)


@bp.route("/days-off", methods=["GET", "POST"])
@office_only
def days_off():
    """The office's own days off, which every deadline skips like a public holiday."""
    refusal = None
    form = DayOffForm()
    if form.validate_on_submit():
        try:
            days_off_service.add(form.day.data, form.note.data, current_user)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已登记休息日，未完成待办的截止日期已随之调整。"), "success")
            return redirect(url_for("plans.days_off"))
    elif request.method == "POST":
        flash_errors(form)
    today = tasks.today()
    return render_template("plans/days_off.html", form=form, confirm=ConfirmForm(),
                           days=days_off_service.listed(today), today=today,
                           unknown_years=[year for year in (today.year, today.year + 1)
                                          if not workdays.known_year(year)]), form_status(refusal)


@bp.route("/days-off/<day>/delete", methods=["POST"])
@office_only
def remove_day_off(day):
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("plans.days_off"))
    try:
        days_off_service.remove(date.fromisoformat(day))
    except (ValueError, NotFound):
        abort(404)
    flash(_("已取消该休息日，未完成待办的截止日期已随之调整。"), "success")
    return redirect(url_for("plans.days_off"))


@bp.route("/<int:plan_id>/group", methods=["GET", "POST"])
@office_only
def group(plan_id):
    refusal = None
    plan = plan_or_404(plan_id)
    form = GroupForm(people=[u for u in people.list_users() if u.active])
    if request.method == "GET":
        form.leader_id.data = next((m.user_id for m in plan.members if m.group_role == "leader"), None)
        form.deputy_ids.data = [m.user_id for m in plan.members if m.group_role == "deputy"]
        form.member_ids.data = [m.user_id for m in plan.members if m.group_role == "member"]
    if form.validate_on_submit():
        try:
            services.set_group(plan, form.leader_id.data, form.deputy_ids.data or [], form.member_ids.data or [])
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存评价工作小组。"), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/group.html", form=form, plan=plan), form_status(refusal)


@bp.route("/<int:plan_id>/copy", methods=["POST"])
@office_only
def copy(plan_id):
    plan = plan_or_404(plan_id)
    form = CopyPlanForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "plans.detail", plan_id=plan.id)
    try:
        new_plan = services.copy_plan(plan, form.run_year.data)
    except ServiceError as error:
        return refused(error, "plans.detail", plan_id=plan.id)
    flash(_("已复制为 %(year)d 年的方案，各阶段日期已顺延。", year=new_plan.run_year), "success")
    return redirect(url_for("plans.detail", plan_id=new_plan.id))


@bp.route("/<int:plan_id>/projects", methods=["POST"])
@office_only
def add_project(plan_id):
    plan = plan_or_404(plan_id)
    form = ProjectForm(sections=people.active_sections())
    if not form.validate_on_submit():
        flash_errors(form)
        return page_with_status(422, "plans.detail", plan_id=plan.id)
    try:
        project = services.add_project(plan, form.name.data, form.section_id.data, current_user,
                                       category=form.category.data)
    except ServiceError as error:
        return refused(error, "plans.detail", plan_id=plan.id)
    flash(_("已添加项目“%(name)s”。", name=project.name), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/<int:plan_id>/open-self-evaluation", methods=["POST"])
@office_only
def open_self_evaluation(plan_id):
    """Bulk: the office opens self-evaluation for every project still in preparation."""
    plan = plan_or_404(plan_id)
    if ConfirmForm().validate_on_submit():
        done, not_done = services.open_self_evaluation(plan, current_user, request.remote_addr)
        flash(_("已为 %(n)d 个项目开始自评。", n=len(done)), "success" if done else "info")
        for _id, reason in not_done:
            flash(reason, "danger")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/<int:plan_id>/framework", methods=["GET", "POST"])
@office_only
def framework_page(plan_id):
    """The plan's indicator framework: copied from a template, adjusted by the office."""
    refusal = None
    plan = plan_or_404(plan_id)
    posted, field_errors = None, {}
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        try:
            if request.form.get("template"):
                refreshed = framework.reset_to_template(plan, request.form["template"])
            else:
                posted = [{"level1": l1, "level2": l2, "name": name, "weight": weight}
                          for l1, l2, name, weight in zip(
                              request.form.getlist("level1"), request.form.getlist("level2"),
                              request.form.getlist("name"), request.form.getlist("weight"))]
                # The rows typed in, each with its row on the page (from 1): blank rows are left out.
                kept = [(line, row) for line, row in enumerate(posted, start=1) if "".join(row.values()).strip()]
                refreshed = framework.update_indicators(plan, [row for _line, row in kept])
        except ServiceError as error:
            refusal = error
            # The refused field (its id: "<key>-<row on the page>") marked in the rows as typed.
            field_errors = {f"{key}-{kept[number - 1][0]}": message for (number, key), message in error.fields.items()}
            if not field_errors:
                flash(error.message, "danger")
        else:
            flash(_("已保存指标体系；%(n)d 个尚未填报指标的项目已同步。", n=refreshed), "success")
            return redirect(url_for("plans.framework_page", plan_id=plan.id))
    framework.ensure_plan_framework(plan)
    if posted is None or not field_errors:
        posted = [{"level1": row.level1, "level2": row.level2, "name": row.name, "weight": row.weight}
                  for row in plan.indicators] + [{}] * 3  # three blank rows to add indicators
    return render_template("plans/framework.html", plan=plan, templates=framework.TEMPLATES, rows=posted,
                           field_errors=field_errors,
                           totals=framework.level1_totals(plan), confirm=ConfirmForm()), form_status(refusal)


@bp.route("/indicator-library")
@roles(Role.OFFICE, Role.SECTION_STAFF, Role.REVIEWER, Role.LEADER)
def indicator_library():
    query = (request.args.get("q") or "").strip()[:50]
    return render_template("plans/library.html", items=framework.library(query, limit=200), query=query,
                           natures=scoring.NATURE_LABELS)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@office_only
def edit_project(project_id):
    refusal = None
    try:
        project = services.get_project(project_id)
    except NotFound:
        abort(404)
    form = ProjectEditForm(obj=project, sections=people.active_sections())
    if form.validate_on_submit():
        try:
            services.update_project(project, form.name.data, form.section_id.data, form.leader_name.data or "",
                                    form.overall_target.data or "", current_user,
                                    category=form.category.data if "category" in request.form else ...)
        except ServiceError as error:
            flash(error.message, "danger")
            refusal = error
        else:
            flash(_("已保存项目“%(name)s”。", name=project.name), "success")
            return redirect(url_for("plans.detail", plan_id=project.plan_id))
    return render_template("plans/project_form.html", form=form, project=project), form_status(refusal)
