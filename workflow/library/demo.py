"""The demo's indicator library: a starting library for the five kinds of project on the
seed's plan (its 重点评价 framework: 产出 / 效益 levels), the seed's mine project as 检查整治类 with
its own indicators (检查矿山数量 ≥ 286 个 …) in the library, and the plan's still untouched
training project started from the 培训类 indicators."""
from decimal import Decimal

from sqlalchemy import select

from workflow.extensions import db
from workflow.models import LibraryIndicator, Project

D = Decimal

# category → [(level1, level2, name, nature, unit, target, basis, explanation)]
STARTING_LIBRARY = {
    "training": [
        ("产出", "产出数量", "培训人次", ">=", "人次", "300", "plan", "年度实际参加培训的人次。"),
        ("产出", "产出质量", "培训合格率", ">=", "%", "95", "history", "考核合格人数÷参训人数×100%。"),
        ("产出", "产出时效", "培训按期完成率", ">=", "%", "100", "plan", "按计划时间完成的培训期数÷计划期数×100%。"),
        ("效益", "满意度", "参训人员满意度", ">=", "%", "90", "industry", "满意度问卷中“满意”及以上的比例。"),
    ],
    "meeting": [
        ("产出", "产出数量", "会议召开次数", ">=", "次", "4", "plan", "年度按计划召开的会议次数。"),
        ("产出", "产出成本", "会议费标准执行率", "<=", "%", "100", "industry", "实际人均会议费÷规定标准×100%（党政机关会议费管理办法）。"),
        ("效益", "满意度", "参会人员满意度", ">=", "%", "90", "history", "满意度问卷中“满意”及以上的比例。"),
    ],
    "purchase": [
        ("产出", "产出数量", "设备购置数量", ">=", "台（套）", "50", "plan", "按采购合同验收入库的数量。"),
        ("产出", "产出质量", "验收合格率", ">=", "%", "100", "industry", "验收合格数量÷购置数量×100%。"),
        ("产出", "产出成本", "采购价格控制率", "<=", "%", "100", "plan", "实际采购价÷预算单价×100%。"),
        ("效益", "可持续影响", "设备完好率", ">=", "%", "95", "history", "年末完好设备数÷在用设备数×100%。"),
    ],
    "service": [
        ("产出", "产出数量", "服务事项完成数量", ">=", "项", "12", "plan", "按合同约定完成的服务事项数。"),
        ("产出", "产出质量", "服务合同履约率", ">=", "%", "100", "plan", "按约履行的合同条款÷合同条款×100%。"),
        ("效益", "满意度", "服务对象满意度", ">=", "%", "90", "industry", "服务对象问卷中“满意”及以上的比例。"),
    ],
    "inspection": [
        # The seed's mine project (2019年度金属非金属矿山“专家会诊”隐患排查项目).
        ("产出", "产出数量", "检查矿山数量", ">=", "个", "286", "plan", "年度计划排查的金属非金属矿山数量。"),
        ("产出", "产出数量", "在产矿山排查完成率", ">=", "%", "100", "plan", "实际排查在产矿山数÷在产矿山数×100%。"),
        ("产出", "产出成本", "单座矿山排查成本", "<=", "万元/座", "0.7217", "history", "排查服务费÷排查矿山数。"),
        ("效益", "社会效益", "排查整治事故隐患数量", ">=", "条", "3000", "history", "排查发现并督促整改的事故隐患条数。"),
        ("效益", "社会效益", "较大及以上事故起数", "<=", "起", "0", "industry", "年度内发生的较大及以上生产安全事故起数。"),
    ],
}

# The demo's projects' categories.
PROJECT_CATEGORIES = {
    "2019年度金属非金属矿山“专家会诊”隐患排查项目": "inspection",
    "危险化学品企业安全生产执法检查项目": "inspection",
    "危险化学品重大危险源监测预警项目": "service",
    "应急指挥信息化平台运行维护项目": "service",
    "应急物资储备项目": "purchase",
    "森林草原防灭火宣传培训项目": "training",
}
STARTED_FROM_LIBRARY = "森林草原防灭火宣传培训项目"  # still 准备中 and untouched


def load_library(plan):
    """Called once from workflow/demo.load_plan, after the projects are walked."""
    from workflow.selfeval import framework

    for category, rows in STARTING_LIBRARY.items():
        for level1, level2, name, nature, unit, target, basis, explanation in rows:
            db.session.add(LibraryIndicator(
                plan_id=plan.id, category=category, level1=level1, level2=level2, name=name, nature=nature,
                unit=unit, target=D(target), target_text="", basis=basis, explanation=explanation, source="office"))
    projects = {p.name: p for p in db.session.scalars(select(Project).where(Project.plan_id == plan.id))}
    for name, category in PROJECT_CATEGORIES.items():
        if name in projects:
            projects[name].category = category
    db.session.flush()
    started = projects.get(STARTED_FROM_LIBRARY)
    if started is not None and started.evaluation.state == "preparing":
        started.evaluation.indicators = []
        db.session.flush()
        framework.copy_into(started.evaluation, plan)
    db.session.commit()
