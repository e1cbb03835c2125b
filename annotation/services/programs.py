"""Writes to programs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotation.choices import ProgramKind
from annotation.models import Program

_FIELDS = ("title", "kind", "year", "description")


def _save(program: Program) -> Program:
    program.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise ValidationError(
            {"title": f"A program called {program.title!r} ({program.year}) exists already."}
        ) from None
    return program


def program_create(
    *, title: str, kind: str = ProgramKind.SERIES, year: int | None = None, description: str = ""
) -> Program:
    return _save(Program(title=title, kind=kind, year=year, description=description))


def program_update(*, program: Program, **changes) -> Program:
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValueError(f"program_update does not change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(program, name, value)
    return _save(program)


def program_get_or_create(*, title: str, **defaults) -> tuple[Program, bool]:
    """The program with this title (the oldest, if several years share it), or a new one."""
    title = " ".join(title.split())
    existing = Program.objects.filter(title__iexact=title).order_by("id").first()
    if existing:
        return existing, False
    return program_create(title=title, **defaults), True
