"""Jobs: whole tasks over the store, by subject. The CLI, the web app and a batch worker call them; each takes the
`Database` its caller opened (the caller owns it: one per command, per app, per worker) and returns data; none prints.

- `ingest`: report files in, coded, stored and resolved into incidents at once
- `incidents`: incidents and events listed and shown, re-resolved, and monitors' overrides
- `agreements`: agreements loaded, changed and assessed
- `exports`: events, compliance assessments and compliance reports as files
- `casework`: complaints, findings, signatures and evidence (the verification workflow)
- `accounts`: users and API tokens
- `auditing`: the audit log read, its keys and checkpoints, and the store verified against it
- `evaluate`: extraction scored against a gold corpus
- `demo`: the main job on the bundled sample
"""
from trucewatch.jobs import (
    accounts,
    agreements,
    casework,
    demo,
    exports,
    incidents,
    ingest,
)

__all__ = ["accounts", "agreements", "casework", "demo", "exports", "incidents", "ingest"]
