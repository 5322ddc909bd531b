"""Indexes for a large plan: an evaluation's history in order, and a user's unread
notifications (counted on every page). Each replaces the single-column index it extends.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index('ix_audit_records_history', ['evaluation_id', 'at', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_audit_records_evaluation_id'))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_unread', ['user_id', 'read_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
        batch_op.drop_index('ix_notifications_unread')

    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.drop_index('ix_audit_records_history')
