"""The platform's tables (SQLAlchemy 2). Schema changes go through Alembic (`migrations/`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no zones), always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class BootstrapToken(Base):
    """A CREDENTIALS_TOKEN_A: single use, expiring, stored only as HMAC-SHA256."""

    __tablename__ = "bootstrap_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    expected_country_code: Mapped[str | None] = mapped_column(String(2))
    expected_party_id: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    redeemed_by: Mapped[str | None] = mapped_column(String(36))
    revoked_at: Mapped[datetime | None]


class Partner(Base):
    """A platform we are connected to, in whichever direction the handshake ran."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # "pending" (handshake we started, in flight), "registered", "unregistered"
    status: Mapped[str] = mapped_column(String(16))
    initiated_by: Mapped[str] = mapped_column(String(8))  # "partner" or "us"
    versions_url: Mapped[str] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(8))
    endpoints: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # HMAC of the token the partner uses to call us; a second one is accepted mid-rotation.
    inbound_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    next_inbound_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The token we use to call the partner. It must be sent, so it cannot be hashed.
    outbound_token: Mapped[str | None] = mapped_column(String(64))
    bootstrap_token_id: Mapped[str | None] = mapped_column(ForeignKey("bootstrap_tokens.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Document(Base):
    """One OCPI object as the JSON we serve, beside the columns it is looked up and paged by.

    Pages are assembled from `body` without re-validation; `seq` (creation order) keeps paging
    stable while objects change (§4.1.4.1). Ids are CiStrings: keys are stored upper-cased.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("kind", "origin", "country_code", "party_id", "object_key", "variant"),
        Index("ix_documents_kind_origin_updated", "kind", "origin", "last_updated"),
        # Pages walk `seq` in order and single GETs look up by id alone (§8.2.1.2): both stay
        # index range scans however many documents there are.
        Index("ix_documents_kind_origin_seq", "kind", "origin", "seq"),
        Index("ix_documents_kind_origin_key", "kind", "origin", "object_key"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    # "own" for our objects; the partner's id for objects a partner pushed to us.
    origin: Mapped[str] = mapped_column(String(36))
    country_code: Mapped[str] = mapped_column(String(2))
    party_id: Mapped[str] = mapped_column(String(3))
    object_key: Mapped[str] = mapped_column(String(39))
    variant: Mapped[str] = mapped_column(String(16), default="")  # Token type; "" otherwise
    last_updated: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)


class DocumentCount(Base):
    """How many documents of a kind an origin holds; kept by triggers (migration 0005) in the
    transaction that inserts or deletes, so an unfiltered X-Total-Count is one row read."""

    __tablename__ = "document_counts"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    origin: Mapped[str] = mapped_column(String(36), primary_key=True)
    n: Mapped[int]


class OutboxEvent(Base):
    """One push to one partner, written in the transaction that changed the object (§4.4 aside:
    OCPI does not require queuing; we do it so that nothing is lost while a partner is down).
    Events with the same `object_key` for the same partner are delivered in `id` order.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_pending", "delivered_at", "next_attempt_at"),
        Index("ix_outbox_partner_object", "partner_id", "object_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    module: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))  # below the partner's module endpoint URL
    body: Mapped[str | None] = mapped_column(Text)
    object_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The `Location` header the eMSP answered a CDR POST with (§10.2.3: its URL of the CDR).
    response_location: Mapped[str | None] = mapped_column(String(500))


class AuditEvent(Base):
    """Append-only security trail (triggers refuse UPDATE and DELETE). Never holds a secret."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_event_reason", "event", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    event: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(40))
    token_id: Mapped[str | None] = mapped_column(String(36))
    partner_id: Mapped[str | None] = mapped_column(String(36))
    client_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(Text)


class TokenPull(Base):
    """The last complete pull of an eMSP's Tokens (§12.2.2): where the next one starts."""

    __tablename__ = "token_pulls"

    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    complete_from: Mapped[str] = mapped_column(String(40))  # the eMSP's timestamp, first page
    completed_at: Mapped[datetime]
