"""PDFs kept by what they were rendered from (documents.render.render_kept)."""
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow import clock
from workflow.extensions import db
from workflow.models.types import UTCDateTime


class RenderedDocument(db.Model):
    """A rendered PDF under the SHA-256 of everything it was made from (the document's HTML,
    its style sheets, the font rules): the same key is the same bytes, so a stored row is
    never stale, only unused."""

    __tablename__ = "rendered_documents"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
