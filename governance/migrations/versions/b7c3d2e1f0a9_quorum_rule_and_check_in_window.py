"""quorum rule and check-in window of a group; a proposal postponed for lack of quorum

Revision ID: b7c3d2e1f0a9
Revises: 79c32da4f2fa
Create Date: 2026-12-02 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c3d2e1f0a9'
down_revision = '79c32da4f2fa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decide_without_quorum', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('check_in_minutes_before', sa.Integer(), nullable=False, server_default='30'))
        batch_op.create_check_constraint(op.f('ck_group_check_in_window'), 'check_in_minutes_before BETWEEN 0 AND 240')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postponed_for_quorum', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('postponed_for_quorum')
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_group_check_in_window'), type_='check')
        batch_op.drop_column('check_in_minutes_before')
        batch_op.drop_column('decide_without_quorum')
