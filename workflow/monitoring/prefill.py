"""The monitoring values as the starting point of the 自评.

When self-evaluation opens (the engine's evaluation_transitioned signal, into a state whose
actual values may be written from one that had none), the evaluation's last submitted
monitoring report fills what is still empty: each indicator's 实际完成值 from the progress so
far, and the 年度资金总额's 全年执行数 from the cumulative execution. What the section typed is
never overwritten. The 自评表 shows the report's figures beside each indicator
(``starting_point``, a template global)."""
from dataclasses import dataclass

from workflow import scoring, signals
from workflow.engine.definition import state_def
from workflow.monitoring import services
from workflow.selfeval import content
from workflow.selfeval import services as selfeval


@signals.evaluation_transitioned.connect
def _self_evaluation_opened(evaluation, from_state=None, to_state=None, **_keywords):
    if state_def(from_state).actuals or not state_def(to_state).actuals:
        return
    report = services.last_submitted(evaluation.id)
    if report is not None and prefill(evaluation, report):
        selfeval.recompute(evaluation)
        signals.evaluation_content_changed.send(evaluation)


def prefill(evaluation, report):
    """Fill the evaluation's empty actual values and executed figure from ``report``; whether
    anything was filled."""
    content.ensure_content(evaluation)
    filled = False
    total = content.funding(evaluation).get("total")
    if total is not None and total.executed is None and report.executed is not None:
        total.executed = report.executed
        filled = True
    indicators = {ind.id: ind for ind in services.monitored_indicators(evaluation)}
    for row in report.progress:
        ind = indicators.get(row.indicator_id)
        if ind is None:
            continue
        if ind.nature == scoring.QUALITATIVE:
            if not ind.actual_text and row.value_text:
                ind.actual_text = row.value_text
                filled = True
        elif ind.actual is None and row.value is not None:
            ind.actual = row.value
            filled = True
    return filled


@dataclass
class StartingPoint:
    report: object
    rows: dict  # indicator id -> IndicatorProgress

    @property
    def as_of(self):
        return self.report.monitoring_date.as_of

    def of(self, indicator):
        return self.rows.get(indicator.id)


def starting_point(evaluation):
    """The last submitted monitoring report of ``evaluation`` as the 自评表 shows it, or None."""
    report = services.last_submitted(evaluation.id)
    if report is None:
        return None
    return StartingPoint(report, {row.indicator_id: row for row in report.progress})
