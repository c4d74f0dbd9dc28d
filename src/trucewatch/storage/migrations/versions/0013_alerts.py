"""Alerts: users' rules, the incidents they watch, the alerts rules fired and their deliveries.

- `alert_rules`: a user's rule (kind: violation, claim, deaths), its filters (party, province, event type) and where
  its alerts go (a webhook URL with its HMAC secret, an e-mail address).
- `alert_watches`: the incidents a user watches (their 'claim' rules fire on new claims and denials on them).
- `alerts`: what a rule fired on an incident, why, and the incident's link; at most one per (rule, incident), which
  a unique index holds even when two writers race.
- `alert_deliveries` and `alert_attempts`: each way an alert goes out, its state and next try; each attempt's time
  and outcome.

Revision ID: 0013_alerts
Revises: 0012_sources
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_alerts"
down_revision = "0012_sources"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("rule_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.user_id", ondelete="CASCADE",
                                                         name="fk_alert_rules_user_id_users"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("party", sa.String(10), nullable=True),
        sa.Column("province", sa.String(200), nullable=True),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("rule_id", name="pk_alert_rules"),
    )
    op.create_index("ix_alert_rules_user_id", "alert_rules", ["user_id"])
    op.create_table(
        "alert_watches",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.user_id", ondelete="CASCADE",
                                                         name="fk_alert_watches_user_id_users"), nullable=False),
        sa.Column("incident_id", sa.String(200), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("user_id", "incident_id", name="pk_alert_watches"),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("alert_rules.rule_id", ondelete="CASCADE",
                                                         name="fk_alerts_rule_id_alert_rules"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("report_ids", sa.Text(), nullable=False),
        _at("fired_at"),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_rule_id_incident_id", "alerts", ["rule_id", "incident_id"], unique=True)
    op.create_index("ix_alerts_user_id_fired_at", "alerts", ["user_id", "fired_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_id", sa.String(40), sa.ForeignKey("alerts.alert_id", ondelete="CASCADE",
                                                           name="fk_alert_deliveries_alert_id_alerts"),
                  nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _at("delivered_at", nullable=True),
        sa.PrimaryKeyConstraint("alert_id", "channel", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_state_next_at", "alert_deliveries", ["state", "next_at"])
    op.create_table(
        "alert_attempts",
        sa.Column("alert_id", sa.String(40), sa.ForeignKey("alerts.alert_id", ondelete="CASCADE",
                                                           name="fk_alert_attempts_alert_id_alerts"),
                  nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        _at("at"),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", "channel", "seq", name="pk_alert_attempts"),
    )


def downgrade() -> None:
    op.drop_table("alert_attempts")
    op.drop_index("ix_alert_deliveries_state_next_at", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alerts_user_id_fired_at", table_name="alerts")
    op.drop_index("ix_alerts_rule_id_incident_id", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("alert_watches")
    op.drop_index("ix_alert_rules_user_id", table_name="alert_rules")
    op.drop_table("alert_rules")
