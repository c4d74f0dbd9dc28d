"""The bundled demo: synthetic news-style reports on the October 2025 Pakistan–Afghanistan border war, and the
example agreements of that October (the truce, its contested extension, Doha, Istanbul).

Written for trucewatch from public facts (see README.md beside this file and the notes in agreements-2025.toml); used
by `trucewatch demo`, the docs and the tests. Nothing is read at import time.
"""
from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def sample_reports_dir() -> Path:
    """The folder of sample-NN.json reports, as installed with the package."""
    resource = files(__name__).joinpath("reports")
    with as_file(resource) as path:  # a plain folder for any normal install; zip imports are not supported
        return Path(path)


def sample_report_paths() -> list[Path]:
    """Every sample report file, in id order."""
    return sorted(sample_reports_dir().glob("sample-*.json"))


def example_agreements_path() -> Path:
    """The example agreements file (the October 2025 truces and ceasefire), as installed with the package."""
    with as_file(files(__name__).joinpath("agreements-2025.toml")) as path:
        return Path(path)
