"""Puts tests/ on the import path of every test folder (pytest's prepend mode inserts the first folder without an
`__init__.py`), so the helpers shared across folders import by name: `from signing import monitor_key, sign_with`."""
