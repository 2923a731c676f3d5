"""cases: every selected customer as a case with an append-only history

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("district", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("opened_day", sa.Date, nullable=False, index=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "case_tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "ticket_id", name="uq_case_ticket"),
    )
    op.create_index("ix_case_tickets_district_ticket", "case_tickets", ["district", "ticket_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=True, index=True),
        sa.Column("at", sa.DateTime(), nullable=False, index=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_event_seq"),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("case_tickets")
    op.drop_table("cases")
