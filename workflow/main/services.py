"""Rules of the site-wide pages."""
from flask import current_app, session
from flask_babel import gettext as _

from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.i18n import SESSION_KEY


def set_language(user, code):
    """Remember the language: on the account when logged in (it follows the person to any
    computer), in the session otherwise."""
    if code not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("不支持该语言。"))
    session[SESSION_KEY] = code
    if user is not None and user.is_authenticated:
        user.locale = code
        db.session.commit()


def dashboard(user):
    """What the dashboard shows: the current plan's timeline with the stage under way and
    its countdown, and the user's task counts."""
    from workflow.engine import tasks
    from workflow.plans.services import current_plan

    today = tasks.today()
    plan = current_plan()
    stage = plan.current_stage(today) if plan is not None else None
    days_left = (stage.due_date - today).days if stage is not None and stage.start_date <= today else None
    days_to_start = (stage.start_date - today).days if stage is not None and stage.start_date > today else None
    # Counts by one aggregate query and the first five tasks: never the whole inbox, which
    # holds hundreds of tasks for the office or a reviewer of a large plan.
    inbox = tasks.inbox_summary(user, today)
    return {
        "plan": plan,
        "stage": stage,
        "today": today,
        "days_left": days_left,
        "days_to_start": days_to_start,
        "inbox_count": inbox["count"],
        "overdue_count": inbox["overdue"],
        "due_soon_count": inbox["due_soon"],
        "next_tasks": inbox["next"],
    }
