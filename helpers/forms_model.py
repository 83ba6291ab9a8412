"""What the key pair forms do, as plain functions: tests and notebooks call them without widgets.

helpers.forms draws widgets over these; neither holds AWS logic (that lives in helpers.keypairs).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import arguments
from helpers.errors import KeyPairError, explain
from helpers.keyfiles import (
    default_key_dir,
    folder_problem,
    is_sandbox_key_file,
    is_sandbox_leftover,
    key_file_name,
    key_files,
    save_private_key,
    shown_path,
)
from helpers.keypairs import (
    KeyFormat,
    KeyType,
    create_key_pair,
    delete_key_pair,
    describe_key_pairs,
    import_key_pair,
)
from helpers.rules import (
    key_name_problem,
    key_pair_problem,
    shown,
    shows_private_key,
    tag_problem,
    tags_count_problem,
)
from helpers.tables import tags_text

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef

# Every key pair the forms make carries this tag; the delete safety only deletes keys that do.
TUTORIAL_TAG = {"CreatedBy": "ec2-keypairs-tutorial"}
_made_here: list[str] = []  # names of the key pairs the forms made in this kernel, not deleted yet


def made_here() -> list[str]:
    """The key pairs the forms made in this kernel and have not deleted: what a clean-up deletes
    (never another kernel's, another attendee's, or a key pair made before)."""
    return list(_made_here)


@dataclass(frozen=True)
class NewKeyPair:
    """What a form shows after a create or import: never the private key itself."""

    name: str
    key_pair_id: str
    fingerprint: str
    path: Path | None = None  # where the private key was saved; None for an imported key
    replaced_file: bool = False  # the save replaced a key file another sandbox left

    def shown_path(self) -> str:
        """Where the private key was saved; '' for an imported key."""
        return str(self.path) if self.path else ""

    def login_command(self) -> str:
        """How to log in with the saved key to an instance launched with this key pair (07)."""
        tool = "plink -i" if self.path and self.path.suffix == ".ppk" else "ssh -i"
        return f"{tool} {self.shown_path()} ec2-user@INSTANCE" if self.path else ""


@dataclass
class Deletion:
    """The outcome of a delete: what went, what the safety kept, what was already gone."""

    deleted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str | None = None
    files_removed: list[Path] = field(default_factory=list)  # sandbox key files of deleted keys
    files_kept: list[Path] = field(default_factory=list)  # key files that may hold a live key

    def message(self) -> str:
        """One line per outcome, for a person."""
        lines = []
        if self.deleted:
            lines.append(f"Deleted {_names(self.deleted)}.")
        if self.refused:
            lines.append(f"Kept {_names(self.refused)}: not created by this tutorial (no "
                         f"{tutorial_tag_text()} tag); turn the safety off to delete it.")
        if self.files_removed:
            lines.append(f"Removed the sandbox key file {_names(map(str, self.files_removed))}.")
        if self.files_kept:
            lines.append(f"Kept the private key file {_names(map(str, self.files_kept))}: delete "
                         "it yourself once nothing needs it (key files are never removed for you "
                         "outside the sandbox).")
        if self.missing:
            lines.append(f"{_names(self.missing)} was already gone: nothing to delete.")
        if self.error:
            lines.append(self.error)
        return "\n".join(lines) or "Nothing was chosen: select one or more key pairs."


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def tutorial_tag_text() -> str:
    """The tutorial's tag as 'Key=Value'."""
    return ", ".join(f"{k}={v}" for k, v in TUTORIAL_TAG.items())


def message_of(error: Exception) -> str:
    """The one-sentence message a form shows for an error from a helper (or anything else)."""
    return str(error if isinstance(error, KeyPairError) else explain(error))


def tags_problem(rows: Iterable[tuple[str, str]]) -> str | None:
    """Say what is wrong with tag rows (key, value), or None; rows with neither are ignored."""
    seen = set()
    for row in rows:
        if not (isinstance(row, (tuple, list)) and len(row) == 2
                and all(isinstance(text, str) for text in row)):
            return (f"The tag row {row!r} is not a (key, value) pair of text: give rows such as "
                    "[('Project', 'demo')].")
        key, value = row[0].strip(), row[1].strip()
        if not key and value:
            return f"The tag value {shown(value)} has no key: type its key, or remove the row."
        if not key:
            continue
        if key in TUTORIAL_TAG:
            return f"The forms set the tag {key!r} themselves: choose another key."
        problem = tag_problem(key, value)
        if problem:
            return problem
        if key in seen:
            return f"The tag key {key!r} appears twice: keep one row for it."
        seen.add(key)
    return tags_count_problem(len(seen) + len(TUTORIAL_TAG))


