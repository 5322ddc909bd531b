"""Rules of the indicator library (指标库 by 项目类别, one library per plan).

- The office keeps the entries (add, edit, retire); each has the fields of the indicator rules
  (财预〔2021〕101号): 一级/二级/三级指标, 指标性质, 度量单位, 指标解释, 目标值依据 and a usual target.
- A project with a category starts from its category's entries (``arrange``, called from
  workflow/selfeval/framework.copy_into), and a section may add entries to its 自评表 later
  (``add_to_evaluation``) while it may edit the targets.
- An approved evaluation's indicators join its category's library (``grow_from``, on the
  engine's evaluation_transitioned signal), deduplicated by category, 一级/二级指标 and name.
- Next year's plan gets a copy (``copy_library``, from plans.services.copy_plan).
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from workflow import scoring
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.library.terms import BASES, CATEGORIES
from workflow.models import Attachment, Indicator, LibraryIndicator

LEVEL_LIMIT = 32
NAME_LIMIT = 100
UNIT_LIMIT = 16
EXPLANATION_LIMIT = 2000
TARGET_TEXT_LIMIT = 200
EXECUTION_RATE = "execution_rate"  # workflow/selfeval/framework.EXECUTION_RATE: never from the library
CENT = Decimal("0.01")

FIELDS = ("category", "level1", "level2", "name", "nature", "unit", "explanation", "basis")


@dataclass
class EntryData:
    """An entry as typed (the page's form and any other front door give strings)."""

    category: str = ""
    level1: str = ""
    level2: str = ""
    name: str = ""
    nature: str = ""
    unit: str = ""
    explanation: str = ""
    basis: str = ""
    target: str = ""


def clean_category(value):
    """A project's 项目类别 as given (a code, or its Chinese label), or None for none."""
    from workflow.library.terms import category_code

    text = (value or "").strip()
    if not text:
        return None
    code = category_code(text)
    if code is None:
        raise ServiceError(_("未知的项目类别“%(name)s”，请从列表中选择。", name=text[:20]))
    return code


# Reading ------------------------------------------------------------------------------


def entries(plan, category=None, active_only=False):
    statement = select(LibraryIndicator).where(LibraryIndicator.plan_id == plan.id)
    if category:
        statement = statement.where(LibraryIndicator.category == category)
    if active_only:
        statement = statement.where(LibraryIndicator.retired.is_(False))
    order = list(CATEGORIES)
    rows = db.session.scalars(statement.order_by(LibraryIndicator.id)).all()
    return sorted(rows, key=lambda e: (order.index(e.category) if e.category in order else len(order), e.id))


def get_entry(entry_id):
    entry = db.session.get(LibraryIndicator, entry_id)
    if entry is None:
        raise NotFound(_("指标库中没有该指标。"))
    return entry


def counts(plan):
    """{category: active entries} of the plan's library."""
    result = dict.fromkeys(CATEGORIES, 0)
    for entry in entries(plan, active_only=True):
        result[entry.category] = result.get(entry.category, 0) + 1
    return result


def outside_framework(plan, rows):
    """The ids of entries whose 一级指标 is not in the plan's framework: a project would not
    get them (the page says so)."""
    level1s = {p.level1 for p in plan.indicators}
    return {entry.id for entry in rows if entry.level1 not in level1s}


# Writing ------------------------------------------------------------------------------


def _target(nature, raw, errors):
    text = (raw or "").strip()
    if nature == scoring.QUALITATIVE:
        if len(text) > TARGET_TEXT_LIMIT:
            errors.append(_("“常用指标值”不能超过 %(n)d 个字。", n=TARGET_TEXT_LIMIT))
        return None, text
    if not text:
        return None, ""
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value.as_tuple().exponent < -4 or value >= Decimal("1e14"):
        errors.append(_("“常用指标值”应为不小于 0、最多四位小数的数字。"))
        return None, ""
    return value, ""


def clean(data):
    """The entry's values, checked; ServiceError listing every problem."""
    errors = []
    values = {key: (getattr(data, key) or "").strip() for key in FIELDS}
    if values["category"] not in CATEGORIES:
        errors.append(_("请选择项目类别。"))
    if not values["level1"]:
        errors.append(_("一级指标不能为空。"))
    if not values["name"]:
        errors.append(_("三级指标不能为空。"))
    if len(values["level1"]) > LEVEL_LIMIT or len(values["level2"]) > LEVEL_LIMIT or len(values["name"]) > NAME_LIMIT:
        errors.append(_("指标名称过长。"))
    try:
        values["nature"] = scoring.normalise_nature(values["nature"]) if values["nature"] else None
    except scoring.ScoringError:
        values["nature"] = None
    if values["nature"] is None:
        errors.append(_("请选择指标性质。"))
    if len(values["unit"]) > UNIT_LIMIT:
        errors.append(_("度量单位不能超过 %(n)d 个字。", n=UNIT_LIMIT))
    elif values["nature"] not in (None, scoring.QUALITATIVE) and not values["unit"]:
        errors.append(_("定量指标须填写度量单位。"))
    if len(values["explanation"]) > EXPLANATION_LIMIT:
        errors.append(_("指标解释不能超过 %(n)d 个字。", n=EXPLANATION_LIMIT))
    if values["basis"] and values["basis"] not in BASES:
        errors.append(_("目标值依据无效。"))
    values["basis"] = values["basis"] or None
    values["target"], values["target_text"] = _target(values["nature"], data.target, errors)
    if errors:
        raise ServiceError("；".join(errors), code="invalid")
    return values


def _clash(plan_id, values, entry=None):
    found = db.session.scalar(select(LibraryIndicator).where(
        LibraryIndicator.plan_id == plan_id, LibraryIndicator.category == values["category"],
        LibraryIndicator.level1 == values["level1"], LibraryIndicator.level2 == values["level2"],
        LibraryIndicator.name == values["name"]))
    if found is not None and found is not entry:
        raise ServiceError(_("该类别的指标库中已有“%(name)s”。", name=values["name"]), code="duplicate")


def add_entry(plan, data):
    values = clean(data)
    _clash(plan.id, values)
    entry = LibraryIndicator(plan_id=plan.id, source="office", **values)
    db.session.add(entry)
    db.session.commit()
    return entry


def update_entry(entry, data):
    values = clean(data)
    _clash(entry.plan_id, values, entry)
    for key, value in values.items():
        setattr(entry, key, value)
    db.session.commit()
    return entry


def set_retired(entry, retired):
    """A retired entry is kept (an approval does not add it back) but no longer offered."""
    entry.retired = bool(retired)
    db.session.commit()


def copy_library(source, plan):
    """Next year's plan starts with this year's library, retired entries included (they stay
    retired). Not committed: copy_plan commits the whole plan at once."""
    for entry in entries(source):
        db.session.add(LibraryIndicator(
            plan=plan, source=entry.source, retired=entry.retired, target=entry.target,
            target_text=entry.target_text, **{key: getattr(entry, key) for key in FIELDS}))


# Entries onto an evaluation's indicators ----------------------------------------------


def _indicator(entry, level1, level2):
    return Indicator(level1=level1, level2=level2, name=entry.name, kind="standard", nature=entry.nature,
                     unit=entry.unit, explanation=entry.explanation, basis=entry.basis,
                     target=entry.target if entry.nature != scoring.QUALITATIVE else None,
                     target_text=entry.target_text if entry.nature == scoring.QUALITATIVE else "",
                     weight=Decimal(0))


def _untouched(row, framework_names):
    """A row as the framework made it: its placeholder 三级指标 with nothing entered."""
    return (row.name in framework_names and row.target is None and row.actual is None and not row.target_text
            and not row.actual_text and not row.explanation and row.basis is None)


def _split(total, count):
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [total - share * (count - 1)] + [share] * (count - 1)


def arrange(rows, chosen, framework_names):
    """Place library entries ``chosen`` onto ``rows`` (an evaluation's indicators, in order).

    An entry goes to the rows of its 一级/二级指标 (a group of the plan's framework), or, when
    the framework has no such 二级指标, to the first group of its 一级指标; an entry whose 一级指标
    the framework lacks, or whose 三级指标 the evaluation already has, is left out. In a group
    that gets entries the framework's untouched placeholder rows give way, and the group's
    weight (the framework's, so the total stays 100) is shared equally by its rows; a 定性
    row whose weight changes loses its band and score. Returns (rows, added, left_out)."""
    groups, order = {}, []
    for row in rows:
        if row.kind == EXECUTION_RATE:
            order.append(row)
            continue
        key = (row.level1, row.level2)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(row)
    weights = {key: sum((row.weight for row in group), Decimal(0)) for key, group in groups.items()}
    taken = {(row.level1, row.name) for row in rows}
    added, left_out, touched = [], [], set()
    for entry in chosen:
        key = (entry.level1, entry.level2)
        if key not in groups:
            key = next((k for k in groups if k[0] == entry.level1), None)
        if key is None or (key[0], entry.name) in taken:
            left_out.append(entry)
            continue
        row = _indicator(entry, *key)
        groups[key].append(row)
        taken.add((key[0], entry.name))
        touched.add(key)
        added.append(row)
    for key in touched:
        group = [row for row in groups[key] if row in added or not _untouched(row, framework_names)]
        for row, weight in zip(group, _split(weights[key], len(group))):
            if row.weight != weight and row.nature == scoring.QUALITATIVE:
                row.band, row.score = None, None
            row.weight = weight
        groups[key] = group
    result = []
    for item in order:
        result.extend(groups[item] if isinstance(item, tuple) else [item])
    for index, row in enumerate(result):
        row.sort_order = index
    return result, added, left_out


def start_from_library(evaluation, plan, rows):
    """The indicators a new evaluation starts with: the framework's ``rows`` with its
    project's category's entries placed on them (workflow/selfeval/framework.copy_into)."""
    category = evaluation.project.category if evaluation.project is not None else None
    if not category or plan.id is None:
        return rows
    chosen = entries(plan, category, active_only=True)
    arranged, _added, _left = arrange(rows, chosen, {p.name for p in plan.indicators})
    return arranged


def _targets_fixed(evaluation):
    from workflow.targets import record  # imported here: the targets blueprint imports the pages

    return record.fixed(evaluation)


def offered(evaluation):
    """The entries the 自评表 offers to add: its category's active ones it does not have yet,
    of a 一级指标 the evaluation has."""
    project = evaluation.project
    if not project.category or _targets_fixed(evaluation):
        return []
    present = {ind.name for ind in evaluation.indicators}
    level1s = {ind.level1 for ind in evaluation.indicators}
    return [e for e in entries(project.plan, project.category, active_only=True)
            if e.name not in present and e.level1 in level1s]


def add_to_evaluation(evaluation, entry_ids, user):
    """从指标库添加: the section adds entries of its project's category to its 自评表 while it
    may edit the targets. Returns (added, left_out) counts."""
    from workflow import signals
    from workflow.selfeval import content
    from workflow.selfeval import services as selfeval

    reason = selfeval.edit_refusal(evaluation, user)
    if reason:
        raise ServiceError(reason, code="refused")
    if _targets_fixed(evaluation):  # new indicators are new targets: a 目标调整 once approved
        raise ServiceError(_("绩效目标已报审或已批复，不能再从指标库添加指标。"), code="refused")
    project = evaluation.project
    if not project.category:
        raise ServiceError(_("该项目未设定项目类别，不能从指标库添加。"))
    wanted = set(entry_ids)
    chosen = [e for e in entries(project.plan, project.category, active_only=True) if e.id in wanted]
    if not wanted or len(chosen) != len(wanted):
        raise ServiceError(_("请从本项目类别的指标库中选择指标。"))
    content.ensure_content(evaluation)
    names = {p.name for p in project.plan.indicators}
    rows, added, left_out = arrange(list(evaluation.indicators), chosen, names)
    if not added:
        raise ServiceError(_("所选指标已在自评表中，或不在本方案的指标体系内。"), code="duplicate")
    kept = {id(row) for row in rows}
    gone = [row.id for row in evaluation.indicators if id(row) not in kept and row.id is not None]
    if gone:  # evidence attached to a placeholder that gives way stays with the evaluation
        db.session.execute(update(Attachment).where(Attachment.indicator_id.in_(gone)).values(indicator_id=None))
    evaluation.indicators = rows
    selfeval.recompute(evaluation)
    signals.evaluation_content_changed.send(evaluation)
    db.session.commit()
    return len(added), len(left_out)


# Growing from approved evaluations ----------------------------------------------------


def grow_from(evaluation):
    """Add the approved evaluation's indicators its category's library lacks (same category,
    一级/二级指标 and name; retired entries count as present). The framework's own placeholder
    names add nothing: every project gets them anyway. Within the approval's transaction; a
    concurrent approval adding the same entry first is no error (a savepoint per entry)."""
    project = evaluation.project
    if project is None or not project.category:
        return 0
    plan = project.plan
    present = {(e.level1, e.level2, e.name) for e in entries(plan, project.category)}
    placeholders = {(p.level1, p.level2, p.name) for p in plan.indicators}
    added = 0
    for ind in evaluation.indicators:
        key = (ind.level1, ind.level2, ind.name)
        if ind.kind == EXECUTION_RATE or not ind.name or ind.nature is None or key in present or key in placeholders:
            continue
        present.add(key)
        try:
            with db.session.begin_nested():
                db.session.add(LibraryIndicator(
                    plan_id=plan.id, category=project.category, level1=ind.level1, level2=ind.level2,
                    name=ind.name, nature=ind.nature, unit=ind.unit, explanation=ind.explanation, basis=ind.basis,
                    target=ind.target, target_text=ind.target_text, source="approved"))
        except IntegrityError:
            continue
        added += 1
    return added
