"""People: sections (科室), users and the roles they hold."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime
from workflow.roles import Role

ROLE_CODES = tuple(role.value for role in Role)


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # The evaluation office (评价工作小组办公室) sits in one section: 规划财务科 in the seed.
    is_office: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    users: Mapped[list["User"]] = relationship(back_populates="section")

    def __repr__(self):
        return f"<Section {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{code}'" for code in ROLE_CODES) + ")", name="known_role"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)



def hash_password(password):
    """The configured hash of ``password`` (scrypt in production; the tests' configuration
    picks a cheap one, since every login checks a hash)."""
    from flask import current_app

    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(64))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    title: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    # After an administrator sets a password, the owner must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    # The secret in the user's private iCal feed URL; replaced when the user asks.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    section: Mapped[Section | None] = relationship(back_populates="users")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    # Flask-Login reads is_active; an inactive account cannot log in or keep a session.
    # (Flask-Login keeps the plain id in the cookie; the session's own secret is checked
    # against user_sessions: workflow/auth/sessions.py.)
    @property
    def is_active(self):
        return self.active

    def set_password(self, password):
        self.password_hash = hash_password(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self):
        return frozenset(Role(row.role) for row in self.role_rows)

    def set_roles(self, roles):
        wanted = {Role(role).value for role in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=code) for code in sorted(wanted - {row.role for row in self.role_rows})
        ]

    def has_role(self, *roles):
        return bool(self.roles.intersection(Role(role) for role in roles))

    def __repr__(self):
        return f"<User {self.username}>"

