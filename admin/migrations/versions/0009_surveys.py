"""Survey rounds (测评 / 民意调查): questionnaires, invitations, answers; ledger entries from a survey
answer; review rounds choose their criteria set

Revision ID: 0009_surveys
Revises: 0008_integration
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from liangbiping.admin.models.types import UTCDateTime


revision = '0009_surveys'
down_revision = '0008_integration'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('target_kind', sa.String(length=16), nullable=False),
        sa.Column('target_ids', sa.JSON(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('open_public', sa.Boolean(), nullable=False),
        sa.Column('open_invited', sa.Boolean(), nullable=False),
        sa.Column('sheets_printed', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=96), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('opened_at', UTCDateTime(), nullable=True),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
        sa.UniqueConstraint('code', name=op.f('uq_surveys_code')),
    )
    op.create_index(op.f('ix_surveys_status'), 'surveys', ['status'], unique=False)
    op.create_table(
        'survey_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_invitations_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
        sa.UniqueConstraint('code', name=op.f('uq_survey_invitations_code')),
    )
    op.create_index(op.f('ix_survey_invitations_survey_id'), 'survey_invitations', ['survey_id'], unique=False)
    op.create_table(
        'survey_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('contact', sa.String(length=32), nullable=True),
        sa.Column('respondent_key', sa.String(length=32), nullable=True),
        sa.Column('invitation_id', sa.Integer(), nullable=True),
        sa.Column('paper_no', sa.Integer(), nullable=True),
        sa.Column('entered_by', sa.String(length=96), nullable=False),
        sa.Column('kiosk_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'],
                                name=op.f('fk_survey_responses_invitation_id_survey_invitations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_survey_responses_kiosk_id_kiosks'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
        sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id')),
        sa.UniqueConstraint('survey_id', 'paper_no', name='uq_survey_responses_paper'),
        sa.UniqueConstraint('survey_id', 'respondent_key', name='uq_survey_responses_respondent'),
    )
    op.create_index(op.f('ix_survey_responses_created_at'), 'survey_responses', ['created_at'], unique=False)
    op.create_index(op.f('ix_survey_responses_survey_id'), 'survey_responses', ['survey_id'], unique=False)
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_response_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_rectifications_survey_response_id'), ['survey_response_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_rectifications_survey_response_id_survey_responses'),
                                    'survey_responses', ['survey_response_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('review_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criteria_set', sa.String(length=24), server_default='five_leads',
                                      nullable=False))
        batch_op.add_column(sa.Column('custom_criteria', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_rounds', schema=None) as batch_op:
        batch_op.drop_column('custom_criteria')
        batch_op.drop_column('criteria_set')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rectifications_survey_response_id_survey_responses'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_rectifications_survey_response_id'))
        batch_op.drop_column('survey_response_id')
    op.drop_table('survey_responses')
    op.drop_table('survey_invitations')
    op.drop_index(op.f('ix_surveys_status'), table_name='surveys')
    op.drop_table('surveys')
