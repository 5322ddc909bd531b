"""THE rule of a monitoring warning (预警), in one place.

* Execution: the execution rate at the monitoring date (累计执行数 ÷ 全年预算数 of the
  evaluation's 年度资金总额 row, scoring.execution_rate) is behind the share of the year
  elapsed (day of the year ÷ days in the year) by more than the plan's threshold
  (Plan.monitoring_lag_points, percentage points, default 15). The seed at 2019-06-30: 181 of
  365 days = 49.59 % elapsed, 61.99 of 206.632 万元 = 30.00 % spent: 19.59 points behind.
* Indicator: the expected year-end value misses the target given the indicator's nature
  (正向 ≥: below it; 反向 ≤: above it; 等于 =: not it); a 定性 indicator when the section marks
  it as expected not to be met.

Pure functions of plain values (warnings_of takes the report's rows); nothing is stored.
"""
import calendar
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from workflow import numbers, scoring

EXECUTION = "execution"
INDICATOR = "indicator"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Alert:
    kind: str  # EXECUTION or INDICATOR
    message: object  # lazy Chinese text
    indicator_id: int | None = None

    @property
    def text(self):
        return str(self.message)


def elapsed_share(as_of):
    """The share of ``as_of``'s year elapsed at ``as_of``: day of the year ÷ days in the year
    (2019-06-30: 181 ÷ 365)."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days)


def execution_lag_points(as_of, annual_budget, executed):
    """How many percentage points the execution rate is behind the year elapsed (negative:
    ahead), or None without a budget or an executed figure."""
    if annual_budget is None or executed is None:
        return None
    rate = scoring.execution_rate(annual_budget, executed)
    if rate is None:
        return None
    return (elapsed_share(as_of) - rate) * HUNDRED


def execution_warning(as_of, annual_budget, executed, threshold):
    lag = execution_lag_points(as_of, annual_budget, executed)
    if lag is None or lag <= Decimal(threshold):
        return None
    rate = scoring.execution_rate(annual_budget, executed)
    return Alert(EXECUTION, _l(
        "预算执行率 %(rate)s，落后于序时进度 %(elapsed)s 达 %(lag)s 个百分点（预警线 %(threshold)s 个百分点）。",
        rate=numbers.percent_text(rate), elapsed=numbers.percent_text(elapsed_share(as_of)),
        lag=numbers.percent(lag / HUNDRED), threshold=numbers.plain(threshold)))


def expected_to_miss(nature, target, expected, expected_met=None):
    """Whether the expected year-end value misses the target, given the nature; None when it
    cannot be told (no target or no expected value yet)."""
    if nature == scoring.QUALITATIVE:
        return None if expected_met is None else not expected_met
    if nature not in (scoring.POSITIVE, scoring.NEGATIVE, scoring.EQUAL) or target is None or expected is None:
        return None
    if nature == scoring.POSITIVE:
        return expected < target
    if nature == scoring.NEGATIVE:
        return expected > target
    return expected != target


def indicator_warning(indicator, expected, expected_met=None):
    if not expected_to_miss(indicator.nature, indicator.target, expected, expected_met):
        return None
    label = indicator.name or indicator.level2 or indicator.level1
    if indicator.nature == scoring.QUALITATIVE:
        message = _l("“%(name)s”预计不能完成年度指标（%(target)s）。", name=label, target=indicator.target_text or "—")
    else:
        unit = indicator.unit or ""
        message = _l("“%(name)s”预计全年完成 %(expected)s%(unit)s，未达到年度指标值 %(nature)s%(target)s%(unit)s。",
                     name=label, expected=numbers.plain(expected), unit=unit,
                     nature=NATURE_SIGNS[indicator.nature], target=numbers.plain(indicator.target))
    return Alert(INDICATOR, message, indicator.id)


NATURE_SIGNS = {scoring.POSITIVE: "≥", scoring.NEGATIVE: "≤", scoring.EQUAL: "="}


def warnings_of(as_of, threshold, annual_budget, executed, progress):
    """Every warning of a report: ``progress`` is [(indicator, expected, expected_met)]."""
    found = []
    warning = execution_warning(as_of, annual_budget, executed, threshold)
    if warning:
        found.append(warning)
    for indicator, expected, expected_met in progress:
        warning = indicator_warning(indicator, expected, expected_met)
        if warning:
            found.append(warning)
    return found
