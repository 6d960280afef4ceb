"""Card rendering speed: `python -m benchmarks.cards`.

Prints, in one run and on the same machine:
- our median milliseconds per warm 1080×1080 card (layout, drawing and PNG encoding; the
  per-card result cache is bypassed so every card is really made);
- quote2image's median for the same quote, size and font: the real package (0.0.5, which
  needs Pillow < 10) in its own virtual environment in the temporary folder (created on the
  first run with pip), and a pinned copy of its algorithm run with our Pillow (its
  `textsize` calls become `textbbox`), so the comparison is like for like either way;
- cards per second for a batch of 500 on 2 processes (3 templates × 4 formats).
The last line is `median_ms_per_card: N`.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import tempfile
import time
import venv
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from curation.cards import render
from curation.cards.brand import load_brand
from curation.cards.limits import formats_that_fit
from curation.cards.render import CardContent
from curation.cards.templates import TEMPLATES as ALL_TEMPLATES

# The flat-colour designs; the Photo template (an RGB picture under a scrim) is timed apart.
TEMPLATES = [name for name in ALL_TEMPLATES if name != "photo"]

QUOTES = [
    "Give towns the power to decide.",
    "Levelling up will only work if the money stops arriving in short, competitive pots "
    "that small councils cannot afford to bid for.",
    "We need long-term funding, decided locally, with communities round the table from the "
    "start – not consulted at the end when the decisions have already been made.",
    "Our high street has lost its bank, its post office and both buses in five years, and no "
    "amount of regeneration branding changes that for the people who live here.",
    "Mae angen i'r cynllun wrando ar gymunedau yng Nghymru: ŵyr, ŷd a thân â'r un llais.",
    "Love this idea 😍 but where are the buses? 🚌 Our young people need jobs here 💪🏽",
    "Pride in place means nothing if the library closes on Tuesdays and Thursdays.",
    "The twelve missions are a good start, but social value should be measured by what "
    "changes for people, not by how many press releases a scheme produces.",
]
ATTRIBUTION = "Rhiannon Jones, Powys Community Trust (Wales)"
BATCH_FORMATS = ["square", "portrait", "landscape", "link"]
Q2I_SIZE = 52  # quote2image takes a fixed size: about what ours picks for these quotes
Q2I_VENV = Path(tempfile.gettempdir()) / "curation-bench" / "quote2image-venv"


def _content(i: int) -> CardContent:
    # A different question number per card keeps every card's hash unique.
    return CardContent(QUOTES[i % len(QUOTES)], ATTRIBUTION, question_number=i % 10 + 1,
                       question_label="Who should decide what success looks like?",
                       consultation_title="Levelling Up consultation",
                       organisation="Powys Community Trust", respondent_region="Wales")  # fmt: skip


def _jobs() -> list[tuple[int, str, str]]:
    """(quote index, template, format) for every combination where the quote fits."""
    brand = load_brand()
    jobs: list[tuple[int, str, str]] = []
    for i, quote in enumerate(QUOTES):
        for t in TEMPLATES:
            fits = formats_that_fit(quote, t, brand)
            jobs.extend((i, t, f) for f in BATCH_FORMATS if f in fits)
    return jobs


JOBS: list[tuple[int, str, str]] = []


def _one(n: int) -> tuple[int, float]:
    """One card in a worker: its PNG size and the CPU seconds it took."""
    start = time.process_time()
    i, template, fmt = JOBS[n % len(JOBS)]
    content = _content(i)
    content = CardContent(content.text, content.attribution, n % 10 + 1, content.question_label,
                          content.consultation_title, content.organisation,
                          content.respondent_region)  # fmt: skip
    canvas, _size = render.compose(content, template, fmt, load_brand())
    return len(canvas.png()), time.process_time() - start


def _warm_worker() -> None:
    JOBS[:] = _jobs()
    brand = load_brand()
    for i, t, f in JOBS:
        render.compose(_content(i), t, f, brand)


def batch(n: int = 500, workers: int = 2) -> tuple[float, float]:
    """Cards per second (wall clock) and the mean CPU milliseconds per card."""
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker) as pool:
        list(pool.map(_one, range(workers * 2)))  # start and warm every worker first
        start = time.perf_counter()
        results = list(pool.map(_one, range(n), chunksize=10))
        elapsed = time.perf_counter() - start
    assert len(results) == n
    return n / elapsed, 1000 * sum(cpu for _b, cpu in results) / n


def _square_quotes() -> list[int]:
    brand = load_brand()
    return [i for i, q in enumerate(QUOTES)
            if all("square" in formats_that_fit(q, t, brand) for t in TEMPLATES)]  # fmt: skip


def photo_ms(rounds: int = 20) -> float:
    """Median milliseconds for a warm 1080×1080 Photo card (RGB, scrim chosen per card)."""
    brand = load_brand()
    usable = _square_quotes()
    for i in usable:
        render.compose(_content(i), "photo", "square", brand)
    times = []
    for r in range(rounds):
        content = _content(usable[r % len(usable)])
        content = CardContent(content.text, content.attribution, r % 10 + 1,
                              content.question_label, content.consultation_title,
                              content.organisation, content.respondent_region)  # fmt: skip
        start = time.perf_counter()
        canvas, _size = render.compose(content, "photo", "square", brand)
        canvas.png()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def median_ms(rounds: int = 90) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds for a warm 1080×1080 card, and mean PNG bytes."""
    brand = load_brand()
    usable = _square_quotes()
    names = TEMPLATES
    for i in usable:  # warm: fonts, static layers, word widths
        for t in names:
            render.compose(_content(i), t, "square", brand)
    times, cpu, total = [], [], 0
    for r in range(rounds):
        content = _content(usable[r % len(usable)])
        content = CardContent(content.text, content.attribution, r % 10 + 1,
                              content.question_label, content.consultation_title,
                              content.organisation, content.respondent_region)  # fmt: skip
        start, cpu_start = time.perf_counter(), time.process_time()
        canvas, _size = render.compose(content, names[r % len(names)], "square", brand)
        png = canvas.png()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
        total += len(png)
    return statistics.median(times), statistics.median(cpu), total // rounds


