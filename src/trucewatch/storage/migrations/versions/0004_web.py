"""The workplace: users, their browser sessions and API tokens, sign-in attempts, complaints and their evidence.

Revision ID: 0004_web
Revises: 0003_agreements
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_web"
down_revision = "0003_agreements"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], ondelete="CASCADE", name=f"fk_{table}_user_id_users")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("party", sa.String(10), nullable=True),
        sa.Column("guarantor", sa.String(10), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        _user_fk("web_sessions"),
        sa.PrimaryKeyConstraint("session_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        _at("created_at"),
        _at("revoked_at", nullable=True),
        _user_fk("api_tokens"),
        sa.PrimaryKeyConstraint("token_id", name="pk_api_tokens"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("attempt_id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        _at("at"),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("attempt_id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_name_at", "login_attempts", ["name", "at"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_table(
        "complaints",
        sa.Column("complaint_id", sa.String(40), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("incident_id", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(100), nullable=False),
        _at("filed_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", name="pk_complaints"),
    )
    op.create_index("ix_complaints_party_filed_at", "complaints", ["party", "filed_at", "complaint_id"])
    op.create_table(
        "complaint_evidence",
        sa.Column("complaint_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.complaint_id"], ondelete="CASCADE",
                                name="fk_complaint_evidence_complaint_id_complaints"),
        sa.PrimaryKeyConstraint("complaint_id", "seq", name="pk_complaint_evidence"),
    )


def downgrade() -> None:
    op.drop_table("complaint_evidence")
    op.drop_index("ix_complaints_party_filed_at", "complaints")
    op.drop_table("complaints")
    op.drop_index("ix_login_attempts_address_at", "login_attempts")
    op.drop_index("ix_login_attempts_name_at", "login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_api_tokens_user_id", "api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_web_sessions_user_id", "web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
