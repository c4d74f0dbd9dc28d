"""The tamper-evident audit log, pure: Merkle trees after RFC 9162 (`merkle`), the log's entries and their canonical
bytes (`log`), signed checkpoints and the guarantors' keys (`checkpoint`). No I/O on the store: the jobs that read and
append the log are `trucewatch.jobs.auditing` and `trucewatch.storage.audit_log`. See docs/audit.md."""
