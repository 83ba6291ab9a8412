"""Private key files and redaction: key material is saved once, privately, and never shown."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any

from helpers import arguments, sandbox
from helpers.errors import KeyPairError, explain
from helpers.facts import KEY_DIR, SANDBOX_KEY_DIR
from helpers.rules import PPK_HEADER

# The key files this process saved, each with the sandbox's generation then: never replaced
# without overwrite, unless the sandbox was reset since.
_saved_here: dict[Path, int] = {}
MAX_STEM = 200  # a file name holds 255 bytes; the temporary file adds a dot, a pid and .tmp


def key_file_name(key_name: str, ppk: bool = False) -> str:
    """A safe file name for a key: the key name itself, and .pem/.ppk.

    A name that needs changing to be a file name (unsafe characters replaced, leading dots
    dropped, cut to 255 bytes with room for the temporary file's affixes) ends with a short hash
    of the whole name, so that two key pairs never share a file ('web/prod' and 'web prod').
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", key_name).lstrip(".")
    if stem != key_name or len(stem) > MAX_STEM:
        stem = f"{stem[:MAX_STEM - 9] or 'key'}-{hashlib.sha256(key_name.encode()).hexdigest()[:8]}"
    return stem + (".ppk" if ppk else ".pem")


def default_key_dir() -> Path:
    """keys/sandbox while this process is on the sandbox, else keys/ (relative to the notebook)."""
    return SANDBOX_KEY_DIR if sandbox.is_running() else KEY_DIR


def is_sandbox_key_file(path: Path) -> bool:
    """Whether a key file belongs to the sandbox (in keys/sandbox, the sandbox running): such a
    file may be replaced or removed, since no sandbox key opens anything real."""
    return sandbox.is_running() and path.absolute().parent == SANDBOX_KEY_DIR.absolute()


def may_clean_up(path: Path, started: datetime) -> bool:
    """Whether a notebook's clean-up, for a run that began at started, may delete this key file:
    a sandbox key (it opens nothing), or a file written since then (an older one may be yours)."""
    return path.exists() and (is_sandbox_key_file(path)
                              or path.stat().st_mtime >= started.timestamp())


def is_sandbox_leftover(path: Path) -> bool:
    """Whether a sandbox key file was left by another sandbox (an earlier kernel, a rehearsal,
    this one before a reset), not saved by this one: a create may replace it."""
    return (path.exists() and is_sandbox_key_file(path)
            and _saved_here.get(path.absolute()) != sandbox.generation)


def key_files(key_name: str) -> list[Path]:
    """The key files save_private_key would have written for this key name, that exist now."""
    folder = default_key_dir()
    return [shown_path(folder / key_file_name(key_name, ppk)) for ppk in (False, True)
            if (folder / key_file_name(key_name, ppk)).exists()]


def shown_path(path: Path) -> Path:
    """The path relative to the working folder when it lies inside it, else absolute."""
    path = path.absolute()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def folder_problem(directory: Path) -> str | None:
    """Why a private key cannot be saved into directory (made if missing), or None: checked
    before a key pair is created, so that none is created in vain."""
    existing = next((folder for folder in [directory, *directory.parents] if folder.exists()),
                    None)
    if existing is not None and not existing.is_dir():
        return f"{existing} is a file, not a folder: choose a folder for the key."
    mode = stat.S_IMODE(directory.stat().st_mode) if existing == directory else 0o700
    if mode & 0o077:
        return (f"The folder {directory} can be read by others (mode {mode:o}): run chmod 700 "
                f"{directory}, or choose a private folder.")
    return None


def _private_directory(directory: Path) -> Path:
    if problem := folder_problem(directory):
        raise KeyPairError(problem)
    for folder in reversed([directory, *directory.parents]):  # keys/ too, not only keys/sandbox
        if not folder.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
    return directory


def save_private_key(
    response: Mapping[str, Any], directory: str | PathLike[str] | None = None, *,
    overwrite: bool = False,
) -> Path:
    """Write the private key of a create response to DIR/NAME.pem (or .ppk), mode 0600; DIR is
    keys/sandbox on the sandbox, else keys.

    The file appears whole or not at all. An existing file is kept unless overwrite=True, or it
    is a sandbox key file another sandbox left, which is replaced, and says so.
    """
    response = arguments.response(response, "save_private_key",
                                  "create_key_pair(ec2, 'my-laptop')")
    directory, overwrite = arguments.folder(directory), arguments.flag(overwrite, "overwrite")
    material = response.get("KeyMaterial")
    if not material or not isinstance(material, str):
        raise KeyPairError("This response holds no private key: only create_key_pair returns "
                           "one, once; for an imported key you already have it.")
    if not isinstance(response.get("KeyName"), str):
        raise KeyPairError("This response has no KeyName: pass the response of create_key_pair "
                           "whole.")
    try:
        folder = _private_directory(shown_path(
            Path(directory).expanduser() if directory is not None else default_key_dir()))
    except OSError as error:  # e.g. a read-only parent folder
        raise explain(error) from error
    path = folder / key_file_name(response["KeyName"], material.startswith(PPK_HEADER))
    replace = overwrite or is_sandbox_leftover(path)
    if path.exists() and not replace:
        raise KeyPairError(f"{path} already exists and was kept, so the private key of "
                           f"{response['KeyName']!r} is not saved: save the response again to "
                           "another folder or with overwrite=True, or, without the response, "
                           "move the file away, then delete the key pair and create it again "
                           "(a notebook's clean-up cell deletes the files it saved).")
    if path.exists() and not overwrite:
        print(f"Replacing {path}, which another sandbox left (sandbox keys open nothing).")
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(material)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if the file appeared meanwhile: never overwrite
    except FileExistsError:
        raise KeyPairError(f"{path} already exists and was kept: pass overwrite=True to "
                           "replace it.") from None
    except OSError as error:  # a full disk, a read-only folder: no file, not even a part of one
        raise explain(error) from error
    finally:
        temporary.unlink(missing_ok=True)
    _saved_here[path.absolute()] = sandbox.generation
    return path


def redacted(response: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a response that is safe to print: no private key, no request metadata."""
    response = arguments.response(response, "redacted", "create_key_pair(ec2, 'my-laptop')")
    shown = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if "KeyMaterial" in shown:
        shown["KeyMaterial"] = "<private key: redacted, save it with save_private_key()>"
    return shown
