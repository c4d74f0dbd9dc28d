"""Settings: the workplace's settings, their casts, and the secret key that is never shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.errors import SettingsError
from trucewatch.settings import load_settings

KEY = "k" * 40


def test_the_workplace_settings_come_from_the_environment():
    s = load_settings({"TRUCEWATCH_SECRET_KEY": KEY, "TRUCEWATCH_EVIDENCE_DIR": "/srv/evidence",
                       "TRUCEWATCH_MAX_UPLOAD_BYTES": "1048576", "TRUCEWATCH_COOKIE_SECURE": "true"})
    assert (s.secret_key, s.evidence_path, s.max_upload_bytes, s.cookie_secure) == \
        (KEY, Path("/srv/evidence"), 1048576, True)


def test_the_secret_key_is_never_shown():
    shown = load_settings({"TRUCEWATCH_SECRET_KEY": KEY}).shown()
    assert shown["secret_key"] == "***" and KEY not in str(shown)
    assert load_settings({}).shown()["secret_key"] is None


def test_a_short_secret_key_is_refused_without_repeating_it():
    with pytest.raises(SettingsError, match="TW-E401.*shorter than 32.*token_urlsafe") as refused:
        load_settings({"TRUCEWATCH_SECRET_KEY": "hunter2"})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("raw, value", [("1", True), ("yes", True), ("off", False), ("FALSE", False)])
def test_cookie_secure_reads_yes_and_no(raw, value):
    assert load_settings({"TRUCEWATCH_COOKIE_SECURE": raw}).cookie_secure is value


def test_cookie_secure_refuses_anything_else():
    with pytest.raises(SettingsError, match="write true or false"):
        load_settings({"TRUCEWATCH_COOKIE_SECURE": "sometimes"})


def test_evidence_lives_beside_a_sqlite_database_by_default(tmp_path):
    assert load_settings({"TRUCEWATCH_DB": str(tmp_path / "m.sqlite3")}).evidence_path == tmp_path / "evidence"
    assert load_settings({"TRUCEWATCH_DB": "postgresql+psycopg://u:p@h/db"}).evidence_path == Path("evidence")


def test_the_settings_file_takes_the_workplace_settings(tmp_path):
    config = tmp_path / "trucewatch.toml"
    config.write_text(f'[trucewatch]\nsecret_key = "{KEY}"\nmax_upload_bytes = 4096\ncookie_secure = true\n')
    s = load_settings({}, path=config)
    assert (s.secret_key, s.max_upload_bytes, s.cookie_secure) == (KEY, 4096, True)
