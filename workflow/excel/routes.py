"""Excel downloads and the project import. Thin: the workbooks are built in exporter.py and
importer.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workflow import files
from workflow.admin import services as people
from workflow.errors import Forbidden, NotFound
from workflow.evaluations.services import get_visible
from workflow.excel import bp, exporter, form, importer, sheets
from workflow.permissions import logged_in, roles
from workflow.roles import Role
from workflow.plans.lookup import plan_or_404


def _xlsx(data, filename):
    # Served like every other download (workflow/files.py): an attachment that no cache keeps,
    # since the workbooks hold unpublished figures.
    return files.download_response(filename, exporter.XLSX_MIMETYPE, data)


@bp.route("/plans/<int:plan_id>/projects-template.xlsx")
@roles(Role.OFFICE)
def projects_template(plan_id):
    plan = plan_or_404(plan_id)
    data = importer.template_workbook(plan, people.active_sections())
    return _xlsx(data, importer.template_filename(plan))


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@roles(Role.OFFICE)
def import_projects(plan_id):
    plan = plan_or_404(plan_id)
    problems = []
    if request.method == "POST":
        projects, problems = importer.run_upload(
            request.files.get("file"), lambda stream: importer.import_projects(plan, stream, current_user),
            missing=_("请选择要上传的文件（.xlsx、.xls、.ods 或 .csv）。"))
        if projects is not None:
            flash(_("已导入 %(n)d 个项目。", n=len(projects)), "success")
            return redirect(url_for("plans.detail", plan_id=plan.id))
    page = render_template(
        "excel/import.html", plan=plan, problems=problems, columns=importer.COLUMNS,
        explanations=importer.EXPLANATIONS, sheet=importer.SHEET_NAME, first_row=importer.FIRST_DATA_ROW,
        max_rows=importer.MAX_ROWS, accept=sheets.ACCEPT, file_label=_("文件（.xlsx、.xls、.ods 或 .csv）"),
    )
    return page, (422 if problems else 200)  # a file refused: nothing imported


@bp.route("/evaluations/<int:evaluation_id>/self-evaluation.xlsx")
@logged_in
def self_evaluation(evaluation_id):
    try:
        evaluation = get_visible(evaluation_id, current_user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    return _xlsx(form.self_evaluation_workbook(evaluation), form.self_evaluation_filename(evaluation))


@bp.route("/plans/<int:plan_id>/summary.xlsx")
@roles(Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.FINANCE)
def summary(plan_id):
    plan = plan_or_404(plan_id)
    return _xlsx(exporter.summary_workbook(plan, current_user), exporter.summary_filename(plan))
