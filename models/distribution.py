"""How respondents reach a survey: personal invitations and per-site QR links (public links use Survey.slug)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.org import Site
from models.survey import Survey


class Invitation(Base):
    """A single-use personal link. Only the SHA-256 of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    # Segment attributes from the CSV (customer_id, region, channel, product, ...).
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None] = mapped_column(index=True)
    # Save & resume: answers typed so far, keyed by question key.
    draft: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    survey: Mapped[Survey] = relationship()


class SiteLink(Base):
    """A QR-code link that pre-fills the site for a worker survey."""

    __tablename__ = "site_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40), unique=True)

    survey: Mapped[Survey] = relationship()
    site: Mapped[Site] = relationship()
