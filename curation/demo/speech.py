"""Generate short audio (and test video) clips with PyAV: speech via espeak-ng, else tones.

Used by the demo data and by tests; everything here is deterministic.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 22050
_ESPEAK_TIMEOUT_S = 20


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, *, voice: str = "en-gb", words_per_minute: int = 165) -> np.ndarray:
    """Mono float32 samples at SAMPLE_RATE of espeak-ng saying `text`."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed")
    wav = subprocess.run(
        [exe, "-v", voice, "-s", str(words_per_minute), "--stdout", text],
        check=True,
        capture_output=True,
        timeout=_ESPEAK_TIMEOUT_S,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        rate, width = reader.getframerate(), reader.getsampwidth()
        raw = reader.readframes(reader.getnframes())
    if width != 2:
        raise RuntimeError(f"unexpected espeak-ng sample width {width}")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if rate != SAMPLE_RATE:  # espeak-ng speaks at 22050 Hz; resample crudely if not
        positions = np.linspace(0, len(samples) - 1, int(len(samples) * SAMPLE_RATE / rate))
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def tone(seconds: float, *, frequency: float = 220.0, seed: int = 0) -> np.ndarray:
    """A speech-like tone: a few harmonics with a syllable-rate loudness envelope."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE), dtype=np.float64) / SAMPLE_RATE
    voice = sum(np.sin(2 * np.pi * frequency * k * t) / k for k in (1, 2, 3))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * rng.uniform(3.0, 5.0) * t) ** 2
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02) if len(t) else t
    return (0.25 * voice * syllables * fade).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def write_audio(path: Path, samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> Path:
    """Encode mono float samples to `path`: .wav (PCM), .m4a (AAC), .mp3 or .ogg (Opus)."""
    if path.suffix.lower() == ".wav":
        with wave.open(str(path), "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(sample_rate)
            writer.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
        return path
    codec, fmt, container_format = {
        ".m4a": ("aac", "fltp", "ipod"),
        ".mp3": ("mp3", "fltp", "mp3"),
        ".ogg": ("libopus", "flt", "ogg"),
    }[path.suffix.lower()]
    if codec == "libopus" and sample_rate != 48000:  # Opus only runs at 48 kHz
        positions = np.linspace(0, len(samples) - 1, int(len(samples) * 48000 / sample_rate))
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
        sample_rate = 48000
    with av.open(str(path), mode="w", format=container_format) as out:
        stream = out.add_stream(codec, rate=sample_rate, layout="mono")
        assert isinstance(stream, av.AudioStream)  # for the type checker
        data = np.clip(samples, -1.0, 1.0)
        array = data[None, :]
        if array.shape[1]:  # a zero-length file is a valid (if useless) test input
            frame = av.AudioFrame.from_ndarray(array, format=fmt, layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = 0
            frame.time_base = Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_test_video(path: Path, seconds: float, *, size: tuple[int, int] = (160, 120)) -> Path:
    """A small H.264 + AAC .mp4/.mov with a moving bar and a tone (for tests)."""
    fps = 10
    samples = tone(seconds, seed=1)
    container_format = "mov" if path.suffix.lower() == ".mov" else "mp4"
    with av.open(str(path), mode="w", format=container_format) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        audio = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for i in range(int(seconds * fps)):
            image = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            image[:, (i * 7) % size[0]] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = 0
        for packet in audio.encode(frame):
            out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)
    return path


def write_speech_video(
    path: Path, samples: np.ndarray, *, size: tuple[int, int] = (320, 240), fps: int = 5
) -> Path:
    """A small .mp4 of `samples` over a plain frame whose bar follows the loudness (demo video)."""
    width, height = size
    per_frame = SAMPLE_RATE // fps
    frames = max(1, -(-len(samples) // per_frame))
    with av.open(str(path), mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "30"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for i in range(frames):
            chunk = samples[i * per_frame : (i + 1) * per_frame]
            level = float(np.sqrt(np.mean(chunk * chunk))) if len(chunk) else 0.0
            image = np.full((height, width, 3), (40, 70, 110), dtype=np.uint8)
            bar = int(min(1.0, level * 6) * (width - 40))
            image[height - 40 : height - 20, 20 : 20 + bar] = (244, 162, 97)
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        frame = av.AudioFrame.from_ndarray(
            samples[None, :].astype(np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = 0
        for packet in audio.encode(frame):
            out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)
    return path
