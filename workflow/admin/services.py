"""Rules for managing users and sections.

Every function validates fully before it changes anything, so a refused request leaves the
database as it was. Guard rails: an administrator cannot lock themself out, and the system
always keeps at least one active administrator.
"""
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow.auth import sessions
from workflow.auth.services import validate_new_password
from workflow.errors import NotFound, ServiceError
from workflow.extensions import db
from workflow.models import Section, User, UserRole
from workflow.roles import Role
from workflow.tokens import services as tokens


@dataclass
class UserData:
    username: str
    full_name: str
    section_id: int | None = None
    title: str = ""
    phone: str = ""
    email: str = ""
    roles: set = field(default_factory=set)
    active: bool = True


def list_users(query=None, section_id=None):
    statement = select(User).order_by(User.section_id.is_(None), User.section_id, User.full_name)
    if query:
        pattern = f"%{query.strip()}%"
        statement = statement.where(User.full_name.like(pattern) | User.username.like(pattern))
    if section_id:
        statement = statement.where(User.section_id == section_id)
    return db.session.scalars(statement).all()


def get_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在。"))
    return user


def _check_user_data(data, user=None):
    username = data.username.strip()
    if not username:
        raise ServiceError(_("登录名不能为空。"))
    clash = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if clash is not None and clash is not user:
        raise ServiceError(_("登录名“%(name)s”已被使用。", name=username), code="duplicate")
    if not data.full_name.strip():
        raise ServiceError(_("姓名不能为空。"))
    if data.section_id is not None:
        section = db.session.get(Section, data.section_id)
        if section is None:
            raise ServiceError(_("所选科室不存在。"))
        if not section.active and (user is None or user.section_id != section.id):
            raise ServiceError(_("科室“%(name)s”已停用，不能分配人员。", name=section.name))
    try:
        roles = {Role(role) for role in data.roles}
    except ValueError:
        raise ServiceError(_("角色无效。")) from None
    if Role.SECTION_STAFF in roles and data.section_id is None:
        raise ServiceError(_("科室经办人必须属于一个科室。"))
    return username, roles


def _active_admin_count(excluding=None):
    statement = (
        select(func.count(func.distinct(User.id)))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
    )
    if excluding is not None:
        statement = statement.where(User.id != excluding.id)
    return db.session.scalar(statement)


def create_user(data, password):
    username, roles = _check_user_data(data)
    # As for a reset: the initial password may not be the login name.
    validate_new_password(SimpleNamespace(username=username), password)
    user = User(
        username=username,
        full_name=data.full_name.strip(),
        section_id=data.section_id,
        title=data.title.strip(),
        phone=data.phone.strip(),
        email=data.email.strip(),
        active=data.active,
        must_change_password=True,
    )
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user, data, acting_user):
    username, roles = _check_user_data(data, user)
    loses_admin = Role.ADMIN in user.roles and (Role.ADMIN not in roles or not data.active)
    if loses_admin and user.active:
        if user.id == acting_user.id:
            raise ServiceError(_("不能取消自己的管理员角色或停用自己的账号。"), code="refused")
        if _active_admin_count(excluding=user) == 0:
            raise ServiceError(_("系统至少需要保留一名在用的管理员。"))
    deactivated = user.active and not data.active
    user.username = username
    user.full_name = data.full_name.strip()
    user.section_id = data.section_id
    user.title = data.title.strip()
    user.phone = data.phone.strip()
    user.email = data.email.strip()
    user.active = data.active
    user.set_roles(roles)
    if deactivated:
        lock_out(user)
    db.session.commit()
    return user


def set_active(user, active, acting_user):
    if not active and user.active and Role.ADMIN in user.roles:
        if user.id == acting_user.id:
            raise ServiceError(_("不能停用自己的账号。"), code="refused")
        if _active_admin_count(excluding=user) == 0:
            raise ServiceError(_("系统至少需要保留一名在用的管理员。"))
    if user.active and not active:
        lock_out(user)
    user.active = active
    db.session.commit()


def lock_out(user):
    """Deactivation: every session of the account ends and its API tokens are revoked for
    good, so reactivating the account later brings back neither (the person logs in again
    and makes new tokens)."""
    sessions.end_all(user)
    tokens.revoke_all(user)


def reset_password(user, password):
    """An administrator sets a temporary password; the owner must change it at next login,
    and every open session of the account ends."""
    validate_new_password(user, password)
    user.set_password(password)
    user.must_change_password = True
    sessions.end_all(user)
    db.session.commit()


# Sections -------------------------------------------------------------------------------


def list_sections():
    return db.session.scalars(select(Section).order_by(Section.sort_order, Section.id)).all()


def active_sections():
    return db.session.scalars(
        select(Section).where(Section.active.is_(True)).order_by(Section.sort_order, Section.id)
    ).all()


def get_section(section_id):
    section = db.session.get(Section, section_id)
    if section is None:
        raise NotFound(_("科室不存在。"))
    return section


def _check_section_name(name, section=None):
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("科室名称不能为空。"))
    clash = db.session.scalar(select(Section).where(Section.name == name))
    if clash is not None and clash is not section:
        raise ServiceError(_("科室“%(name)s”已存在。", name=name), code="duplicate")
    return name


def _make_sole_office(section):
    """The evaluation office sits in exactly one section."""
    for other in db.session.scalars(select(Section).where(Section.is_office.is_(True))):
        if other is not section:
            other.is_office = False
    section.is_office = True


def create_section(name, is_office=False, sort_order=0):
    section = Section(name=_check_section_name(name), sort_order=sort_order or 0, is_office=False)
    db.session.add(section)
    if is_office:
        _make_sole_office(section)
    db.session.commit()
    return section


def update_section(section, name, is_office, active, sort_order=0):
    name = _check_section_name(name, section)
    if section.active and not active:
        members = db.session.scalar(
            select(func.count()).select_from(User).where(User.section_id == section.id, User.active.is_(True))
        )
        if members:
            raise ServiceError(
                _("科室“%(name)s”还有 %(n)d 名在用人员，请先调整他们的科室。", name=section.name, n=members)
            )
    section.name = name
    section.active = active
    section.sort_order = sort_order or 0
    if is_office:
        _make_sole_office(section)
    else:
        section.is_office = False
    db.session.commit()
    return section
