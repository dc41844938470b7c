"""kiosk ratings: rating prompts, suggestion box, rating source hashes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import liangbiping.admin.models.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rating_prompts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('case_no', sa.String(length=64), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=96), server_default='', nullable=False),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_rating_prompts_kiosk_id_kiosks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_rating_prompts_staff_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_rating_prompts_window_id_windows'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_prompts'))
    )
    with op.batch_alter_table('rating_prompts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_prompts_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_prompts_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_prompts_window_id'), ['window_id'], unique=False)

    op.create_table('suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('contact', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_by', sa.String(length=96), nullable=False),
    sa.Column('replied_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.Column('handled_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.Column('address_hash', sa.String(length=32), nullable=True),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_suggestions_kiosk_id_kiosks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_suggestions_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_suggestions_window_id_windows'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
    sa.UniqueConstraint('receipt', name=op.f('uq_suggestions_receipt'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_window_id'), ['window_id'], unique=False)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rater_hash', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('address_hash', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ratings_prompt_id'), ['prompt_id'])
        batch_op.create_foreign_key(batch_op.f('fk_ratings_prompt_id_rating_prompts'), 'rating_prompts', ['prompt_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_ratings_rater_hash'), ['rater_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index('ix_ratings_kiosk_id_rated_at', ['kiosk_id', 'rated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_kiosk_id_rated_at')
        batch_op.drop_index(batch_op.f('ix_ratings_address_hash'))
        batch_op.drop_index(batch_op.f('ix_ratings_rater_hash'))
        batch_op.drop_constraint(batch_op.f('fk_ratings_prompt_id_rating_prompts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_ratings_prompt_id'), type_='unique')
        batch_op.drop_column('address_hash')
        batch_op.drop_column('rater_hash')
        batch_op.drop_column('prompt_id')
    op.drop_table('suggestions')
    op.drop_table('rating_prompts')
