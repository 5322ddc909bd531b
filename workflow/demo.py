"""The seed's organisation (承德市应急管理局, 2020) as demo data.

Names and group functions come from the seed's 工作方案 and training notice; the business
sections are plausible sections of a municipal emergency-management bureau. Loading is
idempotent: records are matched by name or login and left alone when they exist, so running
it twice changes nothing (not even a password someone has changed since).
"""
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Section, User
from workflow.roles import Role

DEMO_PASSWORD = "demo2020"

OFFICE_SECTION = "规划财务科"

# (name, is the evaluation office)
SECTIONS = (
    ("办公室", False),
    (OFFICE_SECTION, True),
    ("安全生产基础科", False),
    ("非煤矿山安全监督管理科", False),
    ("危险化学品安全监督管理科", False),
    ("应急指挥中心", False),
    ("救灾和物资保障科", False),
    ("火灾防治管理科", False),
)

A, O, L, R, S, F = Role.ADMIN, Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.SECTION_STAFF, Role.FINANCE

# (login, 姓名, 科室, 职务, roles, the part they play in the seed)
PEOPLE = (
    ("admin", "系统管理员", "办公室", "信息化管理员", {A}, "管理员"),
    ("jianglixin", "姜立新", None, "副局长", {L}, "评价工作小组组长"),
    ("yanhongtao", "闫洪涛", OFFICE_SECTION, "科长", {R, O}, "副组长，办公室负责人"),
    ("quzhiqing", "曲志清", "安全生产基础科", "科长", {R}, "副组长"),
    ("renzhihua", "任志华", OFFICE_SECTION, "副科长", {R, O}, "成员，办公室"),
    ("wangjianhua", "王建华", "非煤矿山安全监督管理科", "科长", {R, S}, "成员"),
    ("lidongyang", "李东阳", "危险化学品安全监督管理科", "科长", {R, S}, "成员"),
    ("zhangyukun", "张玉坤", "应急指挥中心", "主任", {R, S}, "成员"),
    ("wangxu", "王旭", "救灾和物资保障科", "科长", {R, S}, "成员"),
    ("gongjian", "龚健", OFFICE_SECTION, "科员", {R, O, S}, "成员，办公室，填报部门整体自评"),
    ("yuanliji", "原立吉", "非煤矿山安全监督管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("wangshixue", "王士学", "危险化学品安全监督管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("zhulili", "朱丽丽", "火灾防治管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("caizhengju", "市财政局绩效科", None, "财政局经办人", {F}, "接收报送材料（只读）"),
)


PLAN_TITLE = "承德市应急管理局2020年市级预算绩效部门重点评价工作方案"

BASIS_DOCUMENTS = [
    "《承德市财政局关于批复2019年市本级部门收支预算的通知》（承财预〔2019〕13号）",
    "《承德市市级部门预算项目绩效管理办法》（承财绩〔2020〕1号）",
    "《承德市市级部门预算绩效重点评价管理办法》（承财绩〔2020〕2号）",
    "《承德市财政局关于印发2020年市级预算绩效部门重点评价的计划通知》（承财评价〔2020〕6号）",
]

PRINCIPLES = (
    "1、履行部门主体责任。按照“谁使用资金、谁负责绩效评价”的要求，使用资金的业务科室认真组织相关项目支出"
    "绩效评价的数据统计、信息采集以及资料汇总审核等相关工作。\n"
    "2、确保评价客观真实。项目绩效自评应做到合法合规，实事求是，确保数据真实、准确、完整、全面。"
)

METHOD = "评价方法采用定性与定量相结合的方法，项目责任科室自评→绩效评价工作小组复核→撰写绩效报告按要求报市财政局。"

REQUIREMENTS = (
    "1、高度重视，加强领导。绩效评价工作小组要秉承“花钱必问效，无效必问责”的理念，加强对本次绩效评价工作的组织领导。\n"
    "2、严把节点，科学实施。严格按照本方案确定的时间节点，倒排工期，确保本次绩效评价工作如期圆满完成。\n"
    "3、强化应用，注重效果。把评价结果应用作为全过程预算绩效管理的落脚点，并将其作为部门预算绩效管理考核的重要依据。"
)

GROUP = {"leader": ["jianglixin"], "deputy": ["yanhongtao", "quzhiqing"],
         "member": ["renzhihua", "wangjianhua", "lidongyang", "zhangyukun", "wangxu", "gongjian"]}

# (project, section, content, [(trigger, login, comment)]) — each project is filled in and
# walked through the real workflow so that its scores, tasks, notifications, snapshots and
# audit trail are genuine. content: "mine" (the seed's figures) or (budget, executed) 万元.
PROJECTS = (
    ("2019年度金属非金属矿山“专家会诊”隐患排查项目", "非煤矿山安全监督管理科", "mine",
     [("open_self_evaluation", "yanhongtao", ""), ("submit", "yuanliji", "")]),
    ("危险化学品重大危险源监测预警项目", "危险化学品安全监督管理科", ("85.6", "83.12"),
     [("open_self_evaluation", "yanhongtao", ""), ("submit", "wangshixue", ""),
      ("pass_review", "renzhihua", "数据完整，资金准确。"), ("approve", "jianglixin", "")]),
    ("应急指挥信息化平台运行维护项目", "应急指挥中心", ("120", "118.35"),
     [("open_self_evaluation", "yanhongtao", ""), ("submit", "zhangyukun", ""),
      ("pass_review", "quzhiqing", "")]),
    ("应急物资储备项目", "救灾和物资保障科", ("300", "254.8"),
     [("open_self_evaluation", "yanhongtao", ""), ("submit", "wangxu", ""),
      ("return_for_revision", "yanhongtao", "实际储备数量与计划数不一致，请补充说明原因。")]),
    ("危险化学品企业安全生产执法检查项目", "危险化学品安全监督管理科", None,
     [("open_self_evaluation", "yanhongtao", "")]),
    ("森林草原防灭火宣传培训项目", "火灾防治管理科", None, []),
)


def load_plan(users):
    """The seed's 2020 plan with its stages, group and projects in several states."""
    from workflow import demo_content
    from workflow.engine import actions
    from workflow.models import Plan
    from workflow.plans import services as plans
    from workflow.results.demo import load_budget_advice
    from workflow.targets.demo import load_targets

    if db.session.scalar(select(Plan).where(Plan.title == PLAN_TITLE)) is not None:
        return False
    plan = plans.create_plan(plans.PlanData(
        title=PLAN_TITLE, budget_year=2019, run_year=2020, basis_documents=BASIS_DOCUMENTS,
        principles=PRINCIPLES, method=METHOD, requirements=REQUIREMENTS, targets_approval=True,
    ))
    plans.set_group(plan, users[GROUP["leader"][0]].id,
                    [users[u].id for u in GROUP["deputy"]], [users[u].id for u in GROUP["member"]])
    demo_content.adjust_plan_framework(plan)
    load_budget_advice(plan)
    sections = {s.name: s for s in db.session.scalars(select(Section))}
    for name, section_name, figures, steps in PROJECTS:
        project = plans.add_project(plan, name, sections[section_name].id, users["yanhongtao"])
        load_targets(project, figures, steps, users)  # workflow/targets/demo.py: 绩效目标 filed and approved
        for trigger, login, comment in steps:
            if trigger == "submit":
                if figures == "mine":
                    demo_content.fill_mine_project(project.evaluation)
                else:
                    demo_content.fill_generic(project.evaluation, *figures)
            actions.perform(project.evaluation.id, trigger, users[login], comment=comment, address="demo")
    # The seed's training notice (6月20日, 2603会议室, eleven participants), published.
    from workflow.meetings.demo import load_training_meeting

    load_training_meeting(plan, users)
    from workflow.monitoring.demo import load_monitoring  # the 2019-06-30 monitoring reports

    load_monitoring(plan, users)
    from workflow.library.demo import load_library

    load_library(plan)
    # The department's own evaluation (部门整体支出绩效自评), waiting for review.
    from workflow.department.demo import load_department_evaluation

    load_department_evaluation(plan, users)
    return True


def database_is_empty():
    return db.session.scalar(select(User.id).limit(1)) is None


def load_demo():
    """Create what is missing; return the demo logins as (login, name, roles, part, created)."""
    sections = {}
    for order, (name, is_office) in enumerate(SECTIONS, start=1):
        section = db.session.scalar(select(Section).where(Section.name == name))
        if section is None:
            section = Section(name=name, is_office=is_office, sort_order=order * 10)
            db.session.add(section)
        sections[name] = section
    db.session.flush()

    logins = []
    for username, full_name, section_name, title, roles, part in PEOPLE:
        user = db.session.scalar(select(User).where(User.username == username))
        created = user is None
        if created:
            user = User(
                username=username,
                full_name=full_name,
                section_id=sections[section_name].id if section_name else None,
                title=title,
                email=f"{username}@yjj.example.cn",
                phone="",
            )
            user.set_password(DEMO_PASSWORD)
            user.set_roles(roles)
            db.session.add(user)
        logins.append((username, full_name, roles, part, created))
    db.session.commit()
    load_plan({u.username: u for u in db.session.scalars(select(User))})
    return logins
