"""Approved targets (绩效目标审核): the plan's option, and the 目标调整 requests.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('targets_approval', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'target_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_comment', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_target_changes_evaluation_id_evaluations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_target_changes_requested_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_target_changes_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_target_changes')),
    )
    with op.batch_alter_table('target_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_changes_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_changes_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('target_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_changes_status'))
        batch_op.drop_index(batch_op.f('ix_target_changes_evaluation_id'))
    op.drop_table('target_changes')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('targets_approval')
