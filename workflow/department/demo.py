"""The demo's department evaluation (演示数据): 承德市应急管理局's 2019 部门整体支出绩效自评, its
duties and main tasks naming the seed plan's projects, filled in and walked through the real
workflow. The figures are plausible, not the department's: the seed holds no department
budget. Tests fill their department evaluations with fill() too."""
from decimal import Decimal as D

from workflow import scoring, signals
from workflow.extensions import db
from workflow.models import DepartmentTask, NarrativeSection, Project
from workflow.selfeval import content, services
from workflow.selfeval.framework import EXECUTION_RATE

DUTIES = ("（演示数据）负责全市应急管理工作，指导各县区、各部门应对安全生产类、自然灾害类等突发事件和综合防灾"
          "减灾救灾工作；负责安全生产综合监督管理和工矿商贸行业安全生产监督管理；指导应急预案体系建设，统筹应急"
          "救援力量建设和应急物资储备。")

# (main task, the plan's projects serving it, 完成情况)
TASKS = (
    ("非煤矿山安全生产监管", ("2019年度金属非金属矿山“专家会诊”隐患排查项目",),
     "排查在产金属非金属矿山253座，排查整治隐患3099条，年度未发生较大及以上事故。"),
    ("危险化学品安全监管", ("危险化学品重大危险源监测预警项目", "危险化学品企业安全生产执法检查项目"),
     "重大危险源全部纳入监测预警，完成年度执法检查计划。"),
    ("应急指挥和物资保障", ("应急指挥信息化平台运行维护项目", "应急物资储备项目"),
     "应急指挥平台全年稳定运行，物资储备按计划补充到位。"),
    ("森林草原防灭火宣传培训", ("森林草原防灭火宣传培训项目",), "完成防灭火宣传培训。"),
    ("机关运行保障", (), "保障机关正常运转，“三公”经费控制在预算内。"),
)

# 万元: (年初预算数, 全年预算数, 全年执行数); the total is the sum of the parts.
BUDGET = {"basic": ("1860.5", "1872.3", "1850.16"), "project": ("1050", "1086.4", "968.27")}

# 三级指标 → (年度指标值, 实际完成值) or, 定性, (指标值, 完成值, band, score)
INDICATORS = {
    "“三公”经费控制率": ("100", "92.5"),
    "绩效目标合理性": ("目标合理", "目标明确合理", "achieved", "5"),
    "结转结余率": ("10", "9.8"),
    "资金使用合规性": ("使用合规", "资金使用合规", "achieved", "5"),
    "资产管理规范性": ("管理规范", "资产账实相符", "achieved", "4.5"),
    "重点工作完成率": ("100", "95"),
    "重点工作按期完成率": ("100", "96"),
    "质量达标率": ("100", "100"),
    "社会效益": ("安全形势稳定", "全年未发生较大及以上生产安全事故", "achieved", "9.5"),
    "长效管理机制建立情况": ("机制健全", "建立隐患排查长效机制", "achieved", "4.5"),
    "服务对象满意度": ("90", "95"),
}

TEXTS = {
    "duties": DUTIES,
    "budget": "（演示数据）2019年部门全年预算2958.7万元，其中基本支出1872.3万元、项目支出1086.4万元；"
              "全年执行2818.43万元。",
    "outputs": "（演示数据）年度主要任务均按计划推进，重点工作完成率95%。",
    "effects": "（演示数据）全市安全生产形势总体稳定，应急处置能力进一步提升。",
    "conclusion": "（演示数据）经自评，部门年度绩效目标基本实现。",
    "problems": "（演示数据）部分项目预算编制不够精准，年底出现资金结余。",
    "measures": "1.加强预算编制与项目论证。2.强化绩效运行监控，及时纠偏。",
}
TARGET = "（演示数据）全面履行应急管理职责，完成年度重点工作，遏制较大及以上事故发生。"
ACHIEVEMENT = "（演示数据）年度重点工作基本完成，全年未发生较大及以上生产安全事故。"


def fill(evaluation, budget=None, tasks=TASKS):
    """Fill a department evaluation so that it may be submitted: duties, the main tasks
    (naming the plan's projects of those names that exist), the budget, every indicator, every
    required section. Scores are the server's (services.recompute)."""
    budget = budget or BUDGET
    content.ensure_content(evaluation)
    project = evaluation.project
    project.overall_target, evaluation.overall_achievement = TARGET, ACHIEVEMENT
    rows = content.funding(evaluation)
    for kind, figures in budget.items():
        rows[kind].initial_budget, rows[kind].annual_budget, rows[kind].executed = (D(v) for v in figures)
    for column in ("initial_budget", "annual_budget", "executed"):
        setattr(rows["total"], column, sum((getattr(rows[k], column) for k in budget), D(0)))
    for ind in evaluation.indicators:
        if ind.kind == EXECUTION_RATE:
            continue
        values = INDICATORS[ind.name]
        if len(values) == 4:
            ind.target_text, ind.actual_text, ind.band = values[:3]
            ind.score = scoring.score_qualitative(values[2], D(values[3]), ind.weight)
        else:
            ind.target, ind.actual = D(values[0]), D(values[1])
    projects = {p.name: p for p in db.session.query(Project).filter(Project.plan_id == project.plan_id)}
    evaluation.department_tasks = [
        DepartmentTask(name=name, achievement=achievement, sort_order=index,
                       projects=[projects[n] for n in names if n in projects])
        for index, (name, names, achievement) in enumerate(tasks)
    ]
    evaluation.narrative = [NarrativeSection(key=key, text=text) for key, text in TEXTS.items()]
    services.recompute(evaluation)
    signals.evaluation_content_changed.send(evaluation)
    db.session.commit()
    return evaluation


# (trigger, login) of the demo's walk: opened by the office, submitted by 龚健 of 规划财务科.
STEPS = (("open_self_evaluation", "yanhongtao"), ("submit", "gongjian"))


def load_department_evaluation(plan, users):
    """The seed plan's 部门整体 evaluation, filled in and waiting for review."""
    from workflow.department import services as department
    from workflow.engine import actions

    from workflow.targets.demo import submit_and_approve

    project = department.create(plan, users["yanhongtao"])
    fill(project.evaluation)
    if plan.targets_approval:  # its targets approved first, as every project's (workflow/targets/)
        submit_and_approve(project.evaluation, users["gongjian"], users["yanhongtao"])
    for trigger, login in STEPS:
        actions.perform(project.evaluation.id, trigger, users[login], address="demo")
    return project
