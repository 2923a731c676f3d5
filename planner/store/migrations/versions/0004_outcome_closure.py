"""outcomes: the visit's tickets, and the dispatcher's follow-up closure (需要后期闭环)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_ids', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('followed_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('followed_up_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('follow_up_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_outcomes_district'), ['district'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_district'))
        batch_op.drop_column('follow_up_notes')
        batch_op.drop_column('followed_up_by')
        batch_op.drop_column('followed_up_at')
        batch_op.drop_column('ticket_ids')
