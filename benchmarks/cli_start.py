"""How long `curation --help` takes, next to its floor: a bare `python -c pass`.

    python -m benchmarks.cli_start [--runs N]

Prints the median wall time of N runs of each (`name: value` lines). Target: <= 0.4 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    floor = median_seconds([sys.executable, "-c", "pass"], args.runs)
    helped = median_seconds(
        [sys.executable, "-c", "import sys; sys.argv = ['curation', '--help']; "
         "from curation.cli import main; main()"], args.runs,
    )  # fmt: skip
    listed = median_seconds(
        [sys.executable, "-c", "import sys; sys.argv = ['curation', 'quote', '--help']; "
         "from curation.cli import main; main()"], args.runs,
    )  # fmt: skip
    print(f"cli_help_seconds: {helped:.2f}")
    print(f"cli_floor_seconds: {floor:.2f} (python -c pass)")
    print(f"cli_subcommand_help_seconds: {listed:.2f} (curation quote --help)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
