"""People and sections (人员和科室) from one Excel workbook, and the same workbook out.

The template's sheet 人员 has one row per person: 姓名, 登录名, 科室, 职务, 电话, 邮箱, 角色 (the
roles by their Chinese names, several separated by 、 or a comma). An upload is all or
nothing, as the project import (workflow/excel/importer.py): every row is checked first, every
problem is reported with its row and column, and only a file without any problem creates its
people, in one transaction. A 科室 that does not exist yet is created; when no section is the
evaluation office yet, the one section of the file's 评价办公室 people becomes it.

Nobody types a password for the new people: each gets a one-time link to set their own
(workflow/auth/links.py), mailed or shown to the administrator — unless directory sign-in
handles their login, whose password is the directory's.

The export is the same sheet filled with everybody (plus 状态), and a sheet 科室; every cell goes
through the export guard (workflow/export_guard.py). Opening and reading an upload share the
project import's helpers (the Office file checks, text of a cell, refusals).
"""
import re
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflow.auth import directory, links
from workflow.excel import importer
from workflow.excel import layout
from workflow.excel.exporter import (
    CENTER, HEADER_FILL, LEFT, body_font, print_setup, put, put_merged, safe_filename, set_widths, title_font,
    to_bytes,
)
from workflow.excel.importer import ImportRefused, Problem
from workflow.extensions import db
from workflow.models import Section, User
from workflow.roles import ROLE_LABELS, Role

COLUMNS = (
    ("full_name", _l("姓名")),
    ("username", _l("登录名")),
    ("section", _l("科室")),
    ("title", _l("职务")),
    ("phone", _l("电话")),
    ("email", _l("邮箱")),
    ("roles", _l("角色")),
)
KEYS = tuple(key for key, _label in COLUMNS)
HEADERS = dict(COLUMNS)

EXPLANATIONS = {
    "full_name": (True, _l("姓名，最多 64 个字。")),
    "username": (True, _l("登录名，只能包含字母、数字、点、下划线和连字符，最多 64 个字符；不能与系统中或文件中的其他登录名重复（不区分大小写）。")),
    "section": (False, _l("所在科室的名称；系统中还没有的科室会在导入时新建。科室经办人必须填写。")),
    "title": (False, _l("职务，如科长、科员，最多 64 个字。")),
    "phone": (False, _l("联系电话，只能包含数字、空格和 + - ( )。")),
    "email": (False, _l("电子邮箱。填写了邮箱的人员会收到设置密码的邮件；没有邮箱的，由管理员把链接或二维码交给本人。")),
    "roles": (True, _l("一个或多个角色的名称，多个角色用顿号“、”或逗号分隔，如“复核人、科室经办人”。")),
}

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
TEMPLATE_ROWS = 300
MAX_ROWS = 500
NAME_LIMIT = 64
SHEET_NAME = "人员"  # kept in Chinese in every language, like the project template's 项目
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
PHONE = re.compile(r"^[0-9+\-() ]+$")
ROLE_SEPARATORS = re.compile(r"[、,，;；\s]+")


def role_names():
    """Every name a role may be written with in the 角色 column → the role: its label in
    Chinese (复核人（副组长/成员）), the label without the bracket (复核人), the current
    language's label and the code."""
    names = {}
    for role in Role:
        label = importer.chinese(ROLE_LABELS[role])
        for name in (label, re.split(r"[（(]", label)[0], str(role.label), role.value):
            names.setdefault(name.strip().lower(), role)
    return names


def roles_text(roles):
    """The roles as the 角色 column writes them: Chinese short names joined by 、."""
    return "、".join(re.split(r"[（(]", str(role.label))[0] for role in Role if role in roles)


# The template and the export --------------------------------------------------------------


def _people_sheet(wb, title, extra_headers=()):
    ws = wb.active
    ws.title = SHEET_NAME
    headers = [str(header) for _key, header in COLUMNS] + [str(h) for h in extra_headers]
    set_widths(ws, (12, 16, 26, 14, 18, 28, 30, 10)[:len(headers)])
    put_merged(ws, TITLE_ROW, 1, len(headers), title, font=title_font(14), alignment=LEFT, border=None)
    ws.row_dimensions[TITLE_ROW].height = 28
    for column, header in enumerate(headers, start=1):
        required = column <= len(KEYS) and EXPLANATIONS[KEYS[column - 1]][0]
        put(ws, HEADER_ROW, column, header, font=body_font(bold=True, color="C00000" if required else None),
            alignment=CENTER, fill=HEADER_FILL)
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", name=title)
    return ws


