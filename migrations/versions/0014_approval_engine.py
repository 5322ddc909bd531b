"""The approval engine: committee review (会签) with each reviewer's opinion per round, the
plan's review rule and whether the 组长's approval follows, deputies (代理) for a period, and
the audit's "acting for".

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_rule', sa.String(length=8), nullable=False, server_default='one'))
        batch_op.add_column(sa.Column('review_quorum', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('approval_required', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_round', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_audit_records_on_behalf_of_id_users', 'users', ['on_behalf_of_id'], ['id'])
    op.create_table(
        'review_opinions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('acting_id', sa.Integer(), nullable=True),
        sa.Column('verdict', sa.String(length=8), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id']),
        sa.ForeignKeyConstraint(['acting_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('evaluation_id', 'round', 'reviewer_id'),
    )
    op.create_index('ix_review_opinions_evaluation_id', 'review_opinions', ['evaluation_id'])
    op.create_table(
        'delegations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('principal_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('principal_id <> deputy_id', name='not_oneself'),
        sa.CheckConstraint('starts_on <= ends_on', name='period_in_order'),
        sa.ForeignKeyConstraint(['principal_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['deputy_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_delegations_principal_id', 'delegations', ['principal_id'])
    op.create_index('ix_delegations_deputy_period', 'delegations', ['deputy_id', 'starts_on', 'ends_on'])


def downgrade():
    op.drop_index('ix_delegations_deputy_period', table_name='delegations')
    op.drop_index('ix_delegations_principal_id', table_name='delegations')
    op.drop_table('delegations')
    op.drop_index('ix_review_opinions_evaluation_id', table_name='review_opinions')
    op.drop_table('review_opinions')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_records_on_behalf_of_id_users', type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('review_round')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('approval_required')
        batch_op.drop_column('review_quorum')
        batch_op.drop_column('review_rule')
