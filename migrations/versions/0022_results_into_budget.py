"""Results into the next budget: the plan's 预算安排建议 per grade, the decimals a score is
written with in the text, the plan a plan was copied from, and each project's link to the same
project of the previous year.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_advice', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('score_text_decimals', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('previous_plan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_plans_previous_plan_id_plans', 'plans', ['previous_plan_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_project_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_projects_previous_project_id_projects', 'projects', ['previous_project_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint('fk_projects_previous_project_id_projects', type_='foreignkey')
        batch_op.drop_column('previous_project_id')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint('fk_plans_previous_plan_id_plans', type_='foreignkey')
        batch_op.drop_column('previous_plan_id')
        batch_op.drop_column('score_text_decimals')
        batch_op.drop_column('budget_advice')
