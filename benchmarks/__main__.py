"""Run every benchmark and print one table: `python -m benchmarks [--quick]`.

Each benchmark module runs as its own subprocess (so peak-memory figures are its own)
and prints figures as `name: value` lines; this collects them and compares the ones
that have a target. `--quick` shrinks the benchmarks that take a size option (their
figures are then not comparable with the targets, which are set for the full sizes).
"""

from __future__ import annotations

import argparse
import operator
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

# figure -> (comparison, limit, unit); the targets set in the issues, for a 2-core machine.
TARGETS: dict[str, tuple[str, float, str]] = {
    "import_seconds": ("<=", 10, "s"),
    "import_ratio_to_floor": ("<=", 3, "x"),
    "peak_memory_mib": ("<=", 1024, "MiB"),
    "cli_help_seconds": ("<=", 0.4, "s"),
    "first_page_seconds": ("<=", 3, "s"),
    "page_ms": ("<=", 200, "ms"),
    "median_ms_per_card": ("<=", 15, "ms"),
    "cards_per_second": (">=", 100, "cards/s"),
    "claim_ms": ("<=", 5, "ms"),
    "engagement_page_seconds": ("<=", 2, "s"),
}
COMPARE: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge}

# module -> (full-size arguments, --quick arguments)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "import_and_list": ([], ["--respondents", "5000"]),
    "cli_start": ([], ["--runs", "3"]),
    "first_page": ([], []),
    "responses_list": ([], ["--responses", "10000"]),
    "cards": ([], []),
    "publishing": ([], ["--posts", "10000", "--claims", "100"]),
    "engagement": ([], []),
    "quotes_demo": ([], []),
}

# A figure line is `name: number`, optionally followed by a parenthetical note only.
_LINE = re.compile(r"^(?P<name>[A-Za-z][\w ,+]*?):\s+(?P<value>-?\d+(?:\.\d+)?)\s*(\(.*\))?$")
# cards.py prints its batch rate inside a sentence: "... 123 cards_per_second (...".
_INLINE = re.compile(r"(?P<value>\d+(?:\.\d+)?) (?P<name>cards_per_second)\b")
# ... and its CPU cost per card, which a busy shared machine barely changes.
_CPU = re.compile(r"median CPU (?P<value>\d+(?:\.\d+)?) ms per card")


@dataclass
class Figure:
    module: str
    name: str
    value: float

    @property
    def target(self) -> tuple[str, float, str] | None:
        if self.name in TARGETS:
            return TARGETS[self.name]
        if self.module == "responses_list" and self.name.endswith(" ms"):
            return TARGETS["page_ms"]  # every list shape is a page a curator waits for
        return None


def parse(module: str, output: str) -> list[Figure]:
    """The figures a benchmark printed (`name: value`, plus the inline cards rate)."""
    figures = []
    for line in output.splitlines():
        match = _LINE.match(line.strip())
        if match:
            figures.append(Figure(module, match["name"], float(match["value"])))
        for inline in _INLINE.finditer(line):
            figures.append(Figure(module, inline["name"], float(inline["value"])))
        for cpu in _CPU.finditer(line):
            figures.append(Figure(module, "median_cpu_ms_per_card", float(cpu["value"])))
    return figures


def run(module: str, args: list[str]) -> tuple[list[Figure], str | None, float]:
    """Run one benchmark; its figures, an error line if it failed, and its duration."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    error = None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        error = f"exit {done.returncode}: {last}"
    return parse(module, done.stdout), error, seconds


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "figure", "value", "target", "met")]
    for f in figures:
        target = f.target
        if target is None:
            rows.append((f.module, f.name, f"{f.value:g}", "", ""))
            continue
        op, limit, unit = target
        met = "yes" if COMPARE[op](f.value, limit) else "NO"
        rows.append((f.module, f.name, f"{f.value:g}", f"{op} {limit:g} {unit}", met))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", nargs="*", choices=list(MODULES), help="run only these")
    options = parser.parse_args(argv)
    figures: list[Figure] = []
    failures: list[str] = []
    loads: list[str] = []  # wall-clock figures slow down when others share the cores
    for module, (full, quick) in MODULES.items():
        if options.only and module not in options.only:
            continue
        print(f"running benchmarks.{module} …", file=sys.stderr, flush=True)
        loads.append(f"{module} {os.getloadavg()[0]:.1f}")
        found, error, seconds = run(module, quick if options.quick else full)
        print(f"  done in {seconds:.0f} s", file=sys.stderr, flush=True)
        figures.extend(found)
        if error:
            failures.append(f"{module}: {error}")
    print(table(figures))
    print(f"load average when each started ({os.cpu_count()} cores): " + ", ".join(loads))
    for failure in failures:
        print(f"FAILED {failure}")
    missed = [f for f in figures if f.target and not COMPARE[f.target[0]](f.value, f.target[1])]
    if options.quick:
        print("(--quick: smaller sizes; compare with the targets only on a full run)")
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main())
