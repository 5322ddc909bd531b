"""Writing and reading the audit log."""
import io
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from workflow import clock, export_guard
from workflow.extensions import db
from workflow.models import AuditRecord, Evaluation, Project, User

# Records that are not transitions.
OTHER_ACTIONS = {
    "create": _l("创建项目"),
    "edit": _l("修改自评内容"),
    "feedback": _l("记录财政局反馈"),
    "rectification": _l("登记问题整改"),
    "rectification_closed": _l("整改办结"),
    "project_edit": _l("修改项目信息"),
    "evidence_upload": _l("上传佐证材料"),
    "evidence_delete": _l("删除佐证材料"),
    "meeting_publish": _l("发布会议通知"),
    "meeting_change": _l("变更会议时间或地点"),
    "meeting_proxy_signin": _l("会议代签"),
    "meeting_signin_undo": _l("撤销会议签到"),
    "name_deputy": _l("指定代理人"),
    "cancel_deputy": _l("取消代理"),
    "mail_retry": _l("重新发送邮件"),
    "target_change_request": _l("申请调整绩效目标"),
    "target_change_approved": _l("同意调整绩效目标"),
    "target_change_refused": _l("不同意调整绩效目标"),
}


def action_label(action):
    """The name people read for an audit record's action."""
    from workflow.engine.definition import TRANSITION_BY_TRIGGER

    if action in TRANSITION_BY_TRIGGER:
        return TRANSITION_BY_TRIGGER[action].label
    return OTHER_ACTIONS.get(action, action)


def acting_name(actor_name, principal_name=None):
    """The actor as the record shows them: "闫洪涛 代 姜立新" for a deputy."""
    if actor_name and principal_name:
        return _("%(deputy)s 代 %(principal)s", deputy=actor_name, principal=principal_name)
    return actor_name


def record(evaluation, actor, action, from_state=None, to_state=None, comment="", address="", details=None,
           on_behalf_of=None):
    entry = AuditRecord(
        evaluation_id=evaluation.id if evaluation is not None else None,
        actor_id=actor.id if actor is not None else None,
        on_behalf_of_id=on_behalf_of.id if on_behalf_of is not None else None,
        at=clock.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment or "",
        address=(address or "")[:64],
        details=details,
    )
    db.session.add(entry)
    return entry


def history(evaluation):
    return db.session.scalars(
        select(AuditRecord)
        .options(joinedload(AuditRecord.actor).lazyload(User.role_rows))  # names only, not roles
        .where(AuditRecord.evaluation_id == evaluation.id)
        .order_by(AuditRecord.at, AuditRecord.id)
    ).all()


# The evaluation page's record: plain rows of the six values it shows, the actor's name
# beside them (outer join: records of the system have none), and the number of records (a
# window count: the page shows the latest ones). Built once with bound parameters; no
# AuditRecord or User objects, no JSON details parsed for every line. Newest first, so that a
# limit keeps the latest.
_PRINCIPAL = aliased(User)  # whom the actor stood in for
_TIMELINE = (
    select(AuditRecord.at, AuditRecord.action, AuditRecord.from_state, AuditRecord.to_state, AuditRecord.comment,
           User.id.label("actor_id"), User.full_name.label("actor_name"), _PRINCIPAL.full_name.label("principal_name"),
           func.count().over().label("total"))
    .outerjoin(User, AuditRecord.actor_id == User.id)
    .outerjoin(_PRINCIPAL, AuditRecord.on_behalf_of_id == _PRINCIPAL.id)
    .where(AuditRecord.evaluation_id == bindparam("evaluation_id"))
    .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
)
_LATEST = _TIMELINE.limit(bindparam("limit", type_=Integer))


class TimelineEntry(NamedTuple):
    at: object
    actor_id: int | None
    actor_name: str | None
    comment: str
    action: str
    action_name: str  # what people read of the action and the states, in the page's language
    from_state: str | None
    from_name: str
    to_state: str | None
    to_name: str


def timeline(evaluation, limit=None):
    """What the evaluation page lists of its history, oldest first (as ``history``), with the
    names of the actions and states: (entries, the number of records in all). With ``limit``,
    only the latest ``limit`` records (every save is one: a busy form has hundreds). A history
    repeats a few actions and states many times: each name is translated once for the page,
    not once for each line."""
    from workflow.engine.definition import STATE_BY_NAME

    names = {}

    def name_of(kind, key):
        if (kind, key) not in names:
            if kind == "action":
                names[kind, key] = str(action_label(key))
            else:
                state = STATE_BY_NAME.get(key)
                names[kind, key] = str(state.label) if state is not None else ""
        return names[kind, key]

    if limit is None:
        rows = db.session.execute(_TIMELINE, {"evaluation_id": evaluation.id}).all()
    else:
        rows = db.session.execute(_LATEST, {"evaluation_id": evaluation.id, "limit": limit}).all()
    entries = [
        TimelineEntry(row.at, row.actor_id, acting_name(row.actor_name, row.principal_name), row.comment, row.action, name_of("action", row.action),
                      row.from_state, name_of("state", row.from_state), row.to_state, name_of("state", row.to_state))
        for row in reversed(rows)
    ]
    return entries, (rows[0].total if rows else 0)


# The names clerks know their zone by; any other zone is labelled with its IANA name.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间"}


def time_heading(zone):
    """The 时间 column's heading: the office's time zone (BABEL_DEFAULT_TIMEZONE) named, so
    that 14:37 is read as 14:37 and not taken for UTC."""
    return f"时间（{ZONE_NAMES.get(zone.key, zone.key)}）"


def export_csv(plan_id=None):
    """The log as CSV (UTF-8 with BOM so that Excel opens the Chinese text correctly), its
    times in the office's time zone, as the pages show them."""
    from workflow.engine.definition import STATE_BY_NAME

    query = (
        select(AuditRecord)
        .options(joinedload(AuditRecord.actor), joinedload(AuditRecord.evaluation).joinedload(Evaluation.project))
        .order_by(AuditRecord.at, AuditRecord.id)
    )
    if plan_id is not None:
        query = query.join(Evaluation, AuditRecord.evaluation_id == Evaluation.id).join(
            Project, Evaluation.project_id == Project.id
        ).where(Project.plan_id == plan_id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = export_guard.csv_writer(buffer)  # names and comments are people's text
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    writer.writerow([time_heading(zone), "项目", "操作人", "操作", "原状态", "新状态", "意见", "地址"])

    def label(table, key):
        item = table.get(key) if key else None
        if item is None:
            return key or ""
        return str(getattr(item, "label", item))

    for entry in db.session.scalars(query):
        project = entry.evaluation.project.name if entry.evaluation is not None else ""
        writer.writerow([
            entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            project,
            entry.actor.full_name if entry.actor else "",
            str(action_label(entry.action)),
            label(STATE_BY_NAME, entry.from_state),
            label(STATE_BY_NAME, entry.to_state),
            entry.comment,
            entry.address,
        ])
    return buffer.getvalue()
