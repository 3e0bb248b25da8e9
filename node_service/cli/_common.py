"""Helpers shared by the CLI commands: one-line failures and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

__all__ = ["fail", "print_json"]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
