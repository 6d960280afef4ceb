"""The brand kit: loading and validating assets/brand.toml, logo uploads, saving changes.

The shipped kit lives in assets/; changes made on the Brand page are saved as an
override under the data directory (data/brand/), so the repository stays untouched.
"""

from __future__ import annotations

import hashlib
import io
import struct
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import tomli_w
from PIL import Image

from curation.cards.templates import TEMPLATES, check_template_contrast
from curation.config import load_settings
from curation.errors import UnusableInput

MAX_BRAND_FILE_BYTES = 64_000
MAX_FONT_BYTES = 16_000_000  # the complete colour emoji font is about 11 MB
MAX_LOGO_BYTES = 2_000_000
MAX_IMAGE_BYTES = 4_000_000
MAX_LOGO_PIXELS = 4000 * 4000
MIN_LOGO_SIDE = 16
COLOUR_ROLES = ("primary", "on_primary", "accent", "paper", "ink", "accent_on_light")
FONT_ROLES = ("regular", "bold", "italic", "arabic", "hebrew", "emoji")
# Roles a kit may leave out, and the role drawn instead (kits saved before they existed).
OPTIONAL_FONT_ROLES = {"arabic_bold": "arabic", "arabic_italic": "arabic"}
_HEX = regex.compile(r"^#[0-9A-Fa-f]{6}$")
_MAGIC = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class Brand:
    """A validated brand kit; `fingerprint` changes whenever anything that shows changes."""

    organisation: str
    handle: str
    website: str
    hashtags: tuple[str, ...]
    default_template: str
    colours: dict[str, str] = field(hash=False)
    fonts: dict[str, Path] = field(hash=False)
    logo: Path
    fingerprint: str = ""
    image: Path | None = None  # the photo or illustration of the imagery template

    def colour(self, role: str) -> str:
        return self.colours[role]


def brand_override_dir() -> Path:
    return load_settings().data_dir / "brand"


def brand_path() -> Path:
    """The kit in force: the saved override if there is one, else the shipped one."""
    override = brand_override_dir() / "brand.toml"
    return override if override.is_file() else load_settings().assets_dir / "brand.toml"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_brand(data: dict[str, Any], base: Path, *, check_files: bool = True) -> Brand:
    """Validate the parsed TOML; `UnusableInput` names the first problem found."""
    for key in ("organisation", "handle", "website", "default_template", "logo"):
        if not str(data.get(key, "")).strip():
            raise UnusableInput(f"brand kit: '{key}' is missing")
    if not str(data["website"]).startswith("https://"):
        raise UnusableInput("brand kit: 'website' must be an https:// address")
    hashtags = data.get("hashtags", [])
    if not isinstance(hashtags, list) or not all(
        isinstance(h, str) and regex.fullmatch(r"#\w{1,60}", h) for h in hashtags
    ):
        raise UnusableInput("brand kit: 'hashtags' must be a list like ['#LevellingUp']")
    colours = dict(data.get("colours") or {})
    for role in COLOUR_ROLES:
        value = colours.get(role)
        if not isinstance(value, str) or not _HEX.match(value):
            raise UnusableInput(f"brand kit: colour '{role}' must be #RRGGBB (got {value!r})")
        colours[role] = value.upper()
    fonts_raw = data.get("fonts") or {}
    fonts = {role: (base / str(fonts_raw.get(role, ""))).resolve() for role in FONT_ROLES}
    for role, instead in OPTIONAL_FONT_ROLES.items():
        fonts[role] = (
            (base / str(fonts_raw[role])).resolve() if fonts_raw.get(role) else fonts[instead]
        )
    logo = (base / str(data["logo"])).resolve()
    image = (base / str(data["image"])).resolve() if str(data.get("image", "")).strip() else None
    if check_files:
        for role, path in fonts.items():
            if (role in FONT_ROLES and not fonts_raw.get(role)) or not path.is_file():
                raise UnusableInput(f"brand kit: font '{role}' not found ({path})")
            if path.stat().st_size > MAX_FONT_BYTES:
                raise UnusableInput(f"brand kit: font {role!r} is over {MAX_FONT_BYTES} bytes")
        if not logo.is_file():
            raise UnusableInput(f"brand kit: logo not found ({logo})")
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise UnusableInput(f"brand kit: logo is larger than {MAX_LOGO_BYTES} bytes")
        if image is not None and (not image.is_file() or image.stat().st_size > MAX_IMAGE_BYTES):
            raise UnusableInput(f"brand kit: image missing or over {MAX_IMAGE_BYTES} bytes")
    digest = hashlib.sha256(repr(sorted(data.items())).encode())
    if check_files:
        for path in [*fonts.values(), logo, *([image] if image else [])]:
            digest.update(_file_digest(path).encode())
    brand = Brand(
        organisation=str(data["organisation"]).strip(),
        handle=str(data["handle"]).strip(),
        website=str(data["website"]).strip(),
        hashtags=tuple(hashtags),
        default_template=str(data["default_template"]),
        colours=colours,
        fonts=fonts,
        logo=logo,
        image=image,
        fingerprint=digest.hexdigest()[:16],
    )
    if brand.default_template not in TEMPLATES:
        raise UnusableInput(
            f"brand kit: default_template '{brand.default_template}' is not one of "
            f"{', '.join(TEMPLATES)}"
        )
    for name in TEMPLATES:
        check_template_contrast(name, brand)
    return brand


