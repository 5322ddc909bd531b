"""Each evaluation carries copies of its project's plan and section, with an index on (plan,
section, state): the progress board and the other per-plan counts read one index instead of
joining every project of the plan (2,000 on a large plan) to its evaluation.

The columns have no foreign key: SQLite can add one only by rebuilding the table, and with
foreign keys enforced, rebuilding `evaluations` would cascade-delete the rows that reference
it. The projects' plan never changes and their section changes only through
`plans.services.update_project`, which updates the copy.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('section_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE evaluations SET"
        " plan_id = (SELECT projects.plan_id FROM projects WHERE projects.id = evaluations.project_id),"
        " section_id = (SELECT projects.section_id FROM projects WHERE projects.id = evaluations.project_id)"
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_plan_section_state', ['plan_id', 'section_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_plan_section_state')
        batch_op.drop_column('section_id')
        batch_op.drop_column('plan_id')
