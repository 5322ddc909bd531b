"""Meetings of a plan (培训会, 动员会, 评审会 …): the notice, who is invited and what they
replied (培训登记), the files attached to the notice, and who signed in (签到).

Everything the printable notice (会议通知) and the sign-in sheet (签到表) need is stored here:
addressee, purpose and basis, time, place, participants, attachments, issuer and date; and per
person 姓名 · 单位/科室 · 职务 · 联系电话 · 签到时间 · 备注.
"""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime

MEETING_KINDS = ("training", "mobilisation", "review", "other")
RESPONSES = ("attend", "absent")
SIGNIN_METHODS = ("qr", "proxy")


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
        CheckConstraint(_in("kind", MEETING_KINDS), name="known_kind"),
        CheckConstraint("signin_opens_before >= 0 AND signin_closes_after >= 0", name="signin_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # 预算重点项目绩效评价工作培训会议
    kind: Mapped[str] = mapped_column(String(16), default="training")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    # 主办单位: the section that organises it (the evaluation office in the seed).
    organiser_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    # The notice: 主送 (局机关各科室), purpose and basis (按照……要求，为……), further arrangements,
    # 落款 (who issues it) and 成文日期.
    addressee: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    arrangements: Mapped[str] = mapped_column(Text, default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date | None]
    reply_by: Mapped[date | None]  # 培训登记 wanted by this day
    # Guests who are not on the list may sign in with their name and unit.
    allow_guests: Mapped[bool] = mapped_column(default=False)
    # The sign-in window: opens this many minutes before the start, closes this many after it.
    signin_opens_before: Mapped[int] = mapped_column(default=60)
    signin_closes_after: Mapped[int] = mapped_column(default=30)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped when the time or place changes after publishing (the iCal SEQUENCE).
    revision: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    plan = relationship("Plan")
    organiser_section = relationship("Section")
    created_by = relationship("User")
    invitees: Mapped[list["MeetingInvitee"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        order_by="[MeetingInvitee.sort_order, MeetingInvitee.id]",
    )
    attachments: Mapped[list["MeetingAttachment"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttachment.id"
    )
    signins: Mapped[list["MeetingSignin"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        order_by="[MeetingSignin.signed_at, MeetingSignin.id]",
    )

    @property
    def is_published(self):
        return self.published_at is not None


class MeetingInvitee(db.Model):
    """One person on the list (参加人员): a user, or an external guest by name and unit.

    The registration reply (培训登记) lives on the same row: attend or not (with a reason),
    and the details the person confirmed, prefilled from their account."""

    __tablename__ = "meeting_invitees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        UniqueConstraint("meeting_id", "guest_name", "guest_unit"),
        CheckConstraint("(user_id IS NULL) <> (guest_name IS NULL)", name="user_or_guest"),
        CheckConstraint("response IS NULL OR " + _in("response", RESPONSES), name="known_response"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(String(64))
    guest_unit: Mapped[str | None] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # 培训登记: the reply and the confirmed 姓名 · 科室 · 职务 · 联系电话 · 备注.
    response: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")  # why not attending
    name: Mapped[str] = mapped_column(String(64), default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="invitees")
    user = relationship("User")

    @property
    def is_guest(self):
        return self.user_id is None


class MeetingAttachment(db.Model):
    """A file attached to the notice (附件：培训登记表 …), its bytes in the database."""

    __tablename__ = "meeting_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))  # as the notice lists it: 培训登记表
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    meeting: Mapped[Meeting] = relationship(back_populates="attachments")


class MeetingSignin(db.Model):
    """One sign-in (签到): by QR code on the phone or by the office on someone's behalf (代签).

    At most one per user and one per guest (name and unit) and meeting: the unique keys make a
    second sign-in, even a concurrent one, impossible, and the first time stands."""

    __tablename__ = "meeting_signins"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        UniqueConstraint("meeting_id", "guest_name", "guest_unit"),
        CheckConstraint("(user_id IS NULL) <> (guest_name IS NULL)", name="user_or_guest"),
        CheckConstraint(_in("method", SIGNIN_METHODS), name="known_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_invitees.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    guest_name: Mapped[str | None] = mapped_column(String(64))
    guest_unit: Mapped[str | None] = mapped_column(String(100))
    # What the sign-in sheet prints: 姓名 · 单位/科室 · 职务 · 联系电话.
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(default=False)
    method: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")  # the office's note on a 代签
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(64), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="signins")
    invitee = relationship("MeetingInvitee")
    user = relationship("User", foreign_keys=[user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def is_guest(self):
        return self.user_id is None