_loaded: dict[tuple[str, float, int], Brand] = {}


def load_brand(path: Path | None = None, *, check_files: bool = True) -> Brand:
    """Read and validate the brand kit (cached until the file changes)."""
    path = path or brand_path()
    if not path.is_file():
        raise UnusableInput(f"brand kit not found: {path}")
    stat = path.stat()
    if stat.st_size > MAX_BRAND_FILE_BYTES:
        raise UnusableInput(f"brand kit {path} is larger than {MAX_BRAND_FILE_BYTES} bytes")
    key = (str(path), stat.st_mtime, stat.st_size)
    if check_files and key in _loaded:
        return _loaded[key]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"brand kit {path}: not valid UTF-8 TOML ({exc})") from exc
    brand = parse_brand(data, path.parent, check_files=check_files)
    if check_files:
        _loaded[key] = brand
    return brand


@dataclass(frozen=True)
class ValidatedLogo:
    """A logo that passed every check, re-encoded as a metadata-free RGBA PNG."""

    png: bytes
    width: int
    height: int
    source_format: str


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_LOGO_PIXELS:
        raise UnusableInput(
            f"logo: {width}×{height} pixels is more than the {MAX_LOGO_PIXELS} allowed"
        )
    if min(width, height) < MIN_LOGO_SIDE:
        raise UnusableInput(f"logo: {width}×{height} pixels is too small")


def validate_logo(data: bytes) -> ValidatedLogo:
    """Check an uploaded logo: PNG or JPEG only, size and pixel caps, no decompression bombs.

    The header is read first (Pillow does not decode pixels on open), the pixel count is
    checked before any decoding, then `verify()` and a full load catch truncated files.
    """
    if not data:
        raise UnusableInput("logo: the file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise UnusableInput(f"logo: {len(data)} bytes is more than the {MAX_LOGO_BYTES} allowed")
    declared = next((fmt for fmt, magic in _MAGIC.items() if data.startswith(magic)), None)
    if declared is None:
        raise UnusableInput("logo: only PNG or JPEG files are accepted")
    if declared == "PNG" and len(data) >= 24 and data[12:16] == b"IHDR":
        _check_pixels(*struct.unpack(">II", data[16:24]))  # before Pillow sees the file
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[declared]) as probe:
                width, height = probe.size
                _check_pixels(width, height)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[declared]) as img:
                img.load()
                rgba = img.convert("RGBA")
    except UnusableInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnusableInput(
            f"logo: the pixel count is more than the {MAX_LOGO_PIXELS} allowed"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnusableInput(f"logo: not a readable {declared} image ({exc})") from exc
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return ValidatedLogo(out.getvalue(), width, height, declared)


MAX_IMAGE_SIDE = 2160  # enough to cover a 1080×1920 story card


def validate_image(data: bytes) -> bytes:
    """A brand photo or illustration for the Photo template: the logo's checks (PNG or JPEG,
    size and pixel caps, no decompression bombs), then at most `MAX_IMAGE_SIDE` pixels a
    side, re-encoded as a metadata-free JPEG."""
    checked = validate_logo(data)
    with Image.open(io.BytesIO(checked.png)) as img:
        rgb = img.convert("RGB")
    rgb.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


def save_brand(
    *,
    colours: dict[str, str] | None = None,
    logo: ValidatedLogo | None = None,
    handle: str | None = None,
    image: bytes | None = None,
) -> Brand:
    """Write a validated override of the kit under the data directory; returns the new kit.

    Nothing is written when validation (including contrast) fails. Callers check
    `Permission.MANAGE_BRAND` (see `curation.cards.service.update_brand`).
    """
    current_path = brand_path()
    data = tomllib.loads(current_path.read_text(encoding="utf-8"))
    base = current_path.parent
    target = brand_override_dir()
    # Paths in the override are absolute where they point back at the shipped assets.
    data["fonts"] = {k: str((base / v).resolve()) for k, v in (data.get("fonts") or {}).items()}
    data["logo"] = str((base / data["logo"]).resolve())
    if data.get("image"):
        data["image"] = str((base / data["image"]).resolve())
    if colours:
        data["colours"] = {**(data.get("colours") or {}), **colours}
    if handle is not None:
        data["handle"] = handle
    logo_path = target / "logo.png"
    if logo is not None:
        data["logo"] = str(logo_path)
    if image is not None:  # already validated (`validate_image`); replaces the picture
        target.mkdir(parents=True, exist_ok=True)
        (target / "image.jpg").write_bytes(image)
        data["image"] = str(target / "image.jpg")
    probe = dict(data)
    if logo is not None:  # validate against the new logo without writing it yet
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / "logo.png.new"
        tmp.write_bytes(logo.png)
        probe["logo"] = str(tmp)
        try:
            parse_brand(probe, target)
        except UnusableInput:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(logo_path)
    else:
        parse_brand(probe, target)
    target.mkdir(parents=True, exist_ok=True)
    (target / "brand.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    return load_brand(target / "brand.toml")
