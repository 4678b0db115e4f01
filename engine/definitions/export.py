"""Writing a stored version's files back to disk, so owners can keep their edits under version control.

Each file goes where `casedesk deploy DIR` reads it from, so deploying the directory again is a no-op even
when it already holds the process (a checkout of processes/): a file of the same name already there is
overwritten in place (for a form or catalogue, the copy deploy takes first); otherwise a diagram or
decision table goes to its path in the bundle, a translation catalogue beside the diagram it translates
(`engine/definitions/translations.py`), and a form at the top of the directory.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import PROCESS_SUFFIXES
from engine.definitions.translations import LOCALES, catalogue_name, is_catalogue
from engine.errors import InvalidInput, N_


def export_version(catalog: DefinitionCatalog, key: str, version: int | None, directory: Path) -> tuple[int, list[Path]]:
    """Write every file of `key` version `version` (default: the newest) under `directory` where deploy reads
    it. Returns the version and the files written."""
    number = version if version is not None else catalog.versions(key)[0].version
    files = catalog.files(key, number)
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(N_("%(directory)s is not a directory: name a directory to write the files under"),
                           directory=str(directory))
    targets = export_targets(files, directory)
    for name, target in targets.items():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
        except OSError as exc:
            raise InvalidInput(N_("cannot write %(target)s: %(why)s"), target=str(target),
                               why=str(exc.strerror or exc)) from exc
    return number, list(targets.values())


def export_targets(files: dict[str, bytes], directory: Path) -> dict[str, Path]:
    """Where each stored file goes under `directory` (see the module's docstring)."""
    present = sorted(directory.rglob("*")) if directory.is_dir() else []
    # collect_files reads diagrams by path and forms by name, the first of each name in path order.
    first_json: dict[str, Path] = {}
    for path in present:
        if path.suffix == ".json" and path.is_file():
            first_json.setdefault(path.name, path)
    targets: dict[str, Path] = {}
    for name in sorted(files, key=lambda n: not n.endswith(PROCESS_SUFFIXES)):  # diagrams first
        stored = directory / _safe_relative(name)
        base = stored.name
        if name.endswith(PROCESS_SUFFIXES):
            same_name = [p for p in present if p.name == base and p.is_file()]
            targets[name] = same_name[0] if not stored.is_file() and len(same_name) == 1 else stored
        elif base in first_json:
            targets[name] = first_json[base]
        elif is_catalogue(name) and (diagram := _translated_diagram(name, files)) is not None:
            targets[name] = targets[diagram].parent / base
        else:
            targets[name] = stored
    return targets


def _translated_diagram(catalogue: str, files: dict[str, bytes]) -> str | None:
    return next((name for name in sorted(files) if name.endswith(".bpmn")
                 and any(catalogue_name(name, locale) == PurePosixPath(catalogue).name for locale in LOCALES)), None)


def _safe_relative(name: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInput(N_("stored file name %(name)s cannot be written under a directory"), name=repr(name))
    return Path(*path.parts)
