"""The workplace: the web app (`app.create_app`), its JSON API (`api`), the access rules (`access`), signing in and
tokens (`auth`), the one error envelope (`errors`). Nothing here is imported by the pipeline; `trucewatch serve` starts
it. See docs/web.md.
"""
