"""Field checks shared by the master-data services, raising errors that name the field."""

from __future__ import annotations

from app.domain.catalog.codes import FieldProblem
from app.lib.errors import InvalidInputError

__all__ = ["check_page", "invalid_input", "percent", "required_text", "units"]


def invalid_input(problem: FieldProblem) -> InvalidInputError:
    return InvalidInputError(problem.message, field=problem.field, value=str(problem.value))


def required_text(value: str, field: str, maximum: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field} is empty: give a value", field=field)
    if len(text) > maximum:
        raise InvalidInputError(f"{field} {text!r} is longer than {maximum} characters", field=field)
    return text


def percent(value: int, field: str) -> int:
    if not 0 <= value <= 1000:
        raise InvalidInputError(f"{field} {value} is out of range: use 0 to 1000 (percent)", field=field)
    return value


def units(value: int, field: str) -> int:
    if value < 0:
        raise InvalidInputError(f"{field} {value} is negative: use 0 or more units", field=field)
    return value


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= 1000:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 1000", field="limit")
    if offset < 0:
        raise InvalidInputError(f"offset {offset} is negative", field="offset")