# quote2image 0.0.5's Convert(), pinned: greedy wrap by measuring each growing line, centred
# lines, a dash and the author, a watermark; then the caller saves a PNG. `textsize` (gone
# since Pillow 10) is measured with `textbbox`, which returns the same box.
def _q2i_textsize(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont
) -> tuple[float, float]:
    _left, _top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right, bottom


def q2i_pinned(quote: str, author: str, font_path: str, size: int) -> bytes:
    width = height = 1080
    fg, bg = (255, 255, 255), (14, 59, 67)
    image = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path, size)
    font_author = ImageFont.truetype(font_path, size)
    lines, line = [], ""
    for word in quote.split():
        if _q2i_textsize(draw, line + " " + word, font)[0] > width - 40:
            lines.append(line)
            line = word
        else:
            line += " " + word
    lines.append(line)
    quote_height = sum(_q2i_textsize(draw, ln, font)[1] for ln in lines)
    y = (height - quote_height - size) // 2
    for ln in lines:
        draw.text(((width - _q2i_textsize(draw, ln, font)[0]) // 2, y), ln, fg, font=font)
        y += _q2i_textsize(draw, ln, font)[1]
    draw.text(((width - _q2i_textsize(draw, " - ", font)[0]) // 2, y + size // 2), " - ", fg,
              font=font)  # fmt: skip
    y += size
    x = (width - _q2i_textsize(draw, author, font_author)[0]) // 2
    draw.text((x, y + 15), author, fg, font=font_author)
    mark = "@SocialValueUK"
    wm_w, wm_h = _q2i_textsize(draw, mark, font)
    draw.text((width - wm_w - 10, height - wm_h - 10), mark, fg, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


_REAL_Q2I = """
import io, json, statistics, sys, time
from Quote2Image import Convert
quotes, author, font, size, rounds = json.loads(sys.argv[1])
times, cpu = [], []
for r in range(rounds):
    start, cpu_start = time.perf_counter(), time.process_time()
    img = Convert(quote=quotes[r % len(quotes)], author=author, fg=(255, 255, 255),
                  bg=(14, 59, 67), font_type=font, font_size=size, width=1080, height=1080,
                  watermark_text="@SocialValueUK")
    img.save(io.BytesIO(), format="PNG")
    times.append((time.perf_counter() - start) * 1000)
    cpu.append((time.process_time() - cpu_start) * 1000)
print(statistics.median(times), statistics.median(cpu))
"""


def q2i_real(quotes: list[str], font_path: str, rounds: int = 30) -> tuple[float, float] | None:
    """quote2image itself, in its own environment: median wall and CPU milliseconds
    (None when it cannot be installed)."""
    python = Q2I_VENV / "bin" / "python"
    if not python.exists():
        try:
            venv.create(Q2I_VENV, with_pip=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "quote2image==0.0.5"],
                           check=True, capture_output=True, timeout=300)  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
    args = json.dumps([quotes, ATTRIBUTION, font_path, Q2I_SIZE, rounds])
    try:
        done = subprocess.run([str(python), "-c", _REAL_Q2I, args], check=True,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    wall, cpu = (float(v) for v in done.stdout.split())
    return wall, cpu


def q2i_pinned_ms(quotes: list[str], font_path: str, rounds: int = 30) -> tuple[float, float]:
    times, cpu = [], []
    for r in range(rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        q2i_pinned(quotes[r % len(quotes)], ATTRIBUTION, font_path, Q2I_SIZE)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    workers = min(2, os.cpu_count() or 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average before the run: {load:.1f} on {os.cpu_count()} cores "
        "(wall-clock figures slow down on a shared machine; CPU figures much less)"
    )
    font = str(load_brand().fonts["regular"])
    quotes = [QUOTES[i] for i in _square_quotes()]
    real = q2i_real(quotes, font)
    pinned = q2i_pinned_ms(quotes, font)
    ms, cpu_median, mean_bytes = median_ms()
    rate, cpu_ms = batch(500, workers)
    print(f"batch: 500 cards (3 templates × 4 formats) on {workers} processes: "
          f"{rate:.0f} cards_per_second (CPU {cpu_ms:.1f} ms per card, so "
          f"{workers * 1000 / cpu_ms:.0f} cards/s on {workers} idle cores)")  # fmt: skip
    print(
        f"square 1080×1080: mean {mean_bytes / 1024:.0f} KiB per PNG; "
        f"median CPU {cpu_median:.1f} ms per card"
    )
    print(f"photo template 1080×1080: median {photo_ms():.1f} ms per card (RGB picture)")
    if real is not None:
        print(
            f"quote2image 0.0.5 (own environment, Pillow 9): median {real[0]:.1f} ms per "
            f"card (CPU {real[1]:.1f} ms): ours is {real[0] / ms:.1f}× faster "
            f"(CPU {real[1] / cpu_median:.1f}×)"
        )
    else:
        print("quote2image 0.0.5: could not be installed in its own environment here")
    print(
        f"quote2image's algorithm pinned, on our Pillow: median {pinned[0]:.1f} ms "
        f"(CPU {pinned[1]:.1f} ms): ours is {pinned[0] / ms:.1f}× faster "
        f"(CPU {pinned[1] / cpu_median:.1f}×)"
    )
    print(f"median_ms_per_card: {ms:.1f}")


if __name__ == "__main__":
    main()
