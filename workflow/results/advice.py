"""预算安排建议: the one place of the rule that turns an evaluation's result into advice for
the next budget.

Each grade maps to the office's advice for the plan (Plan.budget_advice; the defaults are the
common practice: 优 优先保障, 良 保持, 中 压减, 差 暂停或取消). An evaluation has advice once its
result is fixed (approved, reported, applied: the states the flow marks ``frozen``). While any
of its rectifications (问题整改) is open, the advice is held back: it reads 整改完成前暂缓 and says
why, with the advice the grade would give once they are closed.
"""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from workflow import scoring
from workflow.engine.definition import states_where
from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Rectification
from workflow.roles import Role

DEFAULT_ADVICE = {
    "excellent": _l("优先保障"),
    "good": _l("保持"),
    "fair": _l("压减"),
    "poor": _l("暂停或取消"),
}
ADVICE_LIMIT = 32
# How many decimals of a score the reports' text may be written with (Plan.score_text_decimals).
DECIMALS = (0, 2)


@dataclass
class Advice:
    grade: str
    score: object  # Decimal
    # The grade's advice, held back or not: the office's text, or a default (lazy: it reads in
    # the language of where it is shown; the documents for the bureau are in Chinese).
    advice: object
    open_rectifications: int = 0

    @property
    def text(self):
        """What to show: the advice, or 整改完成前暂缓 while rectifications are open."""
        return _("整改完成前暂缓") if self.held else str(self.advice)

    @property
    def held(self):
        return self.open_rectifications > 0

    @property
    def grade_label(self):
        return str(scoring.GRADE_LABELS[self.grade])

    @property
    def reason(self):
        """Why the advice is held back ("" when it is not)."""
        if not self.held:
            return ""
        return _("尚有 %(n)d 项问题整改未办结，办结后按评价结果安排：%(advice)s。",
                 n=self.open_rectifications, advice=str(self.advice))


def mapping(plan):
    """{grade code: advice} of the plan, in the grades' order, the defaults filling any gap."""
    own = plan.budget_advice or {}
    return {grade: (own.get(grade) or DEFAULT_ADVICE[grade]) for grade in scoring.GRADES}


def set_settings(plan, values, decimals, actor):
    """The office sets the plan's advice per grade (``values``: {grade code: text}) and the
    decimals a score is written with in the reports' text. Everything is checked before
    anything changes."""
    if Role.OFFICE not in actor.roles:
        raise ServiceError(_("只有办公室可以设置预算安排建议。"), code="forbidden")
    cleaned = {}
    for grade in scoring.GRADES:
        text = (values.get(grade) or "").strip()
        label = scoring.GRADE_LABELS[grade]
        if not text:
            raise ServiceError(_("请填写评价等级“%(grade)s”的预算安排建议。", grade=label))
        if len(text) > ADVICE_LIMIT or re.search(r"[\x00-\x1f\x7f]", text):
            raise ServiceError(_("评价等级“%(grade)s”的预算安排建议不能超过 %(n)d 个字，且不能换行。",
                                 grade=label, n=ADVICE_LIMIT))
        cleaned[grade] = text
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not DECIMALS[0] <= decimals <= DECIMALS[1]:
        raise ServiceError(_("报告中得分的小数位数应在 %(low)d 到 %(high)d 之间。", low=DECIMALS[0], high=DECIMALS[1]))
    plan.budget_advice = cleaned
    plan.score_text_decimals = decimals
    db.session.commit()
    return plan


def has_result(evaluation):
    return evaluation.grade is not None and evaluation.state in states_where("frozen")


def open_rectification_counts(evaluation_ids):
    """{evaluation id: open rectifications} in one query (absent: none)."""
    if not evaluation_ids:
        return {}
    return dict(db.session.execute(
        select(Rectification.evaluation_id, func.count()).where(
            Rectification.evaluation_id.in_(list(evaluation_ids)), Rectification.closed_at.is_(None))
        .group_by(Rectification.evaluation_id)).all())


def advice_of(evaluation, plan=None, open_count=None):
    """The evaluation's Advice, or None while it has no fixed result. ``plan``: the plan
    whose settings apply (the evaluation's own); ``open_count``: its open rectifications when
    the caller counted them already (lists count a page at once)."""
    if not has_result(evaluation):
        return None
    plan = plan or evaluation.project.plan
    if open_count is None:
        open_count = open_rectification_counts([evaluation.id]).get(evaluation.id, 0)
    return Advice(evaluation.grade, evaluation.total_score, mapping(plan)[evaluation.grade], open_count)


def advice_of_many(evaluations, plan):
    """{evaluation id: Advice or None} for evaluations of one plan, in two queries at most."""
    counts = open_rectification_counts([e.id for e in evaluations if has_result(e)])
    return {e.id: advice_of(e, plan, counts.get(e.id, 0)) for e in evaluations}