def _notes_sheet(wb):
    notes = wb.create_sheet(_("说明"))
    set_widths(notes, (16, 10, 90))
    put_merged(notes, 1, 1, 3, _("填写说明"), font=title_font(14), alignment=LEFT, border=None)
    for column, heading in enumerate((_("列名"), _("是否必填"), _("说明")), start=1):
        put(notes, 2, column, heading, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    r = 3
    for key, header in COLUMNS:
        required, text = EXPLANATIONS[key]
        put(notes, r, 1, str(header), alignment=LEFT)
        put(notes, r, 2, _("必填") if required else _("选填"), alignment=CENTER)
        put(notes, r, 3, str(text), alignment=LEFT)
        r += 1
    r += 1
    put_merged(notes, r, 1, 3, _("可填写的角色："), font=body_font(bold=True), alignment=LEFT, border=None)
    r += 1
    for role in Role:
        put(notes, r, 1, re.split(r"[（(]", str(role.label))[0], alignment=LEFT)
        put_merged(notes, r, 2, 3, str(role.description), alignment=LEFT)
        r += 1
    r += 1
    for line in (
        _("请在“%(sheet)s”工作表第 %(row)d 行起逐行填写，每行一人；不要修改第 %(header)d 行的表头。",
          sheet=SHEET_NAME, row=FIRST_DATA_ROW, header=HEADER_ROW),
        _("上传时逐行检查；只要有一行不符合要求，整个文件都不会导入，请按提示的行号修改后重新上传。"),
        _("导入后每位新人员得到一个一次性的设置密码链接（%(days)d 天内有效），由本人设置自己的密码。",
          days=links.lifetime().days),
    ):
        put_merged(notes, r, 1, 3, line, alignment=LEFT, border=None)
        r += 1


def template_workbook():
    wb = Workbook()
    ws = _people_sheet(wb, _("人员和科室导入"))
    for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + TEMPLATE_ROWS):
        for column in range(1, len(KEYS) + 1):
            cell = ws.cell(row=r, column=column)
            cell.font = body_font()
            cell.number_format = "@"  # text: a phone number or a login of digits stays as typed
            cell.alignment = LEFT
    _notes_sheet(wb)
    return to_bytes(wb)


def template_filename():
    return safe_filename(_("人员和科室导入模板")) + ".xlsx"


def export_workbook():
    """Everybody in the template's layout (plus 状态), and the sections on a sheet of their own."""
    from workflow.admin import services

    wb = Workbook()
    ws = _people_sheet(wb, _("人员名单"), extra_headers=(_("状态"),))
    for r, user in enumerate(services.list_users(), start=FIRST_DATA_ROW):
        values = (user.full_name, user.username, user.section.name if user.section else "", user.title,
                  user.phone, user.email, roles_text(user.roles), _("在用") if user.active else _("已停用"))
        for column, value in enumerate(values, start=1):
            put(ws, r, column, value, alignment=LEFT)
    sheet = wb.create_sheet(_("科室"))
    set_widths(sheet, (30, 24, 10, 10))
    headers = (_("科室名称"), _("评价工作小组办公室所在科室"), _("状态"), _("人数"))
    for column, header in enumerate(headers, start=1):
        put(sheet, 1, column, header, font=body_font(bold=True), alignment=CENTER, fill=HEADER_FILL)
    counts = dict(db.session.execute(
        select(User.section_id, func.count()).where(User.section_id.is_not(None)).group_by(User.section_id)).all())
    for r, section in enumerate(services.list_sections(), start=2):
        values = (section.name, _("是") if section.is_office else "", _("在用") if section.active else _("已停用"),
                  counts.get(section.id, 0))
        for column, value in enumerate(values, start=1):
            put(sheet, r, column, value, alignment=LEFT)
    layout.fit_rows(ws)
    layout.fit_rows(sheet)
    print_setup(sheet, title_rows="1:1", name=_("科室"))
    return to_bytes(wb)


