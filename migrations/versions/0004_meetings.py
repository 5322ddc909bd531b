"""Meetings of a plan: the notice, invitees with their registration replies (培训登记),
attachments stored in the database, and sign-ins (签到) with one per person and meeting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 18:17:28.927121

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('organiser_section_id', sa.Integer(), nullable=True),
    sa.Column('addressee', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('arrangements', sa.Text(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.Column('allow_guests', sa.Boolean(), nullable=False),
    sa.Column('signin_opens_before', sa.Integer(), nullable=False),
    sa.Column('signin_closes_after', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('training', 'mobilisation', 'review', 'other')", name=op.f('ck_meetings_known_kind')),
    sa.CheckConstraint('signin_opens_before >= 0 AND signin_closes_after >= 0', name=op.f('ck_meetings_signin_window')),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_meetings_times_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['organiser_section_id'], ['sections.id'], name=op.f('fk_meetings_organiser_section_id_sections')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_meetings_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_plan_id'), ['plan_id'], unique=False)

    op.create_table('meeting_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attachments_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_meeting_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attachments'))
    )
    with op.batch_alter_table('meeting_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attachments_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_invitees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('guest_name', sa.String(length=64), nullable=True),
    sa.Column('guest_unit', sa.String(length=100), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.Column('response', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("response IS NULL OR response IN ('attend', 'absent')", name=op.f('ck_meeting_invitees_known_response')),
    sa.CheckConstraint('(user_id IS NULL) <> (guest_name IS NULL)', name=op.f('ck_meeting_invitees_user_or_guest')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_invitees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_invitees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitees')),
    sa.UniqueConstraint('meeting_id', 'guest_name', 'guest_unit', name=op.f('uq_meeting_invitees_meeting_id_guest_name_guest_unit')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_invitees_meeting_id_user_id'))
    )
    with op.batch_alter_table('meeting_invitees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitees_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_invitees_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_signins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('guest_name', sa.String(length=64), nullable=True),
    sa.Column('guest_unit', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.CheckConstraint("method IN ('qr', 'proxy')", name=op.f('ck_meeting_signins_known_method')),
    sa.CheckConstraint('(user_id IS NULL) <> (guest_name IS NULL)', name=op.f('ck_meeting_signins_user_or_guest')),
    sa.ForeignKeyConstraint(['invitee_id'], ['meeting_invitees.id'], name=op.f('fk_meeting_signins_invitee_id_meeting_invitees'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_signins_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_meeting_signins_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_signins_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_signins')),
    sa.UniqueConstraint('meeting_id', 'guest_name', 'guest_unit', name=op.f('uq_meeting_signins_meeting_id_guest_name_guest_unit')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_signins_meeting_id_user_id'))
    )
    with op.batch_alter_table('meeting_signins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_signins_meeting_id'), ['meeting_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_signins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_signins_meeting_id'))

    op.drop_table('meeting_signins')
    with op.batch_alter_table('meeting_invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitees_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_invitees_meeting_id'))

    op.drop_table('meeting_invitees')
    with op.batch_alter_table('meeting_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attachments_meeting_id'))

    op.drop_table('meeting_attachments')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_plan_id'))

    op.drop_table('meetings')
