"""Jobs: whole tasks over the store, by subject. The CLI, the web app and a batch worker call them; each takes the
`Database` its caller opened (the caller owns it: one per command, per app, per worker) and returns data; none prints.

- `ingest`: report files in, coded, stored and resolved into incidents at once
- `incidents`: incidents and events listed and shown, re-resolved, and monitors' overrides
- `agreements`: agreements loaded, changed and assessed
- `exports`: events, compliance assessments and compliance reports as files
- `casework`: complaints, findings, signatures and evidence (the verification workflow)
- `accounts`: users and API tokens; `auth`: signing in, sessions, CSRF and API tokens checked
- `record_views`: the record as the map, the timeline and the agreement pages show it
- `auditing`: the audit log read, its keys and checkpoints, and the store verified against it
- `bundles`: a finding's bundle, checkable without trucewatch
- `evaluate`: extraction scored against a gold corpus
- `demo`: the main job on the bundled sample
"""
from trucewatch.jobs import (
    accounts,
    agreements,
    auditing,
    auth,
    bundles,
    casework,
    demo,
    evaluate,
    exports,
    incidents,
    ingest,
    record_views,
)

__all__ = [
    "accounts", "agreements", "auditing", "auth", "bundles", "casework", "demo", "evaluate", "exports", "incidents",
    "ingest", "record_views",
]
