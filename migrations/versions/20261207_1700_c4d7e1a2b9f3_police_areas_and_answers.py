"""police areas and answers

A police account's jurisdiction becomes codes (a province, and a commune or none for
the whole province) instead of free text, so it can select establishments; the old
free-text columns held no codes and are dropped (re-create police accounts with
``flask users create … --police-province P --police-commune C``). The police's own
answers to declarations (receipt, rejection per field) get their table.

Revision ID: c4d7e1a2b9f3
Revises: badb5f09b850
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d7e1a2b9f3'
down_revision = 'badb5f09b850'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_province_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('police_commune_code', sa.Integer(), nullable=True))
        batch_op.drop_column('police_province')
        batch_op.drop_column('police_unit')

    op.create_table('lodging_police_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receipt', 'rejection', name='answerkind', native_enum=False, length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('officer_label', sa.String(length=254), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['guest_id'], ['lodging_guest.id'], name=op.f('fk_lodging_police_answer_guest_id_lodging_guest')),
    sa.ForeignKeyConstraint(['officer_id'], ['core_user.id'], name=op.f('fk_lodging_police_answer_officer_id_core_user')),
    sa.ForeignKeyConstraint(['stay_id'], ['lodging_stay.id'], name=op.f('fk_lodging_police_answer_stay_id_lodging_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lodging_police_answer'))
    )
    with op.batch_alter_table('lodging_police_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lodging_police_answer_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lodging_police_answer_stay_id'), ['stay_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lodging_police_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lodging_police_answer_stay_id'))
        batch_op.drop_index(batch_op.f('ix_lodging_police_answer_guest_id'))
    op.drop_table('lodging_police_answer')

    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_unit', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('police_province', sa.String(length=100), nullable=True))
        batch_op.drop_column('police_commune_code')
        batch_op.drop_column('police_province_code')
