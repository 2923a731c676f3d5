"""sites.name: the network-plan site's name, told to a 规划在建 customer and named by the callback

A worker tells the customer which site is planned and when it goes live; a name
(站点名称) reads better than the id alone.  Optional in the network plan; existing
rows get "" and the id is shown alone.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=128), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('name')
