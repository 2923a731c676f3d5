"""tickets, staff, sites: ids unique within their district; overrides and absences
carry the district

A ticket, worker or site id was unique in the whole store, so a dispatcher could
import another district's next id first and so lock that district out of its own
record ("id squatting").  Each district now owns its ids: the key is (district, id),
as a multi-tenant store keys every business id by its tenant.  Overrides and
absences named a ticket or worker by id alone; they now carry the district, filled
from the (until now unique) ticket or worker.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: table, id column, unique constraint of (district, id)
_KEYED = (('tickets', 'ticket_id', 'uq_tickets_district_id'),
          ('staff', 'staff_id', 'uq_staff_district_id'),
          ('sites', 'site_id', 'uq_sites_district_id'))


def upgrade() -> None:
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_overrides_district'), ['district'], unique=False)
    op.execute("UPDATE overrides SET district = COALESCE((SELECT t.district FROM tickets t "
               "WHERE t.ticket_id = overrides.ticket_id), '')")
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=64), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_absence', type_='unique')
        batch_op.create_unique_constraint('uq_absence', ['day', 'district', 'staff_id'])
    op.execute("UPDATE absences SET district = COALESCE((SELECT s.district FROM staff s "
               "WHERE s.staff_id = absences.staff_id), '')")
    for table, column, constraint in _KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_{column}')
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=False)
            batch_op.create_unique_constraint(constraint, ['district', column])


def downgrade() -> None:
    # fails where two districts now use the same id: that store cannot go back
    for table, column, constraint in _KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(constraint, type_='unique')
            batch_op.drop_index(f'ix_{table}_{column}')
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=True)
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_constraint('uq_absence', type_='unique')
        batch_op.create_unique_constraint('uq_absence', ['day', 'staff_id'])
        batch_op.drop_column('district')
    with op.batch_alter_table('overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overrides_district'))
        batch_op.drop_column('district')