def export_filename():
    return safe_filename(_("人员和科室")) + ".xlsx"


# Reading and checking an upload -------------------------------------------------------------


@dataclass
class PersonRow:
    row: int
    full_name: str
    username: str
    section_name: str
    title: str = ""
    phone: str = ""
    email: str = ""
    roles: set = field(default_factory=set)


def read_upload(stream):
    """[(row, {key: raw value})] of the non-empty rows of sheet 人员; ImportRefused for a file
    that is not the template. A formula saved without its result (written by a program, not
    by Excel) is marked, as in the project import, not read as an empty cell."""
    data = stream.read()
    importer._check_workbook(data)
    values_wb = importer._open(data, data_only=True)
    formulas_wb = importer._open(data, data_only=False)
    try:
        values_ws, formulas_ws = (next((sheet for sheet in wb.worksheets if sheet.title == SHEET_NAME), wb.worksheets[0])
                                  for wb in (values_wb, formulas_wb))
        width = len(COLUMNS)
        header = next(values_ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=width, values_only=True),
                      ())
        header = [("" if v is None else str(v).strip()) for v in header] + [""] * (width - len(header))
        accepted = ([importer.chinese(label) for _key, label in COLUMNS], [str(label) for _key, label in COLUMNS])
        if header[:width] not in accepted:
            importer._refuse(_("第 %(row)d 行的表头与导入模板不一致，请使用本系统下载的模板，不要增删或调换列。",
                               row=HEADER_ROW))
        rows = []
        pairs = zip(values_ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=width, values_only=True),
                    formulas_ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=width, values_only=True))
        for number, (values, formulas) in enumerate(pairs, start=FIRST_DATA_ROW):
            values = tuple(values) + (None,) * (width - len(values))
            formulas = tuple(formulas) + (None,) * (width - len(formulas))
            if all(importer._blank(v) for v in values) and all(importer._blank(f) for f in formulas):
                continue
            raw = {}
            for key, value, formula in zip(KEYS, values, formulas):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    value = importer._Uncalculated()
                raw[key] = value
            rows.append((number, raw))
            if len(rows) > MAX_ROWS:
                importer._refuse(_("一次最多导入 %(n)d 人。", n=MAX_ROWS))
        return rows
    finally:
        values_wb.close()
        formulas_wb.close()


def validate(rows):
    """Check every row; returns ([PersonRow], [Problem])."""
    sections = {section.name: section for section in db.session.scalars(select(Section))}
    taken = {name.lower() for name in db.session.scalars(select(User.username))}
    names = role_names()
    seen = {}
    good, problems = [], []
    for number, raw in rows:
        found = []

        def problem(message):
            found.append(Problem(number, str(message)))

        def too_long(key, limit):
            problem(_("“%(field)s”不能超过 %(n)d 个字。", field=HEADERS[key], n=limit))

        if any(isinstance(v, importer._Uncalculated) for v in raw.values()):
            problem(_("有公式没有计算结果，请在 Excel 中打开并保存后再上传，或直接填写数值。"))
            problems.extend(found)
            continue

        text = {key: importer._text(raw[key]) for key in KEYS}
        if not text["full_name"]:
            problem(_("“%(field)s”不能为空。", field=HEADERS["full_name"]))
        elif len(text["full_name"]) > NAME_LIMIT:
            too_long("full_name", NAME_LIMIT)

        username = text["username"]
        if not username:
            problem(_("“%(field)s”不能为空。", field=HEADERS["username"]))
        elif len(username) > NAME_LIMIT:
            too_long("username", NAME_LIMIT)
        elif not USERNAME.match(username):
            problem(_("“%(field)s”只能包含字母、数字、点、下划线和连字符。", field=HEADERS["username"]))
        elif username.lower() in seen:
            problem(_("登录名“%(name)s”与第 %(row)d 行重复。", name=username, row=seen[username.lower()]))
        elif username.lower() in taken:
            problem(_("登录名“%(name)s”已被使用。", name=username))
        if username and username.lower() not in seen:
            seen[username.lower()] = number

        section_name = text["section"]
        if len(section_name) > NAME_LIMIT:
            too_long("section", NAME_LIMIT)
        elif section_name in sections and not sections[section_name].active:
            problem(_("科室“%(name)s”已停用，不能分配人员。", name=section_name))

        if len(text["title"]) > NAME_LIMIT:
            too_long("title", NAME_LIMIT)
        phone = text["phone"]
        if len(phone) > 32:
            too_long("phone", 32)
        elif phone and not PHONE.match(phone):
            problem(_("“%(field)s”只能包含数字、空格和 + - ( )。", field=HEADERS["phone"]))
        email = text["email"]
        if len(email) > 254:
            too_long("email", 254)
        elif email:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problem(_("“%(field)s”格式不正确：%(value)s", field=HEADERS["email"], value=email))

        roles, unknown = set(), []
        for name in ROLE_SEPARATORS.split(text["roles"]):
            if not name:
                continue
            role = names.get(name.lower())
            if role is None:
                unknown.append(name)
            else:
                roles.add(role)
        if unknown:
            problem(_("“%(field)s”中有无法识别的角色：%(names)s（可填写：%(known)s）。", field=HEADERS["roles"],
                      names="、".join(unknown), known=roles_text(set(Role))))
        elif not roles:
            problem(_("“%(field)s”不能为空。", field=HEADERS["roles"]))
        elif Role.SECTION_STAFF in roles and not section_name:
            problem(_("科室经办人必须填写“%(field)s”。", field=HEADERS["section"]))

        if found:
            problems.extend(found)
        else:
            good.append(PersonRow(row=number, full_name=text["full_name"], username=username,
                                  section_name=section_name, title=text["title"], phone=phone, email=email,
                                  roles=roles))
    return good, problems


