"""The demo's self-evaluation content. The mine project carries the seed report's own
figures and text (2019年度金属非金属矿山“专家会诊”隐患排查项目: budget 206.632 万元, spent
172.743 万元, 286 mines planned, 253 checked, 3099 hazards fixed, 99.7 分, 优); the other
projects get plausible figures of their own."""
from decimal import Decimal

from workflow import scoring, signals
from workflow.extensions import db
from workflow.models import NarrativeSection
from workflow.selfeval import content, services
from workflow.selfeval.framework import EXECUTION_RATE

D = Decimal

# The seed is a 部门重点评价: the plan uses the 重点评价 framework, with 预算执行率 at 1 point
# and 资金使用合规性 at 7 (the office's adjustment; the total stays 100).
PLAN_WEIGHT_CHANGES = {"预算执行率": D("1"), "资金使用合规性": D("7")}

# name → (nature, unit, target, actual, qualitative band and score); "rate" rows are filled
# from the budget block. Scored by the real rules, these give the seed's 99.70 and 优:
# 100 − (3 − 2.86) for 预算编制科学性 (the report's own problem: 预算不准确) − (1 − 0.84) for the
# execution rate of 83.60 %.
MINE_INDICATORS = {
    "立项依据充分性": ("qualitative", "", "依据充分", "依据充分", ("achieved", "3")),
    "立项程序规范性": ("qualitative", "", "程序规范", "公开招标，程序规范", ("achieved", "2")),
    "绩效目标合理性": ("qualitative", "", "目标合理", "目标合理", ("achieved", "3")),
    "绩效指标明确性": ("qualitative", "", "指标明确", "指标明确", ("achieved", "2")),
    "预算编制科学性": ("qualitative", "", "预算准确", "部分矿山停产，出现资金剩余", ("achieved", "2.86")),
    "资金分配合理性": ("qualitative", "", "分配合理", "分配合理", ("achieved", "2")),
    "资金到位率": (">=", "%", "100", "100", None),
    "资金使用合规性": ("qualitative", "", "合规", "按规定使用专项资金", ("achieved", "7")),
    "管理制度健全性": ("qualitative", "", "制度健全", "制度健全", ("achieved", "4")),
    "制度执行有效性": ("qualitative", "", "执行有效", "执行有效", ("achieved", "4")),
    "实际完成率": (">=", "%", "100", "100", None),
    "质量达标率": (">=", "%", "100", "100", None),
    "完成及时性": (">=", "%", "100", "100", None),
    "成本节约率": ("<=", "万元/座", "0.7217", "0.6828", None),
    "项目实施的经济效益": ("qualitative", "", "降低事故损失", "稳控矿山安全生产风险", ("achieved", "4")),
    "项目实施的社会效益": (">=", "条", "3000", "3099", None),
    "项目实施的生态效益": ("qualitative", "", "改善矿区环境", "隐患整治改善矿区环境", ("achieved", "4")),
    "项目实施的可持续影响": ("qualitative", "", "形成长效机制", "指导企业“双控”体系建设", ("achieved", "4")),
    "服务对象满意度": (">=", "%", "90", "95", None),
}

MINE_NAMES = {"项目实施的社会效益": "排查整治事故隐患数量", "实际完成率": "在产矿山排查完成率",
              "成本节约率": "单座矿山排查成本"}

MINE_TEXT = {
    "overview": "承德市应急管理局采用公开招标的方式，利用省2017年和2018年拨付我市的“专家会诊”隐患排查费用剩余资金"
                "206.4万元，聘用5家机构对全市286个金属非金属矿山系统进行“专家会诊”隐患排查。由于部分矿山停产，实际排查"
                "金属非金属矿山253座，排查整治隐患3099条，支出排查服务费172.743万元。",
    "goals": "对全市286个金属非金属矿山系统进行隐患排查，整治事故隐患，提升安全生产条件，遏制较大以上事故发生。",
    "purpose": "通过绩效评价，了解资金使用情况及取得的阶段性成果，总结项目资金管理的经验，及时发现项目资金管理中存在的问题。",
    "funding": "资金来源：利用省2017年和2018年拨付我市的“专家会诊”隐患排查费用剩余资金206.632万元。"
               "我局严格按照有关规定组织项目申报、招标，能按照有关规定使用专项资金。",
    "organisation": "严格按照规定要求向财政局进行采购计划备案；按照规定对项目进行公示，接受群众和社会监督。",
    "management": "我局严格按照项目管理有关规定，有序组织项目实施。",
    "conclusion": "我局严格按照有关规定进行项目申报、分配、使用和管理，程序规范，流程透明，进行了打分测评，测评结果为优，"
                  "得分为99.7分。从专项资金中投入172.743万元用于各县（市、区）金属非金属矿山隐患排查治理工作。",
    "experience": "排查整改了大量事故隐患；指导企业进行风险辨识管控；剖析了企业整体安全状况；起到了“传、帮、带”作用。",
    "problems": "主要是预算不准确，导致出现剩余资金。计划排查企业由于停产、环境整治、证照到期等原因不能按计划实施。",
    "measures": "1.加强资金使用管理，严格按项目申报表控制资金支出范围、用途。2.推进开展绩效评价，推进绩效评价工作常态化。",
}


