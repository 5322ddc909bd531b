"""An index of the open tasks by due date, with their evaluation and state: the progress
board's overdue and due-soon sums (and the overdue lists) read the few hundred open tasks of
a large plan from it instead of the table (a partial index: done tasks, most of the table,
are not in it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_open_due', ['due_date', 'evaluation_id', 'state'], unique=False,
                              postgresql_where=sa.text('completed_at IS NULL'),
                              sqlite_where=sa.text('completed_at IS NULL'))


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_open_due')
