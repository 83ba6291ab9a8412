"""Notebook 06's first exercise: the key pairs without an owner, read from the inventory."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.exercises.common import Verdict, compare, names_in, recorded


@recorded("06.1")
def ownerless(keys: Any, answer: Any, owner_tag: str = "Owner") -> Verdict:
    """06, exercise 1: the names of the key pairs that have no owner tag, from the inventory."""
    names = names_in(answer, "ownerless")
    if isinstance(names, Verdict):
        return names
    if not isinstance(keys, pd.DataFrame) or not {"KeyName", "Tags"} <= set(keys.columns):
        return Verdict(False, "Give the check the inventory first: "
                              "exercises.ownerless(keys, ownerless), keys from audit.inventory.")
    listed = keys.dropna(subset=["KeyName"])
    truth = {name for name, tags in zip(listed["KeyName"], listed["Tags"].fillna(""), strict=True)
             if not any(tag.startswith(f"{owner_tag}=") for tag in tags.split(", "))}
    return compare(names, truth, "ownerless", f"without an {owner_tag} tag",
                    f"keep the rows whose Tags hold no '{owner_tag}=' (or use findings' "
                    "NoOwner column)")
