"""The review queue's counts of consistency findings, stored on each evaluation (open and
all), so that the queue reads no evaluation's content. Existing rows keep NULL, which means
"not known yet": the queue computes and stores those on first view (the checks are app code,
which a migration must not import).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('findings_open', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('findings_total', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('findings_total')
        batch_op.drop_column('findings_open')
