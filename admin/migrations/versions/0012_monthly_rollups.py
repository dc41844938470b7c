"""Monthly rating rollups, filled from the daily ones

A year's statistics (the departments' figures, the trend by month) read twelve buckets per
member and window instead of 365; admin.stats.rollups keeps both current.

Revision ID: 0012_monthly_rollups
Revises: 0011_symposiums
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_monthly_rollups'
down_revision = '0011_symposiums'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rating_monthly',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('n1', sa.Integer(), nullable=False),
    sa.Column('n2', sa.Integer(), nullable=False),
    sa.Column('n3', sa.Integer(), nullable=False),
    sa.Column('n4', sa.Integer(), nullable=False),
    sa.Column('n5', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'staff_id', 'window_id', name=op.f('pk_rating_monthly')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('rating_monthly', schema=None) as batch_op:
        batch_op.create_index('ix_rating_monthly_staff_id_day', ['staff_id', 'day'], unique=False)
        batch_op.create_index('ix_rating_monthly_window_id_day', ['window_id', 'day'], unique=False)
    month = ("date(day, 'start of month')" if op.get_bind().dialect.name == "sqlite"
             else "CAST(date_trunc('month', day) AS date)")
    op.execute(f"INSERT INTO rating_monthly (day, staff_id, window_id, n1, n2, n3, n4, n5) "
               f"SELECT {month}, staff_id, window_id, SUM(n1), SUM(n2), SUM(n3), SUM(n4), SUM(n5) "
               f"FROM rating_daily GROUP BY {month}, staff_id, window_id")


def downgrade():
    with op.batch_alter_table('rating_monthly', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_monthly_window_id_day')
        batch_op.drop_index('ix_rating_monthly_staff_id_day')
    op.drop_table('rating_monthly')
