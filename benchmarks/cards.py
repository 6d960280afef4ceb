"""Card rendering speed: `python -m benchmarks.cards`.

Renders realistic quotes repeatedly. Prints the cards per second for a batch of 500
using both cores, then, as its last line, `median_ms_per_card: N` for a warm 1080×1080
card (fonts and the static layer loaded once; the per-card result cache is bypassed so
every card is really laid out, drawn and encoded).
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from curation.cards import render
from curation.cards.brand import load_brand
from curation.cards.render import CardContent
from curation.cards.templates import FORMATS, TEMPLATES

QUOTES = [
    "Give towns the power to decide.",
    "Levelling up will only work if the money stops arriving in short, competitive pots "
    "that small councils cannot afford to bid for.",
    "We need long-term funding, decided locally, with communities round the table from the "
    "start – not consulted at the end when the decisions have already been made.",
    "Our high street has lost its bank, its post office and both buses in five years, and no "
    "amount of regeneration branding changes that for the people who live here.",
    "Mae angen i'r cynllun wrando ar gymunedau yng Nghymru: ŵyr, ŷd a thân â'r un llais.",
    "Love this idea 😍 but where are the buses? 🚌 Our young people need jobs here 💪",
    "Pride in place means nothing if the library closes on Tuesdays and Thursdays.",
    "The twelve missions are a good start, but social value should be measured by what "
    "changes for people, not by how many press releases a scheme produces. Ask us, count "
    "what matters to us, and publish the results every year so we can hold you to them.",
]
ATTRIBUTION = "Rhiannon Jones, Powys Community Trust (Wales)"


def _content(i: int) -> CardContent:
    # A different question number per card keeps every card's hash unique.
    return CardContent(QUOTES[i % len(QUOTES)], ATTRIBUTION, question_number=i % 10 + 1,
                       question_label="The 12 missions",
                       consultation_title="Levelling Up consultation")  # fmt: skip


def _one(i: int) -> tuple[int, float]:
    """One card in a worker: its PNG size and the CPU seconds it took."""
    start = time.process_time()
    brand = load_brand()
    templates, formats = list(TEMPLATES), ["square", "portrait", "landscape", "link"]
    canvas, _size = render.compose(_content(i), templates[i % 3], formats[i % 4], brand)
    return len(canvas.png()), time.process_time() - start


def _warm_worker() -> None:
    brand = load_brand()
    for t in TEMPLATES:
        for f in FORMATS:
            render.compose(_content(0), t, f, brand)


def batch(n: int = 500, workers: int = 2) -> tuple[float, float]:
    """Cards per second (wall clock) and the mean CPU milliseconds per card."""
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker) as pool:
        list(pool.map(_one, range(workers * 2)))  # start and warm every worker first
        start = time.perf_counter()
        results = list(pool.map(_one, range(n), chunksize=10))
        elapsed = time.perf_counter() - start
    assert len(results) == n
    return n / elapsed, 1000 * sum(cpu for _b, cpu in results) / n


def median_ms(rounds: int = 60) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds for a warm 1080×1080 card, and mean PNG bytes."""
    brand = load_brand()
    for i in range(len(QUOTES)):  # warm: fonts, static layers, word widths
        render.compose(_content(i), "bold", "square", brand)
    times, cpu, total = [], [], 0
    for i in range(rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        canvas, _size = render.compose(_content(i), TEMPLATES[list(TEMPLATES)[i % 3]].name,
                                    "square", brand)  # fmt: skip
        png = canvas.png()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
        total += len(png)
    return statistics.median(times), statistics.median(cpu), total // rounds


def main() -> None:
    workers = min(2, os.cpu_count() or 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before the run: {load:.1f} on {os.cpu_count()} cores "
          "(wall-clock figures slow down on a shared machine; CPU figures much less)")
    rate, cpu_ms = batch(500, workers)
    print(f"batch: 500 cards (3 templates × 4 formats) on {workers} processes: "
          f"{rate:.0f} cards_per_second (CPU {cpu_ms:.1f} ms per card, so "
          f"{workers * 1000 / cpu_ms:.0f} cards/s on {workers} idle cores)")  # fmt: skip
    ms, cpu_median, mean_bytes = median_ms()
    print(f"square 1080×1080: mean {mean_bytes / 1024:.0f} KiB per PNG; "
          f"median CPU {cpu_median:.1f} ms per card")
    print(f"median_ms_per_card: {ms:.1f}")


if __name__ == "__main__":
    main()
