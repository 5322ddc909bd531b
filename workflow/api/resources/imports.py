"""The project import (项目导入): the template to fill and the upload, all or nothing, as on
the import page."""
from flask_login import current_user

from workflow import files
from workflow.admin import services as people
from workflow.api import errors, present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.plan_schemas import ImportInput
from workflow.api.schemas import ProjectSchema
from workflow.excel import exporter, importer
from workflow.permissions import roles
from workflow.plans import services as plans
from workflow.roles import Role

bp = api_blueprint("imports", "项目导入（Excel）")
office_only = roles(Role.OFFICE)

XLSX = {"type": "string", "format": "binary"}


@bp.route(f"/plans/<{ID}:plan_id>/import-template.xlsx")
@bp.response(200, XLSX, content_type=exporter.XLSX_MIMETYPE, description="项目导入模板（.xlsx）")
@refusals(bp, {403: "只有办公室可以执行", 404: "评价方案不存在"})
@office_only
def import_template(plan_id):
    """The plan's 项目导入模板, its 责任科室 list made of the active sections."""
    plan = plans.get_plan(plan_id)
    data = importer.template_workbook(plan, people.active_sections())
    return files.download_response(importer.template_filename(plan), exporter.XLSX_MIMETYPE, data)


@bp.route(f"/plans/<{ID}:plan_id>/import", methods=["POST"])
@bp.arguments(ImportInput, location="files")
@bp.response(201, ProjectSchema(many=True))
@refusals(bp, {403: "只有办公室可以执行", 404: "评价方案不存在",
               422: "文件被拒绝，未导入任何项目：每处问题见 details（row N：第 N 行；file：整个文件）"})
@office_only
def import_projects(files_, plan_id):
    """Import the projects of a filled template (multipart, field ``file``): every row is
    checked first; a file with any problem imports nothing."""
    plan = plans.get_plan(plan_id)
    try:
        projects = importer.import_projects(plan, files_["file"].stream, current_user)
    except importer.ImportRefused as refusal:
        return errors.error_response(422, refusal.code, refusal.message, problem_details(refusal.problems))
    return [present.project(p) for p in projects]


def problem_details(problems):
    """{"row 3": "…", "file": "…"}: each problem under its Excel row (several joined)."""
    details = {}
    for problem in problems:
        key = "file" if problem.row is None else f"row {problem.row}"
        details[key] = f"{details[key]}；{problem.message}" if key in details else problem.message
    return details
