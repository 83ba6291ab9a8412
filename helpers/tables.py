"""Responses as pandas tables whose columns are the API's own field names."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers import arguments

COLUMNS = ["KeyName", "KeyPairId", "KeyType", "KeyFingerprint", "CreateTime", "Tags"]
# Show fingerprints whole (a created RSA one has 59 characters; pandas cuts at 50), in these
# tables only: the learner's own DataFrames keep their pandas options.
DISPLAY_OPTIONS = ("display.max_colwidth", 64)


class KeyPairsTable(pd.DataFrame):
    """A plain DataFrame that shows its fingerprints whole."""

    @property
    def _constructor(self) -> type[KeyPairsTable]:
        return KeyPairsTable

    def __repr__(self) -> str:
        with pd.option_context(*DISPLAY_OPTIONS):
            return super().__repr__()

    def _repr_html_(self) -> str | None:
        with pd.option_context(*DISPLAY_OPTIONS):
            return super()._repr_html_()


def tags_text(tags: list[dict[str, str]] | None) -> str:
    """Tags as 'Key=Value, Key=Value', the way a person reads them."""
    return ", ".join(f"{t['Key']}={t['Value']}" for t in tags or [])


def key_pairs_table(response: dict[str, Any]) -> KeyPairsTable:
    """One row per key pair of a describe, create or import response; never the private key."""
    response = arguments.response(response, "key_pairs_table", "describe_key_pairs(ec2)")
    items = response.get("KeyPairs", [response] if "KeyName" in response else [])
    columns = COLUMNS + (["PublicKey"] if any("PublicKey" in item for item in items) else [])
    rows = [{**{c: item.get(c) for c in columns}, "Tags": tags_text(item.get("Tags"))}
            for item in items]
    table = KeyPairsTable(rows, columns=columns)
    table["CreateTime"] = pd.to_datetime(table["CreateTime"], utc=True)
    return table
