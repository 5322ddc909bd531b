"""Evaluation content: the plan's indicator framework and report outline, funding rows,
indicators, narrative, evidence, review comments, snapshots, finding notes, submissions to the
finance bureau and rectifications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 17:37:45.987183

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=32), nullable=False),
    sa.Column('level2', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_indicators_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicators'))
    )
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_indicators_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_report_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_report_sections_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_report_sections')),
    sa.UniqueConstraint('plan_id', 'key', name=op.f('uq_plan_report_sections_plan_id_key'))
    )
    with op.batch_alter_table('plan_report_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_report_sections_plan_id'), ['plan_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_submissions_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_submissions_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_plan_id'), ['plan_id'], unique=False)

    op.create_table('finding_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_finding_notes_author_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_finding_notes_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_notes')),
    sa.UniqueConstraint('evaluation_id', 'code', name=op.f('uq_finding_notes_evaluation_id_code'))
    )
    with op.batch_alter_table('finding_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_notes_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('funding_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('initial_budget', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('annual_budget', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('executed', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_funding_rows_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_rows')),
    sa.UniqueConstraint('evaluation_id', 'kind', name=op.f('uq_funding_rows_evaluation_id_kind'))
    )
    with op.batch_alter_table('funding_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_rows_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=32), nullable=False),
    sa.Column('level2', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('nature', sa.String(length=16), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('target_text', sa.String(length=200), nullable=False),
    sa.Column('actual', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('actual_text', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=True),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('applicable', sa.Boolean(), nullable=False),
    sa.Column('deviation_reason', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_indicators_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('narrative_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_narrative_sections_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_narrative_sections')),
    sa.UniqueConstraint('evaluation_id', 'key', name=op.f('uq_narrative_sections_evaluation_id_key'))
    )
    with op.batch_alter_table('narrative_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_narrative_sections_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rectifications_created_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_rectifications_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_rectifications_section_id_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=48), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_comments_author_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_review_comments_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_snapshots_created_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_snapshots_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshots'))
    )
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshots_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_attachments_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_attachments_indicator_id_indicators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('submission_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_submission_items_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], name=op.f('fk_submission_items_snapshot_id_snapshots')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_items_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_items')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_submission_items_evaluation_id'))
    )
    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_items_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overall_achievement', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('total_score', sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column('grade', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('finance_feedback', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('framework', sa.String(length=16), nullable=False, server_default='self'))
        batch_op.add_column(sa.Column('result_summary', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_name', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('overall_target', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rectification_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tasks_rectification_id_rectifications'), 'rectifications', ['rectification_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_rectification_id_rectifications'), type_='foreignkey')
        batch_op.drop_column('rectification_id')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('overall_target')
        batch_op.drop_column('leader_name')

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('result_summary')
        batch_op.drop_column('framework')

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('finance_feedback')
        batch_op.drop_column('grade')
        batch_op.drop_column('total_score')
        batch_op.drop_column('overall_achievement')

    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_items_submission_id'))

    op.drop_table('submission_items')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_evaluation_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshots_evaluation_id'))

    op.drop_table('snapshots')
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comments_evaluation_id'))

    op.drop_table('review_comments')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_evaluation_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('narrative_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_narrative_sections_evaluation_id'))

    op.drop_table('narrative_sections')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_evaluation_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('funding_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_rows_evaluation_id'))

    op.drop_table('funding_rows')
    with op.batch_alter_table('finding_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_notes_evaluation_id'))

    op.drop_table('finding_notes')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_plan_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('plan_report_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_report_sections_plan_id'))

    op.drop_table('plan_report_sections')
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_indicators_plan_id'))

    op.drop_table('plan_indicators')
