"""The indicator library by kind of project: 项目类别 on projects, 指标解释 and 目标值依据 on
indicators, and the library's entries (one library per plan).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=16), nullable=True))
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('basis', sa.String(length=16), nullable=True))
    op.create_table(
        'library_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('level1', sa.String(length=32), nullable=False),
        sa.Column('level2', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('nature', sa.String(length=16), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=True),
        sa.Column('target', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('target_text', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_library_indicators_plan_id_plans'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_indicators')),
        sa.UniqueConstraint('plan_id', 'category', 'level1', 'level2', 'name',
                            name=op.f('uq_library_indicators_plan_id_category_level1_level2_name')),
    )
    with op.batch_alter_table('library_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_indicators_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('library_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_indicators_plan_id'))
    op.drop_table('library_indicators')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('basis')
        batch_op.drop_column('explanation')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('category')