def adjust_plan_framework(plan):
    from workflow.selfeval import framework

    framework.apply_template(plan, "key")
    for row in plan.indicators:
        if row.name in PLAN_WEIGHT_CHANGES:
            row.weight = PLAN_WEIGHT_CHANGES[row.name]
    db.session.commit()


def _fill(evaluation, budget, executed, indicators, texts, target, achievement, leader, names=None):
    content.ensure_content(evaluation)
    project = evaluation.project
    project.leader_name, project.overall_target = leader, target
    evaluation.overall_achievement = achievement
    rows = content.funding(evaluation)
    for kind in ("total", "current_year"):
        rows[kind].initial_budget, rows[kind].annual_budget, rows[kind].executed = D(budget), D(budget), D(executed)
    for ind in evaluation.indicators:
        if ind.kind == EXECUTION_RATE:
            ind.actual = (D(executed) / D(budget) * 100).quantize(D("0.01"))
            continue
        nature, unit, target_value, actual_value, band = indicators[ind.name]
        ind.name = (names or {}).get(ind.name, ind.name)
        ind.nature, ind.unit = nature, unit
        if nature == scoring.QUALITATIVE:
            ind.target_text, ind.actual_text = target_value, actual_value
            ind.band, ind.score = band[0], scoring.score_qualitative(band[0], D(band[1]), ind.weight)
        else:
            ind.target, ind.actual = D(target_value), D(actual_value)
    evaluation.narrative = [NarrativeSection(key=key, text=text) for key, text in texts.items()]
    services.recompute(evaluation)
    signals.evaluation_content_changed.send(evaluation)
    db.session.commit()


MINE_BUDGET, MINE_EXECUTED = "206.632", "172.743"
MINE_LEADER = "王建华"
MINE_TARGET = "对全市286个金属非金属矿山系统进行隐患排查，整治事故隐患，提升安全生产条件，遏制较大以上事故发生。"
MINE_ACHIEVEMENT = "实际排查在产金属非金属矿山253座，排查整治隐患3099条，年度未发生较大及以上事故。"


def fill_mine_project(evaluation):
    _fill(evaluation, MINE_BUDGET, MINE_EXECUTED, MINE_INDICATORS, MINE_TEXT, MINE_TARGET, MINE_ACHIEVEMENT,
          MINE_LEADER, MINE_NAMES)


GENERIC_TARGET, GENERIC_ACHIEVEMENT = "完成年度工作任务。", "已完成年度工作任务。"


def generic_indicators():
    """The other demo projects' indicators: the mine project's targets, met."""
    indicators = {
        name: (nature, unit, target, target if nature != "qualitative" else target, band)
        for name, (nature, unit, target, _actual, band) in MINE_INDICATORS.items()
    }
    indicators["预算编制科学性"] = ("qualitative", "", "预算准确", "预算准确", ("achieved", "3"))
    indicators["成本节约率"] = ("<=", "%", "100", "96", None)
    indicators["项目实施的社会效益"] = (">=", "%", "95", "97", None)
    return indicators


def generic_texts(name):
    """The other demo projects' report: one line per required section."""
    return {key: f"{name}：{title}。" for key, title in (
        ("overview", "按年度计划组织实施"), ("goals", "完成年度绩效目标"), ("funding", "资金按规定拨付使用"),
        ("conclusion", "项目实施情况良好"), ("problems", "个别环节进度偏慢"), ("measures", "加强过程管理"))}


def fill_generic(evaluation, budget, executed):
    """Plausible content for the other demo projects: targets met, their own budget."""
    _fill(evaluation, budget, executed, generic_indicators(), generic_texts(evaluation.project.name),
          GENERIC_TARGET, GENERIC_ACHIEVEMENT, "")
