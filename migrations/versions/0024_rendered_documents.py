"""Rendered PDFs kept by the SHA-256 of what they were made from (the submission's summary:
a batch of 2,000 projects is a long table that takes WeasyPrint most of the package's time).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rendered_documents',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rendered_documents')),
    )


def downgrade():
    op.drop_table('rendered_documents')
