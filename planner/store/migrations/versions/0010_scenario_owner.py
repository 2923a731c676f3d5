"""cost_scenarios: owned by their author, unique per (owner, name), optionally shared

Scenarios were keyed by name alone, so a second planner saving "pl-private"
took over the first planner's row and could delete it.  A scenario now belongs
to the account that saved it (existing rows: their ``author``); ``shared``
publishes one read-only to every planner.

The table is rebuilt (create, copy, drop, rename) because the old unique
constraint on ``name`` has no name on SQLite and another on PostgreSQL; the
rows keep their ids' meaning nowhere else (no table refers to them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _create(name: str, owned: bool) -> None:
    columns: list[sa.Column[Any]] = [sa.Column('id', sa.Integer(), nullable=False)]
    if owned:
        columns.append(sa.Column('owner', sa.String(length=64), nullable=False))
    columns += [sa.Column('name', sa.String(length=128), nullable=False),
                sa.Column('yaml_text', sa.Text(), nullable=False),
                sa.Column('author', sa.String(length=64), nullable=False),
                sa.Column('updated_at', sa.DateTime(), nullable=False)]
    if owned:
        columns.append(sa.Column('shared', sa.Boolean(), nullable=False, server_default=sa.false()))
    constraints: list[sa.Constraint] = [sa.PrimaryKeyConstraint('id', name=f'pk_{name}')]
    constraints.append(sa.UniqueConstraint('owner', 'name', name='uq_cost_scenarios_owner_name') if owned
                       else sa.UniqueConstraint('name'))
    op.create_table(name, *columns, *constraints)


def upgrade() -> None:
    _create('cost_scenarios_owned', owned=True)
    op.execute("INSERT INTO cost_scenarios_owned (owner, name, yaml_text, author, updated_at, shared) "
               "SELECT author, name, yaml_text, author, updated_at, false FROM cost_scenarios")
    op.drop_table('cost_scenarios')
    op.rename_table('cost_scenarios_owned', 'cost_scenarios')


def downgrade() -> None:
    # one row per name again: where two owners used a name, the newest one stays
    _create('cost_scenarios_named', owned=False)
    op.execute("INSERT INTO cost_scenarios_named (name, yaml_text, author, updated_at) "
               "SELECT name, yaml_text, author, updated_at FROM cost_scenarios c "
               "WHERE NOT EXISTS (SELECT 1 FROM cost_scenarios n WHERE n.name = c.name AND "
               "(n.updated_at > c.updated_at OR (n.updated_at = c.updated_at AND n.id > c.id)))")
    op.drop_table('cost_scenarios')
    op.rename_table('cost_scenarios_named', 'cost_scenarios')
