"""Casework's rules, pure: who may do what (`access`, one rule table, deny by default), a complaint's way to a
finding (`workflow`), what a valid finding is and how it is sealed (`findings`), and a finding's bundle for checking
without trucewatch (`bundle`, `verify_bundle`). The jobs that apply them to the store are `trucewatch.jobs.casework`.
See docs/findings.md."""
