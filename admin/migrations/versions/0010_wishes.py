"""Citizens' wishes and errands (心愿 / 代办)

Revision ID: 0010_wishes
Revises: 0009_surveys
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from liangbiping.admin.models.types import UTCDateTime


revision = '0010_wishes'
down_revision = '0009_surveys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wishes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt', sa.String(length=12), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('contact', sa.String(length=32), nullable=True),
        sa.Column('window_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('kiosk_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('claimed_at', UTCDateTime(), nullable=True),
        sa.Column('done_note', sa.Text(), nullable=False),
        sa.Column('done_at', UTCDateTime(), nullable=True),
        sa.Column('verdict', sa.String(length=16), nullable=True),
        sa.Column('verdict_at', UTCDateTime(), nullable=True),
        sa.Column('reopened', sa.Integer(), nullable=False),
        sa.Column('address_hash', sa.String(length=32), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_wishes_department_id_departments'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_wishes_kiosk_id_kiosks'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_wishes_staff_id_staff'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_wishes_window_id_windows'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wishes')),
        sa.UniqueConstraint('receipt', name=op.f('uq_wishes_receipt')),
    )
    for column in ('window_id', 'department_id', 'state', 'staff_id', 'done_at', 'created_at'):
        op.create_index(op.f(f'ix_wishes_{column}'), 'wishes', [column], unique=False)


def downgrade():
    op.drop_table('wishes')
