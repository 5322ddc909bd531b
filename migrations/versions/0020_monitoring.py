"""Mid-year monitoring (绩效运行监控): the plan's monitoring dates and lag threshold, the
sections' reports per evaluation and their indicators' progress.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monitoring_lag_points', sa.Numeric(precision=5, scale=2),
                                      server_default='15', nullable=False))

    op.create_table(
        'monitoring_dates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.CheckConstraint('due_date >= as_of', name=op.f('ck_monitoring_dates_due_after_date')),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_monitoring_dates_plan_id_plans'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_dates')),
        sa.UniqueConstraint('plan_id', 'as_of', name=op.f('uq_monitoring_dates_plan_id_as_of')),
    )
    with op.batch_alter_table('monitoring_dates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_dates_plan_id'), ['plan_id'], unique=False)

    op.create_table(
        'monitoring_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('monitoring_date_id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('executed', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('execution_reason', sa.Text(), nullable=False),
        sa.Column('execution_correction', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['monitoring_date_id'], ['monitoring_dates.id'],
                                name=op.f('fk_monitoring_reports_monitoring_date_id_monitoring_dates'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                                name=op.f('fk_monitoring_reports_evaluation_id_evaluations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_monitoring_reports_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'],
                                name=op.f('fk_monitoring_reports_submitted_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reports')),
        sa.UniqueConstraint('monitoring_date_id', 'evaluation_id', name=op.f('uq_monitoring_reports_monitoring_date_id_evaluation_id')),
    )
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_reports_monitoring_date_id'), ['monitoring_date_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_reports_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table(
        'indicator_progress',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('value_text', sa.String(length=200), nullable=False),
        sa.Column('expected', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('expected_met', sa.Boolean(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('correction', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'],
                                name=op.f('fk_indicator_progress_report_id_monitoring_reports'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                                name=op.f('fk_indicator_progress_indicator_id_indicators'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_progress')),
        sa.UniqueConstraint('report_id', 'indicator_id', name=op.f('uq_indicator_progress_report_id_indicator_id')),
    )
    with op.batch_alter_table('indicator_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_progress_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_progress_indicator_id'), ['indicator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('indicator_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_progress_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_progress_report_id'))
    op.drop_table('indicator_progress')
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_evaluation_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_monitoring_date_id'))
    op.drop_table('monitoring_reports')
    with op.batch_alter_table('monitoring_dates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_dates_plan_id'))
    op.drop_table('monitoring_dates')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('monitoring_lag_points')
