"""Verification: complaints' history, findings with their sign-off and publication, evidence originals, annotations
and withdrawals.

Nothing of these is deleted, and triggers refuse it (SQLite and PostgreSQL): complaints, their evidence, their
history, evidence originals, annotations, withdrawals, findings, signatures and publications. Rows that record an
event are never updated. A finding (and its lists of complaints, incidents and evidence) is refused any change once
anyone has signed it; a signature must be of the finding's content hash; a publication needs a signature of each
guarantor. Like the audit log's, these triggers keep code paths honest; they are no defence against someone who can
drop them: the audit log is (docs/audit.md). A later migration that rebuilds one of these tables (SQLite batch mode
copies tables) must create its triggers again.

Existing complaints in state 'filed' are now 'received' (the workflow's first state), and each file already attached
to a complaint becomes an evidence original (received when its complaint was filed, uploaded by its filer).

Revision ID: 0006_findings
Revises: 0005_audit
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_findings"
down_revision = "0005_audit"
branch_labels = None
depends_on = None

GUARANTORS = 2  # QAT and TUR: a publication needs a signature of each
APPEND_ONLY = ("evidence_originals", "evidence_annotations", "evidence_withdrawals", "complaint_transitions",
               "complaint_evidence", "finding_signatures", "finding_publications")  # no UPDATE, no DELETE
NO_DELETE = ("complaints", "findings")
FINDING_LISTS = ("finding_complaints", "finding_incidents", "finding_evidence")
SIGNED = "EXISTS (SELECT 1 FROM finding_signatures s WHERE s.finding_id = {row}.finding_id)"
UNSEALED = ("(SELECT count(DISTINCT s.guarantor) FROM finding_signatures s JOIN findings f "
            "ON f.finding_id = s.finding_id AND f.content_hash = s.content_hash "
            f"WHERE s.finding_id = NEW.finding_id) < {GUARANTORS}")
WRONG_HASH = ("NEW.content_hash IS NOT (SELECT f.content_hash FROM findings f "
              "WHERE f.finding_id = NEW.finding_id)")


def _id(name: str, length: int = 40) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _at(name: str = "at", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(40), nullable=nullable)


def _fk(column: str, table: str, target: str, key: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{key}"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    _evidence_tables()
    _finding_tables()
    op.execute("UPDATE complaints SET status = 'received' WHERE status = 'filed'")
    op.execute("INSERT INTO evidence_originals (sha256, size, media_type, filename, received_at, uploaded_by, source, "
               "captured_at) SELECT e.sha256, min(e.size), min(e.media_type), min(e.filename), "
               "min(CAST(c.filed_at AS TEXT)), min(c.filed_by), 'complaint ' || min(c.complaint_id), NULL "
               "FROM complaint_evidence e JOIN complaints c ON c.complaint_id = e.complaint_id GROUP BY e.sha256")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_triggers()
    elif dialect == "postgresql":
        _postgresql_triggers()


def _evidence_tables() -> None:
    op.create_table(
        "evidence_originals",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        _at("received_at"),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _at("captured_at", nullable=True),
        sa.PrimaryKeyConstraint("sha256", name="pk_evidence_originals"),
    )
    op.create_table(
        "evidence_annotations",
        _id("annotation_id"),
        _id("complaint_id"),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        _at(),
        sa.Column("anchor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("copy_sha256", sa.String(64), nullable=True),
        _fk("complaint_id", "evidence_annotations", "complaints", "complaint_id"),
        _fk("sha256", "evidence_annotations", "evidence_originals", "sha256"),
        sa.PrimaryKeyConstraint("annotation_id", name="pk_evidence_annotations"),
    )
    op.create_index("ix_evidence_annotations_complaint_id_sha256", "evidence_annotations", ["complaint_id", "sha256"])
    op.create_table(
        "evidence_withdrawals",
        _id("complaint_id"),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        _at(),
        sa.Column("reason", sa.Text(), nullable=False),
        _fk("complaint_id", "evidence_withdrawals", "complaints", "complaint_id"),
        sa.PrimaryKeyConstraint("complaint_id", "sha256", name="pk_evidence_withdrawals"),
    )
    op.create_table(
        "complaint_transitions",
        _id("complaint_id"),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("from_state", sa.String(20), nullable=False),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _at(),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.String(40), nullable=True),
        _fk("complaint_id", "complaint_transitions", "complaints", "complaint_id"),
        sa.PrimaryKeyConstraint("complaint_id", "seq", name="pk_complaint_transitions"),
    )


def _finding_tables() -> None:
    op.create_table(
        "findings",
        _id("finding_id"),
        sa.Column("version", sa.Integer(), nullable=False),
        _id("series"),
        sa.Column("supersedes", sa.String(40), nullable=True),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("commitment_id", sa.String(200), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False),
        sa.Column("attribution", sa.String(30), nullable=False),
        sa.Column("attributed_party", sa.String(20), nullable=True),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("drafted_by", sa.String(100), nullable=False),
        _at("drafted_at"),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _fk("supersedes", "findings", "findings", "finding_id"),
        sa.PrimaryKeyConstraint("finding_id", name="pk_findings"),
        sa.UniqueConstraint("supersedes", name="uq_findings_supersedes"),
    )
    op.create_index("uq_findings_series_version", "findings", ["series", "version"], unique=True)
    for table, column, target, length in (("finding_complaints", "complaint_id", "complaints", 40),
                                          ("finding_incidents", "incident_id", None, 200),
                                          ("finding_evidence", "sha256", "evidence_originals", 64)):
        keys = [_fk("finding_id", table, "findings", "finding_id")]
        if target:
            keys.append(_fk(column, table, target, column))
        op.create_table(table, _id("finding_id"), _id(column, length), *keys,
                        sa.PrimaryKeyConstraint("finding_id", column, name=f"pk_{table}"))
    op.create_table(
        "finding_signatures",
        _id("finding_id"),
        sa.Column("guarantor", sa.String(10), nullable=False),
        sa.Column("signer", sa.String(100), nullable=False),
        _at(),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _fk("finding_id", "finding_signatures", "findings", "finding_id"),
        sa.PrimaryKeyConstraint("finding_id", "guarantor", name="pk_finding_signatures"),
    )
    op.create_table(
        "finding_publications",
        _id("finding_id"),
        sa.Column("by", sa.String(100), nullable=False),
        _at(),
        _fk("finding_id", "finding_publications", "findings", "finding_id"),
        sa.PrimaryKeyConstraint("finding_id", name="pk_finding_publications"),
    )


def _sqlite_triggers() -> None:
    def trigger(name: str, when: str, table: str, message: str, condition: str = "") -> None:
        guard = f" WHEN {condition}" if condition else ""
        op.execute(f"CREATE TRIGGER {name} BEFORE {when} ON {table}{guard} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")

    for table in APPEND_ONLY:
        trigger(f"{table}_no_update", "UPDATE", table, f"{table} is append-only")
        trigger(f"{table}_no_delete", "DELETE", table, f"{table} is append-only")
    for table in NO_DELETE:
        trigger(f"{table}_no_delete", "DELETE", table, f"nothing is deleted from {table}")
    trigger("findings_signed_no_update", "UPDATE", "findings",
            "a signed finding is never changed: amend it (a new version)", SIGNED.format(row="OLD"))
    for table in FINDING_LISTS:
        trigger(f"{table}_no_update", "UPDATE", table, f"{table} rows are not updated")
        for verb, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
            trigger(f"{table}_signed_no_{verb.lower()}", verb, table,
                    "a signed finding is never changed: amend it (a new version)", SIGNED.format(row=row))
    trigger("finding_signatures_of_the_content", "INSERT", "finding_signatures",
            "a signature must be of the finding content hash", WRONG_HASH)
    trigger("finding_publications_sealed", "INSERT", "finding_publications",
            "only a finding signed by a monitor of each guarantor is published", UNSEALED)


def _postgresql_triggers() -> None:
    functions = {
        "tw_refuse": "RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: nothing is changed or deleted';",
        "tw_signed_finding": ("IF " + SIGNED.format(row="OLD") + " THEN RAISE EXCEPTION "
                              "'a signed finding is never changed: amend it (a new version)'; END IF; RETURN NEW;"),
        "tw_signed_list": ("IF (TG_OP = 'INSERT' AND " + SIGNED.format(row="NEW") + ") OR (TG_OP <> 'INSERT' AND "
                           + SIGNED.format(row="OLD") + ") THEN RAISE EXCEPTION "
                           "'a signed finding is never changed: amend it (a new version)'; END IF; "
                           "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"),
        "tw_signature_hash": ("IF " + WRONG_HASH.replace("IS NOT", "IS DISTINCT FROM") + " THEN RAISE EXCEPTION "
                              "'a signature must be of the finding content hash'; END IF; RETURN NEW;"),
        "tw_publication_sealed": ("IF " + UNSEALED + " THEN RAISE EXCEPTION 'only a finding signed by a monitor of "
                                  "each guarantor is published'; END IF; RETURN NEW;"),
    }
    for name, body in functions.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")

    def trigger(name: str, when: str, table: str, function: str) -> None:
        op.execute(f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()")

    for table in APPEND_ONLY:
        trigger(f"{table}_append_only", "UPDATE OR DELETE", table, "tw_refuse")
    for table in NO_DELETE:
        trigger(f"{table}_no_delete", "DELETE", table, "tw_refuse")
    trigger("findings_signed_no_update", "UPDATE", "findings", "tw_signed_finding")
    for table in FINDING_LISTS:
        trigger(f"{table}_no_update", "UPDATE", table, "tw_refuse")
        trigger(f"{table}_signed", "INSERT OR DELETE", table, "tw_signed_list")
    trigger("finding_signatures_of_the_content", "INSERT", "finding_signatures", "tw_signature_hash")
    trigger("finding_publications_sealed", "INSERT", "finding_publications", "tw_publication_sealed")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in ("complaints", "complaint_evidence"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute("DROP TRIGGER IF EXISTS complaint_evidence_no_update")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS complaints_no_delete ON complaints")
        op.execute("DROP TRIGGER IF EXISTS complaint_evidence_append_only ON complaint_evidence")
    for table in ("finding_publications", "finding_signatures", *FINDING_LISTS, "findings",
                  "complaint_transitions", "evidence_withdrawals", "evidence_annotations", "evidence_originals"):
        if table == "findings":
            op.drop_index("uq_findings_series_version", "findings")
        if table == "evidence_annotations":
            op.drop_index("ix_evidence_annotations_complaint_id_sha256", "evidence_annotations")
        op.drop_table(table)
    if dialect == "postgresql":
        for name in ("tw_refuse", "tw_signed_finding", "tw_signed_list", "tw_signature_hash",
                     "tw_publication_sealed"):
            op.execute(f"DROP FUNCTION {name}()")
    op.execute("UPDATE complaints SET status = 'filed' WHERE status = 'received'")
