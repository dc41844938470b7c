"""Conduct supervisors (行风监督员) on record, invited to survey rounds; symposiums (座谈会) and the
problems raised there, each a ledger entry

Revision ID: 0011_symposiums
Revises: 0010_wishes
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from liangbiping.admin.models.types import UTCDateTime


revision = '0011_symposiums'
down_revision = '0010_wishes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'supervisors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=128), nullable=False),
        sa.Column('contact', sa.String(length=32), nullable=True),
        sa.Column('term_start', sa.Date(), nullable=False),
        sa.Column('term_end', sa.Date(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisors')),
    )
    op.create_table(
        'symposiums',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=128), nullable=False),
        sa.Column('attendees', sa.JSON(), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=96), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_symposiums')),
    )
    op.create_index(op.f('ix_symposiums_held_on'), 'symposiums', ['held_on'], unique=False)
    op.create_table(
        'symposium_problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('symposium_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('raised_by', sa.String(length=64), nullable=False),
        sa.Column('contact', sa.String(length=32), nullable=True),
        sa.Column('follow_code', sa.String(length=12), nullable=True),
        sa.Column('rectification_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'],
                                name=op.f('fk_symposium_problems_rectification_id_rectifications'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['symposium_id'], ['symposiums.id'],
                                name=op.f('fk_symposium_problems_symposium_id_symposiums'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_symposium_problems')),
        sa.UniqueConstraint('follow_code', name=op.f('uq_symposium_problems_follow_code')),
    )
    op.create_index(op.f('ix_symposium_problems_symposium_id'), 'symposium_problems', ['symposium_id'], unique=False)
    op.create_index(op.f('ix_symposium_problems_rectification_id'), 'symposium_problems', ['rectification_id'],
                    unique=False)
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_survey_invitations_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_survey_invitations_supervisor_id_supervisors'), 'supervisors',
                                    ['supervisor_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_invitations_supervisor_id_supervisors'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_survey_invitations_supervisor_id'))
        batch_op.drop_column('supervisor_id')
    op.drop_table('symposium_problems')
    op.drop_table('symposiums')
    op.drop_table('supervisors')
