"""one plan at a time per district and day: jobs.lock_key, unique among active jobs

Two planning requests for the same district and day at the same moment must
give one job; a check before the insert lets both through.  ``lock_key`` names
what a job works on and a partial unique index allows one queued or running job
per key.  Plan versions themselves are unique per (day, district, version)
since 0002 (``uq_plan_version``); saving takes a lock so a second plan gets the
next version instead of failing on that constraint.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ACTIVE_JOB = "status IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_key', sa.String(length=200), nullable=True))
    op.create_index('uq_jobs_active_lock_key', 'jobs', ['lock_key'], unique=True,
                    sqlite_where=sa.text(ACTIVE_JOB), postgresql_where=sa.text(ACTIVE_JOB))


def downgrade() -> None:
    op.drop_index('uq_jobs_active_lock_key', table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('lock_key')
