"""The submission's 发文字号 and 签发人 (a report to 市财政局 is a 上行文: it shows both on one
line above the title), set by the office, and when the finance bureau first downloaded it
(from then on the two no longer change). Existing submissions get their plan's 组长 as the
签发人, as new ones do.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
# MERGE: "0011" (the report outline chapters) once main has it; "0010" so this branch works alone.
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_number', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE submissions SET signer = COALESCE((SELECT users.full_name FROM plan_members"
        " JOIN users ON users.id = plan_members.user_id"
        " WHERE plan_members.plan_id = submissions.plan_id AND plan_members.group_role = 'leader'"
        " ORDER BY plan_members.sort_order, plan_members.id LIMIT 1), '')"
    )


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('received_at')
        batch_op.drop_column('signer')
        batch_op.drop_column('document_number')
