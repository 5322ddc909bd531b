"""Directory sign-in (LDAP or Active Directory), optional: on when LDAP_URL is set.

The login service (workflow/auth/services.py, ``authenticate``) asks ``handles(login)``; for
a login name it handles, it calls ``sign_in(login, password)`` instead of checking the
app's own password. ``sign_in``:

1. binds with the search account (LDAP_BIND_DN / LDAP_BIND_PASSWORD; anonymous when unset)
   and looks the login name up under LDAP_BASE_DN with LDAP_USER_FILTER: exactly one entry;
2. binds as that entry with the password typed (never an empty one: an empty password would
   be an anonymous bind, which most servers accept);
3. matches the login name to the app's user, regardless of case, and returns them.

Roles and sections stay the app's. Where LDAP_GROUP_ROLES (or LDAP_GROUP_SECTIONS) maps
directory groups to roles (sections), the user's roles (section) follow their groups at
every sign-in. A directory user not yet in the app is created when the role mapping gives
them a role; otherwise they are refused ("not opened in this system"). A deactivated user is
refused whatever the directory says (the service checks after this module).

Local accounts (LDAP_LOCAL_USERS, e.g. the administrator) keep signing in with the app's
password and are never looked up in the directory. Nobody else falls back to the app's
password, not even while the directory is down: they get a clear message instead.
"""
import logging
import secrets
import ssl
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from sqlalchemy import func, select

from workflow.errors import ServiceError
from workflow.extensions import db
from workflow.models import Section, User
from workflow.roles import Role

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = 49  # LDAP result code


class BadCredentials(Exception):
    """Unknown login name or wrong password: the caller counts a failure and answers as for
    a wrong local password."""


class DirectoryUnavailable(ServiceError):
    code = "directory_unavailable"


@dataclass
class Person:
    """What the directory says about the person signing in."""

    login: str
    dn: str
    full_name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    groups: set = field(default_factory=set)  # group names, lower case


# Settings ---------------------------------------------------------------------------------


def enabled(config=None):
    return bool((config or current_app.config).get("LDAP_URL"))


def parse_pairs(text):
    """``"g1=v1, g2=v2"`` -> [("g1", "v1"), ("g2", "v2")]; a group may appear more than once
    (several roles). Group names compare regardless of case."""
    pairs = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        group, sep, value = item.partition("=")
        if not sep or not group.strip() or not value.strip():
            raise RuntimeError(f"Bad group mapping {item!r}: write group=value, separated by commas.")
        pairs.append((group.strip().lower(), value.strip()))
    return pairs


def role_mapping(config=None):
    return [(group, Role(value)) for group, value in parse_pairs((config or current_app.config)["LDAP_GROUP_ROLES"])]


def section_mapping(config=None):
    return parse_pairs((config or current_app.config)["LDAP_GROUP_SECTIONS"])


def local_logins(config=None):
    text = (config or current_app.config)["LDAP_LOCAL_USERS"] or ""
    return {name.strip().lower() for name in text.split(",") if name.strip()}


def check_settings(config):
    """At start-up, when the directory is on: refuse settings that could only fail later."""
    if not enabled(config):
        return
    if not config.get("LDAP_BASE_DN"):
        raise RuntimeError("LDAP_BASE_DN must be set when LDAP_URL is set.")
    if "{login}" not in config["LDAP_USER_FILTER"]:
        raise RuntimeError("LDAP_USER_FILTER must contain {login}, e.g. (uid={login}).")
    try:
        role_mapping(config)
    except ValueError:
        codes = ", ".join(role.value for role in Role)
        raise RuntimeError(f"LDAP_GROUP_ROLES names an unknown role; the roles are {codes}.") from None
    section_mapping(config)
    if not local_logins(config):
        log.warning("LDAP_URL is set and LDAP_LOCAL_USERS is empty: nobody can sign in while the "
                    "directory is down (list the administrator there, e.g. LDAP_LOCAL_USERS=admin).")


