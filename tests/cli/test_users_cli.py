"""`trucewatch users ...`: accounts and API tokens from the command line; no default password anywhere."""
from __future__ import annotations

from pathlib import Path

from trucewatch.cli.main import main
from trucewatch.jobs import auth
from trucewatch.settings import database_url
from trucewatch.storage import Database

PASSWORD = "a long enough password"


def add(runner, *args, password=PASSWORD):
    return runner.invoke(main, ["users", "add", *args, "--password-stdin"], input=password + "\n")


def db_url(runner) -> str:
    return database_url(runner.env["TRUCEWATCH_DB"])


def test_add_list_disable(runner):
    assert add(runner, "ana", "--role", "monitor", "--guarantor", "qat").stdout == "added ana: monitor (QAT)\n"
    assert add(runner, "faisal", "--role", "liaison", "--party", "PAK").exit_code == 0
    listed = runner.invoke(main, ["users", "list"])
    assert listed.exit_code == 0
    assert "ana" in listed.stdout and "monitor (QAT)" in listed.stdout and "liaison (PAK)" in listed.stdout
    assert listed.stdout.strip().endswith("2 users")
    assert runner.invoke(main, ["users", "disable", "faisal"]).stdout == "disabled faisal\n"
    assert "disabled" in runner.invoke(main, ["users", "list"]).stdout


def test_the_password_is_asked_for_twice_when_not_piped(runner):
    result = runner.invoke(main, ["users", "add", "root", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with Database.open(db_url(runner)) as db:
        assert auth.sign_in(db.workplace, "root", PASSWORD, "127.0.0.1").role == "admin"


def test_no_password_no_user(runner):
    result = runner.invoke(main, ["users", "add", "root", "--role", "admin"], input="")
    assert result.exit_code != 0
    empty = add(runner, "root", "--role", "admin", password="")
    assert empty.exit_code == 2 and "TW-E605" in empty.stderr
    assert "0 users" in runner.invoke(main, ["users", "list"]).stdout


def test_mistakes_are_refused_with_what_to_do(runner):
    assert "TW-E605" in add(runner, "root", "--role", "admin", password="short").stderr
    assert "--party PAK or --party AFG" in add(runner, "x", "--role", "liaison").stderr
    assert "leave out --guarantor" in add(runner, "x", "--role", "analyst", "--guarantor", "TUR").stderr
    assert "TW-E604" in add(runner, "../x", "--role", "analyst").stderr
    add(runner, "root", "--role", "admin")
    assert "TW-E602" in add(runner, "root", "--role", "admin").stderr
    assert "TW-E603" in runner.invoke(main, ["users", "disable", "nobody"]).stderr
    assert "TW-E606" in runner.invoke(main, ["users", "revoke-token", "0123456789abcdef"]).stderr


def test_a_token_is_printed_once_and_only_its_hash_is_kept(runner):
    add(runner, "ana", "--role", "analyst")
    result = runner.invoke(main, ["users", "token", "ana", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("tw_") and "revoke-token" in result.stderr
    token_id = token.removeprefix("tw_").split(".")[0]
    assert token_id in runner.invoke(main, ["users", "list"]).stdout
    with Database.open(db_url(runner)) as db:
        assert auth.token_user(db.workplace, token).name == "ana"
    folder = Path(runner.env["TRUCEWATCH_DB"]).parent
    kept = b"".join(path.read_bytes() for path in folder.glob("*.sqlite3*"))
    assert token.split(".")[1].encode() not in kept
    revoked = runner.invoke(main, ["users", "revoke-token", token_id])
    assert revoked.exit_code == 0 and f"revoked API token {token_id} of ana" in revoked.stdout
    with Database.open(db_url(runner)) as db:
        assert auth.token_user(db.workplace, token) is None


def test_a_disabled_user_gets_no_token(runner):
    add(runner, "ana", "--role", "analyst")
    add(runner, "root", "--role", "admin")
    runner.invoke(main, ["users", "disable", "ana"])
    own = runner.invoke(main, ["users", "token", "ana", "--password-stdin"], input=PASSWORD + "\n")
    assert own.exit_code == 2 and "TW-E611" in own.stderr  # a disabled user cannot authenticate
    by_admin = runner.invoke(main, ["users", "token", "ana", "--admin", "root", "--password-stdin"],
                             input=PASSWORD + "\n")
    assert "TW-E604" in by_admin.stderr


def test_a_token_needs_the_users_password_or_an_admins(runner):
    add(runner, "ana", "--role", "monitor", "--guarantor", "QAT")
    add(runner, "murat", "--role", "monitor", "--guarantor", "TUR")
    add(runner, "root", "--role", "admin")
    unasked = runner.invoke(main, ["users", "token", "ana"], input="\n")
    assert unasked.exit_code == 2 and "TW-E838" in unasked.stderr and unasked.stdout == ""
    wrong = runner.invoke(main, ["users", "token", "ana", "--password-stdin"], input="not her password\n")
    assert wrong.exit_code == 2 and "TW-E611" in wrong.stderr and "tw_" not in wrong.stdout
    other = runner.invoke(main, ["users", "token", "ana", "--admin", "murat", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert other.exit_code == 2 and "TW-E613" in other.stderr and "tw_" not in other.stdout
    prompted = runner.invoke(main, ["users", "token", "ana", "--admin", "root"], input=PASSWORD + "\n")
    assert prompted.exit_code == 0 and prompted.stdout.startswith("tw_"), prompted.output
