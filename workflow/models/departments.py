"""The content a department-level evaluation (部门整体支出绩效自评) has beyond a project's: the
year's main tasks (主要任务), each with what was achieved and the plan's projects serving it."""
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db

department_task_projects = Table(
    "department_task_projects",
    db.metadata,
    Column("task_id", ForeignKey("department_tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class DepartmentTask(db.Model):
    __tablename__ = "department_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # 主要任务
    achievement: Mapped[str] = mapped_column(Text, default="")  # 完成情况
    sort_order: Mapped[int] = mapped_column(default=0)

    projects = relationship("Project", secondary=department_task_projects, order_by="Project.name")
