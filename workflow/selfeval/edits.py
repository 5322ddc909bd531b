"""What one save of the self-evaluation may change: the typed input of services.save.

The page's form (``from_form``) and the API's JSON schema (api.schemas.EvaluationSaveSchema,
through ``from_api``) both produce an EvaluationEdit, so the service knows nothing of HTML
field names or JSON. Values are the text the person typed: checking it, with messages in
the user's language that name the field, is the service's. ``None`` means "not sent, leave it
as it is"; ``""`` means "clear it".
"""
from dataclasses import dataclass, field, fields


@dataclass
class IndicatorEdit:
    id: int
    applicable: bool | None = None
    nature: str | None = None
    name: str | None = None
    unit: str | None = None
    target: str | None = None
    explanation: str | None = None  # 指标解释
    basis: str | None = None  # 目标值依据 (a code of workflow/library/terms.BASES, or "")
    actual: str | None = None
    deviation_reason: str | None = None
    band: str | None = None
    score: str | None = None


INDICATOR_KEYS = frozenset(f.name for f in fields(IndicatorEdit)) - {"id"}


@dataclass
class EvaluationEdit:
    version: int | None = None
    leader_name: str | None = None
    overall_target: str | None = None
    overall_achievement: str | None = None
    # 资金来源 (total, current_year, …) → column (initial_budget, …) → amount as typed
    funding: dict[str, dict[str, str]] = field(default_factory=dict)
    indicators: list[IndicatorEdit] = field(default_factory=list)
    # report section key → text
    narrative: dict[str, str] = field(default_factory=dict)
    # A department evaluation's main tasks (selfeval/department.TaskEdit); None: not sent.
    tasks: list | None = None


TOP_KEYS = ("leader_name", "overall_target", "overall_achievement")


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def from_form(form):
    """The edit a posted 自评表 asks for. Its field names are the template's:
    ``funding-<kind>-<column>``, ``ind-<id>-<field>``, ``text-<section key>``, and a
    department's main tasks ``task-<id or new…>-name|achievement|projects``; a name that is
    none of them is not part of the form and is left out."""
    edit = EvaluationEdit(version=_int(form.get("version")))
    indicators = {}
    tasks = {}
    for name in form:
        value = form.get(name)
        if name in TOP_KEYS:
            setattr(edit, name, value)
        elif name.startswith("funding-"):
            parts = name.split("-")
            if len(parts) == 3:
                edit.funding.setdefault(parts[1], {})[parts[2]] = value
        elif name.startswith("ind-"):
            parts = name.split("-", 2)
            indicator_id = _int(parts[1]) if len(parts) == 3 else None
            if indicator_id is None or parts[2] not in INDICATOR_KEYS:
                continue
            row = indicators.setdefault(indicator_id, IndicatorEdit(id=indicator_id))
            setattr(row, parts[2], value != "no" if parts[2] == "applicable" else value)
        elif name.startswith("text-"):
            edit.narrative[name[len("text-"):]] = value
        elif name.startswith("task-") and name.endswith("-name"):
            key = name[len("task-"):-len("-name")]
            tasks[key] = _task(form, key, value)
    edit.indicators = list(indicators.values())
    if tasks:
        edit.tasks = list(tasks.values())
    return edit


def form_field(where):
    """The form's field name for a place services.save names in its errors (the inverse of
    from_form's naming): ("leader_name",), ("funding", kind, column), ("indicator", id,
    field), ("text", key)."""
    kind, *rest = where
    if kind == "funding":
        return f"funding-{rest[0]}-{rest[1]}"
    if kind == "indicator":
        return f"ind-{rest[0]}-{rest[1]}"
    if kind == "text":
        return f"text-{rest[0]}"
    return kind


def _task(form, key, name):
    """A posted main task: ``key`` its id, or new1, new2 … for the blank rows. Its projects are
    its ticked boxes (none ticked: none)."""
    from workflow.selfeval.department import TaskEdit

    # A value that is no id is refused as a project not of the plan (-1 is none's id).
    ids = tuple(-1 if i is None else i for i in (_int(v) for v in form.getlist(f"task-{key}-projects")))
    task_id = None if key.startswith("new") else _int(key)
    if task_id is None and not key.startswith("new"):
        task_id = -1  # neither an id nor a new row: refused as not the evaluation's
    return TaskEdit(id=task_id, name=name, achievement=form.get(f"task-{key}-achievement"), project_ids=ids)


def from_api(data):
    """The edit of an API body already checked by EvaluationSaveSchema; a ``null`` amount or
    text clears it, as an emptied field does on the page."""
    edit = EvaluationEdit(version=data.get("version"))
    for key in TOP_KEYS:
        if key in data:
            setattr(edit, key, data[key] or "")
    for kind, values in (data.get("funding") or {}).items():
        edit.funding[kind] = {column: value or "" for column, value in values.items()}
    for row in data.get("indicators") or []:
        given = {key: (value if key == "applicable" else value or "") for key, value in row.items() if key != "id"}
        edit.indicators.append(IndicatorEdit(id=row["id"], **given))
    edit.narrative = dict(data.get("narrative") or {})
    if data.get("tasks") is not None:
        from workflow.selfeval.department import TaskEdit

        edit.tasks = [TaskEdit(id=row.get("id"), name=row["name"], achievement=row.get("achievement"),
                               project_ids=tuple(row.get("project_ids") or ())) for row in data["tasks"]]
    return edit
