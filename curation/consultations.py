"""Consultations, their questions and themes, loaded from TOML files."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import app_settings, audit
from curation.access.actors import Actor, Permission, require
from curation.errors import NotFound, UnusableInput
from curation.store.foundation import Consultation, Question, Theme

BUNDLED = Path(__file__).resolve().parent / "data" / "consultations"
DEFAULT_SLUG = "levelling-up-2022"
MAX_FILE_BYTES = 1_000_000


def read_consultation_file(path: Path) -> dict[str, Any]:
    """Parse and validate a consultation TOML file; `UnusableInput` says what is wrong."""
    if not path.is_file():
        raise UnusableInput(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UnusableInput(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"{path}: not a valid UTF-8 TOML file ({exc})") from exc
    for key in ("slug", "title", "organisation"):
        if not str(data.get(key, "")).strip():
            raise UnusableInput(f"{path}: '{key}' is missing")
    questions = data.get("questions") or []
    if not questions:
        raise UnusableInput(f"{path}: no [[questions]]")
    numbers = [q.get("number") for q in questions]
    if len(set(numbers)) != len(numbers) or not all(isinstance(n, int) for n in numbers):
        raise UnusableInput(f"{path}: question numbers must be unique whole numbers")
    for q in questions:
        if not str(q.get("text", "")).strip() or not str(q.get("label", "")).strip():
            raise UnusableInput(f"{path}: question {q.get('number')} needs 'text' and 'label'")
    for i, t in enumerate(data.get("themes") or [], start=1):
        if not str(t.get("slug", "")).strip() or not str(t.get("name", "")).strip():
            raise UnusableInput(f"{path}: theme {i} needs 'slug' and 'name'")
    return data


def add_consultation(
    session: Session, actor: Actor, path: Path, *, is_demo: bool = False
) -> Consultation:
    """Store the consultation in `path`; refuses a slug that is already stored."""
    require(actor, Permission.MANAGE_CONSULTATIONS)
    data = read_consultation_file(path)
    if session.scalar(select(Consultation).where(Consultation.slug == data["slug"])):
        raise UnusableInput(f"{path}: a consultation '{data['slug']}' is already stored")
    consultation = _build(data, is_demo=is_demo)
    session.add(consultation)
    session.flush()
    audit.record(
        session, actor, "consultation.add", "consultation", consultation.id, {"slug": data["slug"]}
    )
    return consultation


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _build(data: dict[str, Any], *, is_demo: bool) -> Consultation:
    return Consultation(
        slug=data["slug"],
        title=data["title"].strip(),
        organisation=data["organisation"].strip(),
        public_url=data.get("public_url"),
        opens_on=_as_date(data.get("opens_on")),
        closes_on=_as_date(data.get("closes_on")),
        description=str(data.get("description", "")).strip(),
        is_demo=is_demo,
        questions=[
            Question(
                number=q["number"],
                text=q["text"].strip(),
                label=q["label"].strip(),
                public_title=str(q.get("public_title", "")).strip()[:120] or None,
            )
            for q in data["questions"]
        ],
        themes=[
            Theme(
                number=t.get("number", i),
                slug=t["slug"],
                name=t["name"],
                description=t.get("description", ""),
                keywords=[str(k).lower() for k in t.get("keywords", [])],
            )
            for i, t in enumerate(data.get("themes") or [], start=1)
        ],
    )


def ensure_bundled(session: Session, actor: Actor, slug: str = DEFAULT_SLUG) -> Consultation:
    """The bundled consultation `slug`, stored on first use (storing it needs an admin)."""
    require(actor, Permission.READ_RESPONSES)
    found = session.scalar(select(Consultation).where(Consultation.slug == slug))
    if found:
        return found
    return add_consultation(session, actor, BUNDLED / f"{slug}.toml")


def list_consultations(session: Session) -> list[Consultation]:
    return list(
        session.scalars(select(Consultation).order_by(Consultation.created_at, Consultation.id))
    )


def get_consultation(session: Session, slug_or_id: str | int | None = None) -> Consultation:
    """The consultation named by slug or id, else the current one, else the newest stored."""
    if slug_or_id is None:
        slug_or_id = app_settings.get(session, "current_consultation")
    if slug_or_id is not None:
        key = str(slug_or_id)
        found = session.scalar(select(Consultation).where(Consultation.slug == key))
        if found is None and key.isdigit():
            found = session.get(Consultation, int(key))
        if found is None:
            raise NotFound(f"no consultation '{slug_or_id}'")
        return found
    stored = list_consultations(session)
    if not stored:
        raise NotFound(
            "no consultation stored yet: run `curation demo` or `curation consultation add`"
        )
    return stored[-1]


def set_current(session: Session, actor: Actor, slug: str) -> Consultation:
    """Make `slug` the consultation the CLI works on by default (curators and up; audited)."""
    require(actor, Permission.IMPORT_RESPONSES)
    consultation = get_consultation(session, slug)
    app_settings.put_system(session, "current_consultation", consultation.slug, actor)
    return consultation


def question_by_number(consultation: Consultation, number: int) -> Question:
    for q in consultation.questions:
        if q.number == number:
            return q
    raise NotFound(f"consultation '{consultation.slug}' has no question {number}")