def handles(login):
    """Whether this login name signs in through the directory (rather than locally)."""
    return enabled() and (login or "").strip().lower() not in local_logins()


# Talking to the directory -----------------------------------------------------------------


def _server(config):
    tls = None
    if config["LDAP_URL"].lower().startswith("ldaps://") or config["LDAP_START_TLS"]:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config["LDAP_CA_CERT_FILE"] or None)
    return Server(config["LDAP_URL"], connect_timeout=config["LDAP_TIMEOUT_SECONDS"], get_info=NONE, tls=tls)


def _connect(server, config, user=None, password=None):
    connection = Connection(server, user=user, password=password, receive_timeout=config["LDAP_TIMEOUT_SECONDS"],
                            raise_exceptions=False, read_only=True,
                            # An AD search from the domain's root answers with referrals to
                            # other servers: never followed (they would wait on other hosts).
                            auto_referrals=False)
    connection.open()
    if config["LDAP_START_TLS"] and not connection.start_tls():
        raise DirectoryUnavailable(_("无法与单位目录服务器建立加密连接，请联系管理员。"))
    return connection


def _first(attributes, name):
    if not name:
        return ""
    value = attributes.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def _unavailable(error=None):
    if error is not None:
        log.warning("directory sign-in: the directory could not be used: %s", error)
    return DirectoryUnavailable(_("暂时无法连接单位目录服务器，请稍后再试或联系管理员。"))


def _entries(connection):
    return [item for item in connection.response or () if item.get("type") == "searchResEntry"]


def look_up(login, password, config=None):
    """The directory's Person for a login name and its password; BadCredentials when the
    name is unknown or the password wrong; DirectoryUnavailable when the directory cannot
    answer (down, timeout, the search account refused)."""
    config = config or current_app.config
    if not password:
        raise BadCredentials()
    server = _server(config)
    search = None
    try:
        search = _connect(server, config, config["LDAP_BIND_DN"] or None, config["LDAP_BIND_PASSWORD"] or None)
        if not search.bind():
            log.error("directory sign-in: the search account was refused: %s", search.result)
            raise _unavailable()
        attributes = [name for name in (config["LDAP_NAME_ATTRIBUTE"], config["LDAP_EMAIL_ATTRIBUTE"],
                                        config["LDAP_PHONE_ATTRIBUTE"], config["LDAP_TITLE_ATTRIBUTE"]) if name]
        search.search(config["LDAP_BASE_DN"], config["LDAP_USER_FILTER"].replace("{login}", escape_filter_chars(login)),
                      search_scope=SUBTREE, attributes=attributes, size_limit=2,
                      time_limit=config["LDAP_TIMEOUT_SECONDS"])
        entries = _entries(search)
        if search.result.get("result") not in (0, 4, 32) and not entries:  # 4: size limit, 32: no such object
            log.error("directory sign-in: the search failed: %s", search.result)
            raise _unavailable()
        if len(entries) != 1:
            if len(entries) > 1:
                log.warning("directory sign-in: %r matches several entries; refused", login)
            raise BadCredentials()
        entry = entries[0]
        dn, found = entry["dn"], entry.get("attributes") or {}

        user = _connect(server, config, dn, password)
        try:
            if not user.bind():
                if user.result.get("result") == INVALID_CREDENTIALS:
                    raise BadCredentials()
                log.error("directory sign-in: the bind of %s failed: %s", dn, user.result)
                raise _unavailable()
        finally:
            user.unbind()

        person = Person(
            login=login,
            dn=dn,
            full_name=_first(found, config["LDAP_NAME_ATTRIBUTE"]),
            email=_first(found, config["LDAP_EMAIL_ATTRIBUTE"]),
            phone=_first(found, config["LDAP_PHONE_ATTRIBUTE"]),
            title=_first(found, config["LDAP_TITLE_ATTRIBUTE"]),
        )
        if config["LDAP_GROUP_ROLES"] or config["LDAP_GROUP_SECTIONS"]:
            person.groups = _groups(search, config, dn)
        return person
    except (LDAPException, ssl.SSLError, OSError) as error:  # down, timeout, a certificate refused
        raise _unavailable(error) from None
    finally:
        if search is not None:
            try:
                search.unbind()
            except LDAPException:
                pass