def _rows(rows: Any) -> list[tuple[str, str]]:
    """Tag rows as a list (None for none); anything that is not a list of rows says so."""
    if rows is None:
        return []
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise KeyPairError(f"The tag rows {shown(rows)} are not a list of (key, value) pairs: "
                           "give rows such as [('Project', 'demo')].")
    return list(rows)


def tags_from_rows(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The tags the forms send: the rows that have a key, plus the tutorial's own tag."""
    tags = {key.strip(): value.strip() for key, value in rows if key.strip()}
    return {**tags, **TUTORIAL_TAG}


def planned_key_path(name: str, key_format: str, folder: str | PathLike[str]) -> Path:
    """Where save_private_key will write the private key of a new key pair."""
    return shown_path(Path(folder).expanduser()) / key_file_name(name, key_format == "ppk")


def name_problem(name: str, taken: Collection[str] = ()) -> str | None:
    """Say what is wrong with a new key pair's name, taken names included, or None."""
    if name in taken:
        return (f"A key pair named {name!r} already exists in this Region: choose another "
                "name, or delete that one first.")
    return key_name_problem(name)


def save_folder_problem(folder: str) -> str | None:
    """Say what is wrong with the folder typed for a new private key, or None."""
    if not folder.strip():
        return "Give a folder for the private key, for example 'keys'."
    if folder != folder.strip():
        return f"The folder {folder!r} starts or ends with a space: remove it."
    return folder_problem(Path(folder).expanduser())


def create_problem(name: str, rows: Iterable[tuple[str, str]], folder: str,
                   taken: Collection[str] = ()) -> str | None:
    """The first thing that stops a create, in one sentence, or None when it can go ahead."""
    return save_folder_problem(folder) or name_problem(name, taken) or tags_problem(rows)


def create_and_save(
    ec2: EC2Client,
    name: str,
    *,
    key_type: KeyType = "rsa",
    key_format: KeyFormat = "pem",
    rows: Iterable[tuple[str, str]] = (),
    folder: str | PathLike[str] | None = None,
) -> NewKeyPair:
    """Create a tagged key pair and save its private key (0600); all of it happens, or none."""
    rows = _rows(rows)
    arguments.refuse(key_pair_problem(name, key_type, key_format) or tags_problem(rows))
    folder = arguments.folder(folder)
    if folder is None:
        folder = default_key_dir()
    path = planned_key_path(name, key_format, folder)
    arguments.refuse(save_folder_problem(folder) if isinstance(folder, str)  # as typed in a form
                     else folder_problem(path.parent))  # before EC2 makes a key pair in vain
    if path.exists() and not is_sandbox_leftover(path):
        raise KeyPairError(f"{shown_path(path)} already exists, so nothing was created: "
                           "choose another name or folder, or move that file away.")
    replacing = path.exists()
    response = create_key_pair(ec2, name, key_type=key_type, key_format=key_format,
                               tags=tags_from_rows(rows))
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the form says it in its own words
            saved = save_private_key(response, folder)
    except Exception as error:  # undo the create: a key pair whose private key is lost is useless
        reason = message_of(error)
        try:
            delete_key_pair(ec2, name=name)
        except Exception:
            raise KeyPairError(f"The private key could not be saved ({reason}) and the key "
                               f"pair {name!r} could not be deleted again: delete it yourself."
                               ) from error
        raise KeyPairError(f"The private key could not be saved ({reason}), so the key pair "
                           f"{name!r} was deleted again: choose another folder.") from error
    _made_here.append(name)
    return NewKeyPair(name, response["KeyPairId"], response["KeyFingerprint"], saved, replacing)


def uploaded_public_key(value: Any) -> tuple[str, str] | None:
    """(file name, text) of the first file in a FileUpload value, or None when it is empty."""
    files = list(value.values()) if isinstance(value, dict) else list(value or ())
    if not files:
        return None
    content = bytes(files[0]["content"])
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise KeyPairError("That file is not a text public key: upload the .pub file, "
                           "whose one line starts with 'ssh-'.") from None
    if shows_private_key(text):
        raise KeyPairError(f"{files[0].get('name') or 'That file'} holds a private key: it was "
                           "sent nowhere and is cleared from the form. Upload the public half "
                           "(the .pub file) instead.")
    return files[0].get("name", ""), text


def import_problem(name: str, public_key: str, rows: Iterable[tuple[str, str]],
                   taken: Collection[str] = ()) -> str | None:
    """The first thing that stops an import, in one sentence, or None when it can go ahead."""
    if not public_key.strip():
        return "Paste a public key ('ssh-ed25519 AAAA...') or upload a .pub file."
    return name_problem(name, taken) or tags_problem(rows)


def import_public_key(
    ec2: EC2Client, name: str, public_key: str | bytes, *, rows: Iterable[tuple[str, str]] = ()
) -> NewKeyPair:
    """Import a public key as a tagged key pair; EC2 never sees a private key."""
    rows = _rows(rows)
    arguments.refuse(key_name_problem(name) or tags_problem(rows))
    if isinstance(public_key, str):  # pasted text, never read as a path on the server
        public_key = public_key.encode()
    response = import_key_pair(ec2, name, public_key, tags=tags_from_rows(rows))
    _made_here.append(name)
    return NewKeyPair(name, response["KeyPairId"], response["KeyFingerprint"])


def all_key_pairs(ec2: EC2Client) -> list[KeyPairInfoTypeDef]:
    """Every key pair in the client's Region, sorted by name."""
    return sorted(describe_key_pairs(ec2)["KeyPairs"], key=lambda item: item["KeyName"])


def matches(item: KeyPairInfoTypeDef, text: str) -> bool:
    """Whether a key pair's name or tags ('Key=Value') contain text, ignoring case."""
    text = text.strip().lower()
    return text in item["KeyName"].lower() or text in tags_text(item.get("Tags")).lower()


def matching(items: list[KeyPairInfoTypeDef], text: str = "") -> list[KeyPairInfoTypeDef]:
    """The key pairs whose name or tags contain text (all of them for an empty text)."""
    return [item for item in items if matches(item, text)]


def is_tutorial_key(item: KeyPairInfoTypeDef) -> bool:
    """Whether a key pair carries the tag the forms put on every key they make."""
    tags = {t["Key"]: t["Value"] for t in item.get("Tags") or []}
    return all(tags.get(k) == v for k, v in TUTORIAL_TAG.items())


def deletable(names: Sequence[str], items: list[KeyPairInfoTypeDef], safety: bool) -> list[str]:
    """The names a delete would remove: with safety on, only key pairs this tutorial created."""
    tutorial = {item["KeyName"] for item in items if is_tutorial_key(item)}
    return [n for n in names if n in tutorial or not safety]


def delete_question(names: Sequence[str], items: list[KeyPairInfoTypeDef], safety: bool) -> str:
    """The confirmation a person answers before a delete: what goes, and what the safety keeps."""
    tutorial = {item["KeyName"] for item in items if is_tutorial_key(item)}
    going = deletable(names, items, safety)
    kept = [n for n in names if n not in going]
    text = (f"Delete {_names(going)}? This cannot be undone." if going
            else "Nothing will be deleted.")
    if kept:
        text += f" The safety keeps {_names(kept)}: not created by this tutorial."
    others = [n for n in going if n not in tutorial]
    if others:
        text += f" The safety is off: {_names(others)} was not created by this tutorial."
    return text


def delete_key_pairs(ec2: EC2Client, names: Sequence[str], *, safety: bool = True) -> Deletion:
    """Delete key pairs by name; with safety on, only those carrying TUTORIAL_TAG."""
    names, safety = arguments.key_names(names), arguments.flag(safety, "safety")
    existing = {item["KeyName"]: item for item in describe_key_pairs(ec2)["KeyPairs"]}
    outcome = Deletion()
    for name in names:
        if name not in existing:
            outcome.missing.append(name)
        elif safety and not is_tutorial_key(existing[name]):
            outcome.refused.append(name)
        elif outcome.error is None:
            try:
                delete_key_pair(ec2, name=name)  # by name: works on AWS and on every sandbox
                outcome.deleted.append(name)
                if name in _made_here:
                    _made_here.remove(name)
                _deal_with_key_files(name, outcome)
            except Exception as error:  # stop at the first failure and say what was done
                outcome.error = f"Stopped at {name!r}: {message_of(error)}"
    return outcome


def _deal_with_key_files(name: str, outcome: Deletion) -> None:
    """Remove a deleted key pair's sandbox key files; keep (and name) any other key file."""
    for path in key_files(name):
        if is_sandbox_key_file(path):
            path.unlink(missing_ok=True)
            outcome.files_removed.append(path)
        else:
            outcome.files_kept.append(path)
