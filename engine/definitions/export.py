"""Writing a stored version's files back to disk, so owners can keep their edits under version control."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from engine.definitions.catalog import DefinitionCatalog
from engine.errors import InvalidInput


def export_version(catalog: DefinitionCatalog, key: str, version: int | None, directory: Path) -> tuple[int, list[Path]]:
    """Write every file of `key` version `version` (default: the newest) under `directory`, as deploy reads them:
    diagrams at their path in the bundle, forms by name. Returns the version and the files written."""
    number = version if version is not None else catalog.versions(key)[0].version
    files = catalog.files(key, number)
    targets = {name: directory / _safe_relative(name) for name in files}
    written = []
    for name, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
        written.append(target)
    return number, written


def _safe_relative(name: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInput(f"stored file name {name!r} cannot be written under a directory")
    return Path(*path.parts)