def _groups(connection, config, dn):
    name = config["LDAP_GROUP_NAME_ATTRIBUTE"]
    connection.search(config["LDAP_GROUP_BASE_DN"] or config["LDAP_BASE_DN"],
                      config["LDAP_GROUP_FILTER"].replace("{dn}", escape_filter_chars(dn)),
                      search_scope=SUBTREE, attributes=[name], time_limit=config["LDAP_TIMEOUT_SECONDS"])
    if connection.result.get("result") not in (0, 32):
        log.error("directory sign-in: the group search failed: %s", connection.result)
        raise _unavailable()
    groups = set()
    for entry in _entries(connection):
        value = (entry.get("attributes") or {}).get(name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item:
                groups.add(str(item).strip().lower())
    return groups


# The app's user ---------------------------------------------------------------------------


def _mapped_section(person):
    names = []
    for group, section_name in section_mapping():
        if group in person.groups and section_name not in names:
            names.append(section_name)
    if len(names) > 1:
        raise ServiceError(_("您在单位目录中属于多个科室组（%(names)s），请联系管理员。", names="、".join(names)))
    if not names:
        return None
    section = db.session.scalar(select(Section).where(Section.name == names[0]))
    if section is None or not section.active:
        log.error("directory sign-in: LDAP_GROUP_SECTIONS names %r, which is no active section", names[0])
        raise ServiceError(_("目录组对应的科室“%(name)s”在本系统中不存在或已停用，请联系管理员。", name=names[0]))
    return section


def _follow_groups(user, person):
    """Give the user the roles and the section their groups map to (where mapped). Refuses
    someone the mapping leaves without a role, or a 科室经办人 without a section."""
    if role_mapping():
        roles = {role for group, role in role_mapping() if group in person.groups}
        if not roles:
            if user.id is not None and user.role_rows:
                from workflow.auth import sessions

                # Removed from every group: no rights left, no session kept.
                user.set_roles(())
                sessions.end_all(user)
                db.session.commit()
            raise ServiceError(_("您在单位目录中不属于本系统的任何用户组，请联系管理员。"))
    else:
        roles = user.roles
    section = _mapped_section(person) if section_mapping() else user.section
    if Role.SECTION_STAFF in roles and section is None:
        raise ServiceError(_("您在单位目录中没有对应的科室，不能作为科室经办人登录，请联系管理员。"))
    user.set_roles(roles)
    user.section = section


def sign_in(login, password):
    """The app's user for a directory login (created or updated per the group mapping), not
    yet committed; raises BadCredentials, DirectoryUnavailable or ServiceError."""
    login = (login or "").strip()
    person = look_up(login, password)
    user = db.session.scalar(select(User).where(func.lower(User.username) == login.lower()))
    if user is not None and not user.active:
        return user  # refused by the service, whatever the directory says; nothing synced
    if user is None:
        if not role_mapping():
            raise ServiceError(_("您的目录账号尚未在本系统开通，请联系管理员。"))
        user = User(
            username=login[:64],
            active=True,
            full_name=(person.full_name or login)[:64],
            title=person.title[:64],
            phone=person.phone[:32],
            email=person.email[:254],
            # The app's own password is never used for a directory account: a random one.
            password_hash="!directory:" + secrets.token_hex(32),
        )
        _follow_groups(user, person)
        db.session.add(user)
    elif role_mapping() or section_mapping():
        _follow_groups(user, person)
    # The directory holds the password: nothing to change here.
    user.must_change_password = False
    return user
