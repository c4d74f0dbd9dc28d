"""Every command, setting and error code a user can meet has its entry in docs/."""
from __future__ import annotations

from pathlib import Path

import click
import pytest

from trucewatch.cli.main import main
from trucewatch.errors import MESSAGES
from trucewatch.settings import ENV_NAMES, Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def commands(group: click.Group, prefix: str = "trucewatch") -> list[str]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the lazy groups too (cli/main.py imports them when asked for)
        command = group.get_command(ctx, name)
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
    return found


@pytest.mark.parametrize("command", [c for c in commands(main) if c != "trucewatch db"])
def test_every_command_has_a_section_in_cli_md(command):
    assert f"## {command}\n" in (DOCS / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_error_code_is_explained_in_errors_md(code):
    assert f"### {code}\n" in (DOCS / "errors.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.__dataclass_fields__))
def test_every_setting_and_its_variable_is_in_settings_md(name):
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert f"`{name}`" in text and f"`{ENV_NAMES[name]}`" in text
