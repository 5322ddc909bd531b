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
    ("gongjian", "龚健", OFFICE_SECTION, "科员", {R, O}, "成员，办公室"),
    ("yuanliji", "原立吉", "非煤矿山安全监督管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("wangshixue", "王士学", "危险化学品安全监督管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("zhulili", "朱丽丽", "火灾防治管理科", "科员", {S}, "培训参加人，科室经办人"),
    ("caizhengju", "市财政局绩效科", None, "财政局经办人", {F}, "接收报送材料（只读）"),
)


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
    return logins