# Importing -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    people: list
    new_sections: list
    links: list  # links.IssuedLink, one per new person, in the file's order
    office: Section | None = None  # the section made the evaluation office by this import
    in_directory: list = field(default_factory=list)  # new people who sign in with the directory


def _sections_for(good):
    """{name: Section} for every 科室 of the file; the missing ones are created (flushed)."""
    existing = {section.name: section for section in db.session.scalars(select(Section))}
    order = db.session.scalar(select(func.max(Section.sort_order))) or 0
    created = []
    for item in good:
        name = item.section_name
        if name and name not in existing:
            order += 10
            section = Section(name=name, is_office=False, active=True, sort_order=order)
            db.session.add(section)
            existing[name] = section
            created.append(section)
    db.session.flush()
    return existing, created


def _office_section(good, sections):
    """The one section of the file's 评价办公室 people, when no section is the office yet."""
    if db.session.scalar(select(Section.id).where(Section.is_office.is_(True)).limit(1)) is not None:
        return None
    named = {item.section_name for item in good if Role.OFFICE in item.roles and item.section_name}
    if len(named) != 1:
        return None
    section = sections[named.pop()]
    section.is_office = True
    return section


def import_people(stream, actor):
    """Create the people of an uploaded workbook, and their missing sections: all of them, or,
    when any row has a problem, none (ImportRefused lists every problem). One commit.
    Each new person gets a one-time link to set their password."""
    rows = read_upload(stream)
    if not rows:
        importer._refuse(_("文件中没有人员数据：请从第 %(row)d 行起填写。", row=FIRST_DATA_ROW))
    good, problems = validate(rows)
    if problems:
        raise ImportRefused(problems)
    try:
        sections, created = _sections_for(good)
        office = _office_section(good, sections)
        people = []
        for item in good:
            user = User(username=item.username, full_name=item.full_name,
                        section_id=sections[item.section_name].id if item.section_name else None,
                        title=item.title, phone=item.phone, email=item.email, active=True,
                        must_change_password=False)
            user.set_password(secrets.token_urlsafe(32))  # known to nobody: the link sets the real one
            user.set_roles(item.roles)
            db.session.add(user)
            people.append(user)
        db.session.flush()
        # A login the directory handles has its password there: no link.
        in_directory = [user for user in people if directory.handles(user.username)]
        issued = [links.issue(user, actor) for user in people if user not in in_directory]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        importer._refuse(_("导入时人员或科室被他人同时修改（可能已有相同的登录名或科室），未导入任何人员，请重试。"))
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(people=people, new_sections=created, links=issued, office=office, in_directory=in_directory)
