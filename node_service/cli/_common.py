"""Helpers shared by the CLI commands: one-line failures (a node's problem answer among them) and JSON output."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    import httpx

__all__ = ["fail", "print_json", "problem_line"]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def problem_line(resp: httpx.Response, what: str, *, with_title: bool = True) -> str:
    """A node's refusal as one line: ``what``, the HTTP status, (the problem's title,) the field, the detail and
    the fix, from its problem+json body; the start of the body when it is not JSON."""
    try:
        body = resp.json()
    except ValueError:
        return f"{what}: HTTP {resp.status_code}: {resp.text[:200]}"
    if not isinstance(body, dict):
        return f"{what}: HTTP {resp.status_code}"
    title = f" {body.get('title', '')}" if with_title else ""
    field = f" at {body['field']}" if body.get("field") else ""
    fix = f" — {body['fix']}" if body.get("fix") else ""
    return f"{what}: HTTP {resp.status_code}{title}{field}: {body.get('detail', '')}{fix}"
