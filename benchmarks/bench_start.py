"""How long `trucewatch` takes to answer when it has nothing to do: `--version`, `--help` and `export --help`.

Each command runs RUNS times in a fresh process (the installed `trucewatch` script beside this Python); the median
wall time is printed, with the target of issue 17 (`--version` under 0.3 s) and which heavy libraries the command
imported (none should: they belong inside the commands that need them).

    .venv/bin/python benchmarks/bench_start.py [--runs N] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (("--version",), ("--help",), ("export", "--help"))
TARGET_S = 0.3  # for --version
HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "matplotlib", "spacy", "weasyprint", "pyarrow", "jinja2",
         "trafilatura", "cryptography")
# Prints the heavy libraries that the CLI module and a run of `main` with these arguments import.
_PROBE = """
import sys
from trucewatch.cli.main import main
try:
    main(sys.argv[1:], prog_name="trucewatch")
except SystemExit:
    pass
heavy = {heavy!r}
print("IMPORTED " + " ".join(sorted(h for h in heavy if h in sys.modules)), file=sys.stderr)
"""


def trucewatch_script() -> Path:
    return Path(sys.executable).with_name("trucewatch")


def wall_time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def heavy_imports(args: tuple[str, ...]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args], check=True, text=True,
                          capture_output=True)
    line = next(line for line in done.stderr.splitlines() if line.startswith("IMPORTED"))
    return line.split()[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args()
    script = str(trucewatch_script())
    figures = {}
    for args in COMMANDS:
        times = [wall_time([script, *args]) for _ in range(options.runs)]
        median = statistics.median(times)
        name = "trucewatch " + " ".join(args)
        heavy = heavy_imports(args)
        target = f"  (target < {TARGET_S} s: {'met' if median < TARGET_S else 'NOT met'})" if args == ("--version",) \
            else ""
        print(f"{name:<28} median {median:.3f} s over {options.runs} runs{target}; heavy imports: "
              f"{', '.join(heavy) or 'none'}")
        figures[name] = {"median_s": round(median, 4), "runs": [round(t, 4) for t in times], "heavy_imports": heavy}
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
