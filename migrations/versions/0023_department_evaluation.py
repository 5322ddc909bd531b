"""The department-level evaluation (部门整体支出绩效自评): a project row of scope 'department'
(at most one per plan, by a partial unique index), and its main tasks (主要任务) with the
plan's projects serving each.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

ONE_PER_PLAN = "scope = 'department'"


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='project', nullable=False))
    op.create_index('uq_projects_one_department_per_plan', 'projects', ['plan_id'], unique=True,
                    sqlite_where=sa.text(ONE_PER_PLAN), postgresql_where=sa.text(ONE_PER_PLAN))
    op.create_table(
        'department_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('achievement', sa.Text(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                                name=op.f('fk_department_tasks_evaluation_id_evaluations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_department_tasks')),
    )
    with op.batch_alter_table('department_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_tasks_evaluation_id'), ['evaluation_id'], unique=False)
    op.create_table(
        'department_task_projects',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['department_tasks.id'],
                                name=op.f('fk_department_task_projects_task_id_department_tasks'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_department_task_projects_project_id_projects'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'project_id', name=op.f('pk_department_task_projects')),
    )
    with op.batch_alter_table('department_task_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_task_projects_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('department_task_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_task_projects_project_id'))
    op.drop_table('department_task_projects')
    with op.batch_alter_table('department_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_tasks_evaluation_id'))
    op.drop_table('department_tasks')
    op.drop_index('uq_projects_one_department_per_plan', table_name='projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('scope')
