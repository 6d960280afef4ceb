"""What every CLI command shares: the store, the acting user, the consultation, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from curation.errors import CurationError, PermissionDenied

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) loads when a command opens it
    from sqlalchemy.orm import Session

    from curation.access.actors import Actor
    from curation.store import Database

AsUser = Annotated[
    str | None, typer.Option("--as", help="Act as this user (default: the local admin).")
]
ConsultationOpt = Annotated[
    str | None,
    typer.Option("--consultation", help="Consultation slug or id (default: the current one)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]

_global: dict[str, str | None] = {"as": None, "consultation": None}

T = TypeVar("T")


def set_globals(as_user: str | None, consultation: str | None) -> None:
    _global["as"] = as_user
    _global["consultation"] = consultation


@dataclass
class CliContext:
    db: Database
    as_user: str | None
    consultation: str | None

    def actor(self, session: Session) -> Actor:
        from curation.access.users import actor_for

        return actor_for(session, self.as_user)

    def consultation_of(self, session: Session) -> Any:
        from curation.consultations import get_consultation

        return get_consultation(session, self.consultation)


def open_context(as_user: str | None = None, consultation: str | None = None) -> CliContext:
    from curation.store import open_database

    return CliContext(
        db=open_database(),
        as_user=as_user or _global["as"],
        consultation=consultation or _global["consultation"],
    )


def fail(message: str, code: int = 2) -> None:
    """Print a one-line reason to stderr and exit with `code` (2: unusable input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn the core's errors into a one-line reason and exit code 2 (3 when refused)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from curation.store import DatabaseUnreachable

    try:
        yield
    except DatabaseUnreachable as exc:
        fail(str(exc), 2)
    except (OperationalError, InterfaceError) as exc:  # the store went away mid-command
        from curation.config import load_settings

        fail(str(DatabaseUnreachable.from_error(load_settings().database_url, exc)), 2)
    except PermissionDenied as exc:
        fail(str(exc), 3)
    except CurationError as exc:
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 2)


def command(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorator: run a command body inside `reporting_errors`."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with reporting_errors():
            return fn(*args, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str, indent=None) + "\n")
