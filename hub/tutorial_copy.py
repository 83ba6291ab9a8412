"""Each attendee's copy of the tutorial on the workshop Hub (make hub): made at their first start,
brought up to a newer tutorial without overwriting their work, or reset to the tutorial's.

Bringing it up follows nbgitpuller's rules, file by file: a file the attendee never changed takes
the tutorial's new version; one they deleted comes back; a new one is added; one the tutorial
dropped stays. Where nbgitpuller merges the lines of a file both sides changed, this keeps the
attendee's file whole and puts the tutorial's new version beside it: a line merge can leave a
notebook's JSON half one version and half the other. Nothing an attendee changed is ever
overwritten, moved or deleted by an update. What was copied is recorded (a digest per file, in
RECORD in their folder), which is how a change of theirs is told from the tutorial's; a folder
copied before there were records is taken to hold the tutorial as it is now.

The Hub's start (jupyterhub_config.py) and the presenter's room view (room_service.py) call it;
standard library only.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# What each attendee gets a copy of: the notebooks, and what their links open. Never keys/.
COPIED = ("notebooks", "recipes", "docs/sandbox-fidelity.md")
LEFT_OUT = {"keys", ".ipynb_checkpoints", "__pycache__"}
RECORD = ".tutorial-copy.json"  # hidden in JupyterLab's file browser


@dataclass
class Changes:
    """What a copy, an update or a reset did, by the files' paths in the attendee's folder."""

    added: list[str] = field(default_factory=list)  # new, or back after the attendee deleted it
    updated: list[str] = field(default_factory=list)  # unchanged by the attendee: the new version
    beside: list[str] = field(default_factory=list)  # theirs kept; the tutorial's beside it
    kept_as: list[str] = field(default_factory=list)  # reset: their own version, renamed

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.beside or self.kept_as)


def tutorial_files(tutorial: Path) -> dict[str, Path]:
    """The tutorial's files an attendee gets, by their path in the attendee's folder."""
    found = {}
    for name in COPIED:
        source = tutorial / name
        paths = [source] if source.is_file() else sorted(source.rglob("*"))
        for path in paths:
            relative = path.relative_to(tutorial)
            if path.is_file() and not LEFT_OUT.intersection(relative.parts):
                found[relative.as_posix()] = path
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_record(home: Path) -> dict[str, str]:
    try:
        record = json.loads((home / RECORD).read_text())
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_record(home: Path, record: dict[str, str]) -> None:
    partial = home / f"{RECORD}.partial"
    partial.write_text(json.dumps(record, indent=1, sort_keys=True))
    partial.replace(home / RECORD)


def _put(source: Path, target: Path) -> None:
    """Copy source to target whole or not at all (a reader never sees half a notebook)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copy2(source, partial)
    partial.replace(target)


def stamped(path: str, what: str, now: datetime) -> str:
    """path with what and the time before its suffix: notebooks/02.yours-20261105-140512.ipynb."""
    relative = Path(path)
    return (relative.parent / f"{relative.stem}.{what}-{now:%Y%m%d-%H%M%S}{relative.suffix}"
            ).as_posix()


def bring_up_to_date(tutorial: Path, home: Path, now: datetime) -> Changes:
    """Copy the tutorial into home, or bring an earlier copy up to date without overwriting
    anything the attendee changed (the module's docstring gives the rules)."""
    files, changes = tutorial_files(tutorial), Changes()
    record = _read_record(home) if (home / RECORD).exists() or not (home / "notebooks").exists() \
        else {path: _digest(source) for path, source in files.items()}  # copied before records
    for path, source in files.items():
        target, new = home / path, _digest(source)
        if not target.exists():
            _put(source, target)
            changes.added.append(path)
        elif (mine := _digest(target)) == new:
            pass
        elif record.get(path) == mine:  # as copied: the attendee never changed it
            _put(source, target)
            changes.updated.append(path)
        elif record.get(path) != new and record.get(f"beside:{path}") != new:
            beside = stamped(path, "tutorial", now)  # theirs, and a version they have not seen
            _put(source, home / beside)
            changes.beside.append(beside)
            record[f"beside:{path}"] = new  # offered once, not at every update
            continue  # what the record holds for path stays what was copied: theirs differs
        else:
            continue
        record[path] = new
    _write_record(home, record)
    return changes


def reset(tutorial: Path, home: Path, now: datetime) -> Changes:
    """The tutorial's notebooks in home as they are in the tutorial; each notebook of the
    attendee's that differs is kept beside it, renamed with the time (nothing is deleted)."""
    record, changes = _read_record(home), Changes()
    for path, source in tutorial_files(tutorial).items():
        if not path.endswith(".ipynb"):
            continue
        target, new = home / path, _digest(source)
        if target.exists() and _digest(target) != new:
            kept = stamped(path, "yours", now)
            target.replace(home / kept)
            changes.kept_as.append(kept)
        if not target.exists():
            _put(source, target)
            changes.added.append(path)
        record[path] = new
    _write_record(home, record)
    return changes
