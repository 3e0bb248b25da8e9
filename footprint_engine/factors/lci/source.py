"""Step (1) of an LCI import: the arguments, and the input path checked and made ready for bw2io.

A SimaPro CSV or Brightway Excel file is handed over as it is; ecospold2 comes as a directory of ``.spold``
files, one ``.spold`` file (copied into a directory of its own) or a zip of them (unpacked by base name, the
unpacked bytes counted against :data:`MAX_LCI_BYTES` as they are written, whatever the zip's directory claims).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Literal, get_args

from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors.sources import data_source

__all__ = [
    "FORMATS",
    "MAX_LCI_BYTES",
    "MAX_SPOLD_FILES",
    "LciFormat",
    "check_arguments",
    "default_name",
    "prepare_source",
]

LciFormat = Literal["ecospold2", "simapro-csv", "brightway-excel"]
FORMATS: tuple[str, ...] = get_args(LciFormat)

#: Largest input accepted: the file, or the sum of the ``.spold`` files of a directory or zip, unpacked.
MAX_LCI_BYTES = 64 * 1024 * 1024
#: Most ``.spold`` files a directory or zip may hold.
MAX_SPOLD_FILES = 100_000


def check_arguments(fmt: str, source_id: str, id_prefix: str, name: str | None) -> None:
    if fmt not in FORMATS:
        raise FactorLibraryError(
            "unknown LCI format", f"{fmt!r}", f"use one of {', '.join(FORMATS)}", field="format"
        )
    if data_source(source_id) is None:
        raise FactorLibraryError(
            "unknown data source",
            f"{source_id!r} is not in footprint_engine.factors.sources",
            "use 'licensed-lci' (or 'private' for a company's own database)",
            field="sourceId",
        )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", id_prefix):
        raise FactorLibraryError(
            "bad factor id prefix",
            f"{id_prefix!r}",
            "give one path segment of letters, digits, '.', '_' or '-', such as 'lci'",
            field="idPrefix",
        )
    if name is not None and (not name.strip() or name == "biosphere3"):
        raise FactorLibraryError(
            "bad database name",
            f"{name!r}" + (" is Brightway's elementary-flow database" if name == "biosphere3" else ""),
            "give the database a non-empty name of its own",
            field="name",
        )


def prepare_source(path: Path, fmt: str, work: Path) -> Path:
    """The path to hand to bw2io: the file itself, or a directory of ``.spold`` files."""
    if not path.exists():
        raise FactorLibraryError(
            "LCI file not found", f"{path} does not exist", "give the path of the exported file", field="file"
        )
    if fmt != "ecospold2":
        if not path.is_file():
            raise FactorLibraryError(
                "LCI file is not a file",
                f"{path} is a directory",
                f"give the {fmt} file itself",
                field="file",
            )
        _check_size(path.stat().st_size, path)
        return path
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".spold"]
        _check_count(len(files), path)
        _check_size(sum(p.stat().st_size for p in files), path)
        return path
    if path.suffix.lower() == ".spold":
        _check_size(path.stat().st_size, path)
        target = work / "spold"
        target.mkdir()
        shutil.copyfile(path, target / path.name)
        return target
    return _unzip_spold(path, work / "spold")


def _unzip_spold(path: Path, target: Path) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FactorLibraryError(
            "unreadable LCI file",
            f"{path.name} is neither a directory, a .spold file nor a zip of them ({exc})",
            "give a directory of .spold files, one .spold file, or a .zip of .spold files",
            field="file",
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".spold")]
        _check_count(len(members), path)
        _check_size(sum(m.file_size for m in members), path)
        target.mkdir()
        budget = MAX_LCI_BYTES
        for i, member in enumerate(members):
            # the base name only, numbered: a member's name never chooses where it is written
            with (
                archive.open(member) as src,
                (target / f"{i:06d}_{Path(member.filename).name}").open("wb") as dst,
            ):
                while chunk := src.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:  # the sizes in the directory lied
                        _check_size(MAX_LCI_BYTES + 1, path)
                    dst.write(chunk)
    return target


def _check_size(size: int, path: Path) -> None:
    if size > MAX_LCI_BYTES:
        raise FactorLibraryError(
            "LCI file too large",
            f"{path.name} holds {size} bytes, more than {MAX_LCI_BYTES} ({MAX_LCI_BYTES // 2**20} MiB)",
            "import the database in parts (e.g. by ISIC section) of at most 64 MiB each",
            field="file",
        )


def _check_count(count: int, path: Path) -> None:
    if count == 0:
        raise FactorLibraryError(
            "no activities in the LCI file",
            f"{path.name} holds no .spold file",
            "give a directory or zip holding the ecospold2 datasets (*.spold)",
            field="file",
        )
    if count > MAX_SPOLD_FILES:
        raise FactorLibraryError(
            "too many datasets",
            f"{path.name} holds {count} .spold files, more than {MAX_SPOLD_FILES}",
            "import the database in parts",
            field="file",
        )


def default_name(path: Path) -> str:
    return path.stem if path.is_file() else path.name
