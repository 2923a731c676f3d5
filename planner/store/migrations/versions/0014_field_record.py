"""outcomes: the field worker's whole record (visit result, measurements, problem, requests,
measure, gift, promised date); "customer not met" becomes a visit result, not a satisfaction

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

An outcome of before kept ``closed_on_site`` (true, false or not said) and a satisfaction
that could read "not_met"; its network tests were one word per operator (good, weak,
none).  Here ``visit_result`` takes their place: not_met where the satisfaction said so
(its satisfaction then empty), else closed_on_site or follow_up as ``closed_on_site`` said,
else empty (the worker did not say).  The one-word network tests cannot become
measurements (no technology, no dBm): they are kept, word for word, at the end of the
notes.  Both old columns are then dropped, on SQLite and PostgreSQL alike.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: how an old network test reads in the notes it is moved to
OLD_TESTS = "网络测试（旧记录）: "


def _outcomes(columns: str):
    return op.get_bind().execute(sa.text(f"SELECT id, {columns} FROM outcomes ORDER BY id")).all()


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def upgrade() -> None:
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_result', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('measurements', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('problem', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requests', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('measure', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('gift_given', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('gift_item', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('promised_date', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outcomes_visit_result'), ['visit_result'], unique=False)
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE outcomes SET visit_result = 'closed_on_site' WHERE closed_on_site = :t"), {"t": True})
    bind.execute(sa.text("UPDATE outcomes SET visit_result = 'follow_up' WHERE closed_on_site = :f"), {"f": False})
    bind.execute(sa.text("UPDATE outcomes SET visit_result = 'not_met', satisfaction = NULL "
                         "WHERE satisfaction = 'not_met'"))
    for row_id, tests, notes in _outcomes("network_tests, notes"):
        said = {op_: result for op_, result in _json(tests).items() if result}
        if said:
            line = OLD_TESTS + "; ".join(f"{op_} {result}" for op_, result in said.items())
            bind.execute(sa.text("UPDATE outcomes SET notes = :n WHERE id = :i"),
                         {"n": f"{notes}\n{line}" if notes else line, "i": row_id})
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_column('network_tests')
        batch_op.drop_column('closed_on_site')


def downgrade() -> None:
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on_site', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('network_tests', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE outcomes SET closed_on_site = (visit_result = 'closed_on_site') "
                         "WHERE visit_result IN ('closed_on_site', 'follow_up')"))
    bind.execute(sa.text("UPDATE outcomes SET closed_on_site = :f, satisfaction = 'not_met' "
                         "WHERE visit_result IN ('not_met', 'refused')"), {"f": False})
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_visit_result'))
        for column in ('promised_date', 'gift_item', 'gift_given', 'measure', 'requests', 'problem', 'measurements',
                       'visit_result'):
            batch_op.drop_column(column)
