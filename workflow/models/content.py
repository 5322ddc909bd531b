"""The content of one evaluation: its budget block, indicators, narrative, evidence, review
comments, frozen snapshots and notes on consistency findings."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from workflow import clock
from workflow.extensions import db
from workflow.models.frameworks import Amount, Points
from workflow.models.types import UTCDateTime

# 年度资金总额 and its parts: 本年财政拨款, 上年结转资金, 其他资金.
FUNDING_KINDS = ("total", "current_year", "carry_over", "other")


class FundingRow(db.Model):
    __tablename__ = "funding_rows"
    __table_args__ = (UniqueConstraint("evaluation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    initial_budget: Mapped[Decimal | None] = mapped_column(Amount)  # 年初预算数
    annual_budget: Mapped[Decimal | None] = mapped_column(Amount)  # 全年预算数
    executed: Mapped[Decimal | None] = mapped_column(Amount)  # 全年执行数


class Indicator(db.Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    level1: Mapped[str] = mapped_column(String(32))
    level2: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(100), default="")  # 三级指标
    kind: Mapped[str] = mapped_column(String(16), default="standard")
    nature: Mapped[str | None] = mapped_column(String(16))  # >= <= = qualitative
    unit: Mapped[str] = mapped_column(String(16), default="")
    target: Mapped[Decimal | None] = mapped_column(Amount)  # 年度指标值 (quantitative)
    target_text: Mapped[str] = mapped_column(String(200), default="")  # 年度指标值 (qualitative)
    actual: Mapped[Decimal | None] = mapped_column(Amount)  # 实际完成值
    actual_text: Mapped[str] = mapped_column(String(200), default="")
    weight: Mapped[Decimal] = mapped_column(Points)
    band: Mapped[str | None] = mapped_column(String(16))  # qualitative band
    score: Mapped[Decimal | None] = mapped_column(Points)
    applicable: Mapped[bool] = mapped_column(default=True)
    deviation_reason: Mapped[str] = mapped_column(Text, default="")  # 偏差原因分析及改进措施
    explanation: Mapped[str] = mapped_column(Text, default="", server_default="")  # 指标解释
    basis: Mapped[str | None] = mapped_column(String(16))  # 目标值依据 (workflow/library/terms.BASES)
    sort_order: Mapped[int] = mapped_column(default=0)


class NarrativeSection(db.Model):
    __tablename__ = "narrative_sections"
    __table_args__ = (UniqueConstraint("evaluation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")


class Attachment(db.Model):
    """Evidence (佐证材料). The bytes live in the database so that every app process and host
    sees the same files, and they are served only through a permission check."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    uploaded_by = relationship("User")


class ReviewComment(db.Model):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(48), default="general")  # general | section:<key> | indicator:<id>
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    author = relationship("User")


class Snapshot(db.Model):
    """The evaluation's data as it was submitted or approved, with its SHA-256. An approval
    snapshot, with its report PDF, is what goes to the finance bureau."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # submission | approval
    data: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The report rendered once at approval: every later download serves exactly these bytes.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class FindingNote(db.Model):
    """A reviewer marks a consistency finding as explained; the check stays visible."""

    __tablename__ = "finding_notes"
    __table_args__ = (UniqueConstraint("evaluation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    author = relationship("User")
