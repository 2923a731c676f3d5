"""plans: versioned day plans as JSON documents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "district", "version", name="uq_plan_version"),
    )
    op.create_index("ix_plans_day", "plans", ["day"])
    op.create_index("ix_plans_district", "plans", ["district"])


def downgrade() -> None:
    op.drop_index("ix_plans_district", table_name="plans")
    op.drop_index("ix_plans_day", table_name="plans")
    op.drop_table("plans")
