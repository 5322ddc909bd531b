"""The report PDF frozen at approval, stored with its SHA-256 beside the approval snapshot.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 19:07:30.201279

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')

