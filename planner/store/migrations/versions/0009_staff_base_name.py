"""staff.base_name: the base's name (the district office), printed on the route sheet

A worker reads "出发地 南区优化维护分部", not two coordinates.  Optional in the
roster (基地名称 / 出发地点); existing rows get "" and the sheet then falls back
to the coordinates.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_name', sa.String(length=128), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('base_name')
