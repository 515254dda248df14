"""police unit email

The e-mail addresses the police units post for stay notices (lodging.feeds.police_units):
one row per unit, a province's own unit with no commune.

Revision ID: c7d3a9e15b20
Revises: c4d7e1a2b9f3
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d3a9e15b20'
down_revision = 'c4d7e1a2b9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lodging_police_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=24), nullable=False),
        sa.Column('province_code', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lodging_police_unit')),
        sa.UniqueConstraint('unit', name=op.f('uq_lodging_police_unit_unit')),
    )


def downgrade():
    op.drop_table('lodging_police_unit')
