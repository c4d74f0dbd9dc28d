"""The workplace: the web app (`app.create_app`, which opens the one database its handlers reach through `state`), its
JSON API (`api`, `findings_api`), the pages, every route through the access rules (`guard`), signing in and tokens
(`auth`), the one error envelope (`error_envelope`). The handlers do their work through `trucewatch.jobs`; nothing
here is imported by the pipeline; `trucewatch serve` starts it. See docs/web.md.
"""
