"""The caller's tasks (我的待办), as the inbox pages list them."""
from flask_login import current_user

from workflow.api import present
from workflow.api.blueprints import ID, api_blueprint, refusals
from workflow.api.schemas import TaskQuery, TaskSchema
from workflow.engine import tasks
from workflow.permissions import logged_in

bp = api_blueprint("tasks", "我的待办")

VIEWS = {"inbox": tasks.inbox, "overdue": tasks.overdue_for, "due_soon": tasks.due_soon_for}


@bp.route("/tasks")
@bp.arguments(TaskQuery, location="query", as_kwargs=True)
@bp.response(200, TaskSchema(many=True))
@logged_in
def list_tasks(view="inbox"):
    """``view=inbox`` (default): what the caller may act on; ``overdue`` and ``due_soon`` as
    the pages 已逾期 and 即将到期 show them (the office and the leader see every task)."""
    return [present.task(t) for t in VIEWS[view](current_user)]


@bp.route(f"/tasks/<{ID}:task_id>/claim", methods=["POST"])
@refusals(bp, 403, 404, 409)
@bp.response(200, TaskSchema)
@logged_in
def claim_task(task_id):
    """Take a task, so that colleagues see someone is on it (as 领取 on the inbox page)."""
    task = tasks.get_task(task_id)
    tasks.claim(task, current_user)
    return present.task(tasks.get_task(task_id))
