"""Working days: the office's own days off (besides China's public holidays, which come from
the chinese-calendar package), and each plan's period for a returned evaluation, in working
days after the return (5 by default).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:40:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'office_days_off',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=100), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('day'),
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_working_days', sa.Integer(), nullable=False, server_default='5'))


def downgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('return_working_days')
    op.drop_table('office_days_off')
