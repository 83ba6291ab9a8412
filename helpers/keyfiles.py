"""Private key files and redaction: key material is saved once, privately, and never shown."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

from helpers.errors import KeyPairError
from helpers.rules import PPK_HEADER

DEFAULT_KEY_DIR = Path("keys")
MAX_STEM = 200  # a file name holds 255 bytes; the temporary file adds a dot, a pid and .tmp


def key_file_name(key_name: str, ppk: bool = False) -> str:
    """A safe file name for a key: the key name with unsafe characters replaced, and .pem/.ppk.

    A name that would not fit a file name (255 bytes, with room for the temporary file's
    affixes), or that is only dots, is cut and ends with a short hash of the whole name.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", key_name).lstrip(".")
    if not stem or len(stem) > MAX_STEM:
        stem = f"{stem[:MAX_STEM - 9] or 'key'}-{hashlib.sha256(key_name.encode()).hexdigest()[:8]}"
    return stem + (".ppk" if ppk else ".pem")


def shown_path(path: Path) -> Path:
    """The path relative to the working folder when it lies inside it, else absolute."""
    path = path.absolute()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def _private_directory(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        raise KeyPairError(f"The folder {directory} can be read by others (mode {mode:o}): "
                           f"run chmod 700 {directory}, or choose a private folder.")
    return directory


def save_private_key(
    response: dict[str, Any], directory: str | Path = DEFAULT_KEY_DIR, *, overwrite: bool = False
) -> Path:
    """Write the private key of a create response to DIR/NAME.pem (or .ppk), mode 0600.

    The file appears whole or not at all, and an existing file is kept unless overwrite=True.
    """
    material = response.get("KeyMaterial")
    if not material:
        raise KeyPairError("This response holds no private key: only create_key_pair returns "
                           "one, once; for an imported key you already have it.")
    folder = _private_directory(shown_path(Path(directory).expanduser()))
    path = folder / key_file_name(response["KeyName"], material.startswith(PPK_HEADER))
    if path.exists() and not overwrite:
        raise KeyPairError(f"{path} already exists and was kept: pass overwrite=True to "
                           "replace it, or choose another folder.")
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(material)
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if the file appeared meanwhile: never overwrite
    except FileExistsError:
        raise KeyPairError(f"{path} already exists and was kept: pass overwrite=True to "
                           "replace it.") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def redacted(response: dict[str, Any]) -> dict[str, Any]:
    """A copy of a response that is safe to print: no private key, no request metadata."""
    shown = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if "KeyMaterial" in shown:
        shown["KeyMaterial"] = "<private key: redacted, save it with save_private_key()>"
    return shown
