"""Arguments as people pass them: each public helper checks its arguments here before any call.

Shapes a boto3 user naturally writes are accepted where their meaning is plain (one name for a
list of names, boto3's tag and filter lists beside the dicts); anything else raises KeyPairError
with one sentence saying what was given and what to pass, before anything is sent or written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from os import PathLike
from typing import TYPE_CHECKING, Any

from helpers.errors import KeyPairError
from helpers.rules import (
    CONTROL_CHARACTERS,
    key_name_problem,
    shown,
    tag_problem,
    tags_count_problem,
)

if TYPE_CHECKING:
    import pandas as pd

KEY_PAIR_ID = re.compile(r"key-[0-9a-f]{8,17}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


def refuse(*problems: str | None) -> None:
    """Raise KeyPairError with the first problem given, if any: nothing is sent or written."""
    problem = next(filter(None, problems), None)
    if problem:
        raise KeyPairError(problem)


def flag(value: Any, name: str) -> bool:
    """A True/False argument, e.g. dry_run."""
    if not isinstance(value, bool):
        raise KeyPairError(f"{name}={shown(value)} is not True or False: pass {name}=True, "
                           f"or leave it out for {name}=False.")
    return value


def text_list(value: Any, name: str, example: str) -> list[str]:
    """A list of str (one str counts as a list of one); None gives an empty list."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)) or not all(
            isinstance(item, str) for item in items):
        raise KeyPairError(f"{name}={shown(value)}: give a list of str, e.g. "
                           f"{name}=[{example!r}].")
    return list(items)


def key_names(value: Any, name: str = "names") -> list[str]:
    """Key names to look up: a list of valid names (or one name)."""
    names = text_list(value, name, "my-laptop")
    refuse(*map(key_name_problem, names))
    return names


def key_pair_id_problem(value: Any) -> str | None:
    """Say what is wrong with a key pair id, or None when it looks like key-0123456789abcdef0."""
    if isinstance(value, str) and KEY_PAIR_ID.fullmatch(value):
        return None
    return (f"The key pair id {shown(value)} is not of the form 'key-0123456789abcdef0': copy "
            "it from describe_key_pairs(), or use the key name.")


def key_pair_ids(value: Any) -> list[str]:
    """Key pair ids to look up: a list of ids (or one id)."""
    ids = text_list(value, "ids", "key-0123456789abcdef0")
    refuse(*map(key_pair_id_problem, ids))
    return ids


def tags(value: Any) -> dict[str, str]:
    """Tags as {'Key': 'value'}, from that dict or from boto3's [{'Key': ..., 'Value': ...}]."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        result = dict(value)
    elif isinstance(value, (list, tuple)) and all(
            isinstance(t, Mapping) and set(t) == {"Key", "Value"} for t in value):
        result = {t["Key"]: t["Value"] for t in value}
        if len(result) < len(value):
            raise KeyPairError("The same tag key appears twice: give each key once.")
    else:
        raise KeyPairError(f"tags={shown(value)}: give a dict such as {{'Project': 'demo'}}, "
                           "or boto3's [{'Key': 'Project', 'Value': 'demo'}].")
    refuse(*(tag_problem(k, v) for k, v in result.items()), tags_count_problem(len(result)))
    return result


def filters(value: Any) -> list[dict[str, Any]]:
    """boto3's Filters, from {'key-name': 'a*'} (a value or a list of values) or boto3's own
    [{'Name': 'key-name', 'Values': ['a*']}]."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, (list, tuple)) and all(
            isinstance(f, Mapping) and set(f) == {"Name", "Values"} for f in value):
        pairs = [(f["Name"], f["Values"]) for f in value]
    else:
        raise KeyPairError(f"filters={shown(value)}: give a dict such as "
                           "{'tag:Project': 'demo'}, or boto3's "
                           "[{'Name': 'tag:Project', 'Values': ['demo']}].")
    result = []
    for name, values in pairs:
        if not isinstance(name, str) or not name or CONTROL_CHARACTERS.search(name):
            raise KeyPairError(f"The filter name {shown(name)} is not a filter: use one such "
                               "as 'key-name', 'fingerprint' or 'tag:Project'.")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            raise KeyPairError(f"The filter {name!r} has the value {shown(values)}: give a str "
                               f"or a list of str, e.g. {{{name!r}: ['a*', 'b*']}}.")
        result.append({"Name": name, "Values": list(values)})
    return result


def response(value: Any, function: str, example: str) -> Mapping[str, Any]:
    """A response that boto3 (or a helper) returned: a dict."""
    if not isinstance(value, Mapping):
        raise KeyPairError(f"{function}() takes the response of a key pair call (a dict), not "
                           f"{shown(value)}: e.g. {function}({example}).")
    return value


def table(value: Any, name: str, made_by: str, columns: list[str]) -> pd.DataFrame:
    """A table an earlier step returned (made_by), with the columns the next step reads."""
    import pandas as pd  # not at import: the kernel's sandbox start needs these checks, not pandas

    if not isinstance(value, pd.DataFrame):
        raise KeyPairError(f"{name}={shown(value)} is not a table: pass {name}={made_by}.")
    missing = [column for column in columns if column not in value.columns]
    if missing:
        raise KeyPairError(f"{name} is missing the columns {', '.join(missing)}: pass the "
                           f"table that {made_by} returns.")
    return value


def regions(value: Any) -> list[str]:
    """A list of Region names such as ['eu-west-1'] (one str counts as a list of one)."""
    names = text_list(value, "regions", "eu-west-1")
    for name in names:
        region(name)  # raises for one that is not a Region
    return names


def folder(value: Any) -> str | PathLike[str] | None:
    """A folder given as str or Path (None for the default)."""
    if value is not None and not isinstance(value, (str, PathLike)):
        raise KeyPairError(f"The folder {shown(value)} is not a path: give it as a str or a "
                           "Path, e.g. 'keys'.")
    if isinstance(value, str) and not value.strip():
        raise KeyPairError("The folder is empty: give a folder for the key, e.g. 'keys'.")
    return value


def region(value: Any, known: list[str] | None = None) -> str | None:
    """A Region name such as 'eu-west-1' (None for the configured one); one of known if given."""
    if value is None:
        return None
    if not isinstance(value, str) or not REGION.fullmatch(value) or (
            known is not None and value not in known):
        raise KeyPairError(f"{shown(value)} is not a Region: give one such as 'us-east-1' or "
                           "'eu-west-1' (list them with aws ec2 describe-regions).")
    return value
