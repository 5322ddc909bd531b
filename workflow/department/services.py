"""Creating a plan's department evaluation: one per plan, owned by the plan's office section
(办公室所在科室), with the department framework and budget rows (selfeval/department.py)."""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Project
from workflow.models.evaluations import DEPARTMENT_SCOPE
from workflow.plans.services import create_project
from workflow.roles import Role
from workflow.selfeval.department import DEPARTMENT_NAME


def department_project(plan):
    """The plan's department evaluation's project, or None."""
    return db.session.scalar(select(Project).where(Project.plan_id == plan.id, Project.scope == DEPARTMENT_SCOPE))


def create(plan, actor):
    """The plan's 部门整体 evaluation, in 准备中 with its section's task, as a project's."""
    if Role.OFFICE not in actor.roles:
        raise ServiceError(_("只有办公室可以创建部门整体支出绩效自评。"), code="forbidden")
    if department_project(plan) is not None:
        raise ServiceError(_("本方案已有部门整体支出绩效自评，每个方案只能有一个。"), code="duplicate")
    section = plan.office_section
    if section is None or not section.active:
        raise ServiceError(_("请先为方案设置在用的办公室所在科室，部门整体自评由该科室填报。"))
    if db.session.scalar(select(func.count()).select_from(Project)
                         .where(Project.plan_id == plan.id, Project.name == DEPARTMENT_NAME)):
        raise ServiceError(_("本方案中已有名为“%(name)s”的项目。", name=DEPARTMENT_NAME), code="duplicate")
    try:
        project = create_project(plan, DEPARTMENT_NAME, section, actor, details={"scope": DEPARTMENT_SCOPE},
                                 scope=DEPARTMENT_SCOPE)
        db.session.commit()
    except IntegrityError:
        # Two offices at once: the partial unique index keeps the one per plan.
        db.session.rollback()
        raise ServiceError(_("本方案已有部门整体支出绩效自评，每个方案只能有一个。"), code="duplicate") from None
    return project
