"""The demo's mid-year monitoring: the seed plan's monitoring date 2019-06-30 (reports due
2019-07-10) and two reports filed then, long before self-evaluation opened in 2020.

The mine project lags on both counts: 61.99 of 206.632 万元 spent (30.00 % against 49.59 % of
the year elapsed: 19.59 points behind, more than the plan's 15) and 120 of its 286 mines
inspected, 253 expected by the year's end — its 在产矿山排查完成率 (≥ 100 %) expected at
88.46 %. Both warnings carry the section's reason and correction. The 应急指挥 platform is on
track and has none."""
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from workflow import scoring
from workflow.extensions import db
from workflow.models import Project
from workflow.models.monitoring import IndicatorProgress, MonitoringDate, MonitoringReport
from workflow.monitoring import services

D = Decimal
AS_OF, DUE = date(2019, 6, 30), date(2019, 7, 10)
SUBMITTED_AT = datetime(2019, 7, 8, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing

MINE = "2019年度金属非金属矿山“专家会诊”隐患排查项目"
MINE_EXECUTED = "61.99"  # 30 % of 206.632
MINE_EXECUTION_REASON = "部分矿山停产、环境整治，排查进度滞后，排查服务费按完成量结算，支付进度相应滞后。"
MINE_EXECUTION_CORRECTION = "督促5家排查机构加快进度，对复产矿山及时补排，按月结算服务费。"
# name → (value so far, expected year-end, reason, correction); 定性 rows are on track.
MINE_PROGRESS = {
    "资金到位率": ("100", "100", "", ""),
    "在产矿山排查完成率": ("41.96", "88.46",
                          "截至6月30日排查矿山120座，占计划286座的41.96%；部分矿山因停产、环境整治、证照到期不能排查，"
                          "预计全年排查253座（88.46%）。",
                          "对停产矿山建立台账，复产即排；对证照到期矿山会同有关部门限期办理；每月通报排查进度。"),
    "质量达标率": ("100", "100", "", ""),
    "完成及时性": ("100", "100", "", ""),
    "单座矿山排查成本": ("0.5166", "0.6828", "", ""),
    "排查整治事故隐患数量": ("1310", "3099", "", ""),
    "服务对象满意度": ("93", "95", "", ""),
}

PLATFORM = "应急指挥信息化平台运行维护项目"
PLATFORM_EXECUTED = "58"  # of 120: 48.33 %, on track


def load_monitoring(plan, users):
    """Add the demo's monitoring date and reports to the seed plan (once)."""
    if db.session.scalar(select(MonitoringDate.id).where(MonitoringDate.plan_id == plan.id).limit(1)):
        return
    monitoring_date = MonitoringDate(plan_id=plan.id, as_of=AS_OF, due_date=DUE)
    db.session.add(monitoring_date)
    projects = {p.name: p for p in db.session.scalars(select(Project).where(Project.plan_id == plan.id))}
    if MINE in projects:
        _report(monitoring_date, projects[MINE].evaluation, users["yuanliji"], MINE_EXECUTED,
                MINE_EXECUTION_REASON, MINE_EXECUTION_CORRECTION, MINE_PROGRESS)
    if PLATFORM in projects:
        _report(monitoring_date, projects[PLATFORM].evaluation, users["zhangyukun"], PLATFORM_EXECUTED, "", "", {})
    db.session.commit()


def _report(monitoring_date, evaluation, user, executed, reason, correction, progress):
    report = MonitoringReport(monitoring_date=monitoring_date, evaluation_id=evaluation.id, state="submitted",
                              executed=D(executed), execution_reason=reason, execution_correction=correction,
                              created_by_id=user.id, submitted_by_id=user.id, submitted_at=SUBMITTED_AT)
    for ind in services.monitored_indicators(evaluation):
        if ind.nature == scoring.QUALITATIVE:
            row = IndicatorProgress(indicator_id=ind.id, value_text="按计划推进", expected_met=True)
        elif ind.name in progress:
            value, expected, why, fix = progress[ind.name]
            row = IndicatorProgress(indicator_id=ind.id, value=D(value), expected=D(expected), reason=why,
                                    correction=fix)
        else:  # on track: half done, the target expected
            row = IndicatorProgress(indicator_id=ind.id, value=ind.target / 2 if ind.target is not None else None,
                                    expected=ind.target)
        report.progress.append(row)
    db.session.add(report)
