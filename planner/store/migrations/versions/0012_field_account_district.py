"""field accounts: the district of their worker

Before 0011 an import could move a worker to another district, and the field pages
found a worker's district from the roster.  They now take it from the account (a
staff id names a worker only within a district), so an account made while its
worker was in another district would see the route of whoever that district names
by the same id next.  Each field account whose (district, staff id) is not on the
roster, and whose staff id is on exactly one district's roster, gets that district.
A worker on no roster, or on several, is left as it was (``cvp users`` names it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE users SET district = (SELECT s.district FROM staff s WHERE s.staff_id = users.staff_id) "
        "WHERE role = 'field' AND staff_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = users.staff_id "
        "                AND s.district = users.district) "
        "AND (SELECT COUNT(*) FROM staff s WHERE s.staff_id = users.staff_id) = 1")


def downgrade() -> None:
    pass  # the districts set are the workers' own; nothing to undo
