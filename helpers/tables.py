"""Responses as pandas tables whose columns are the API's own field names."""

from __future__ import annotations

from typing import Any

import pandas as pd

# Show fingerprints whole (a created RSA one has 59 characters; pandas cuts at 50).
pd.set_option("display.max_colwidth", 64)

COLUMNS = ["KeyName", "KeyPairId", "KeyType", "KeyFingerprint", "CreateTime", "Tags"]


def tags_text(tags: list[dict[str, str]] | None) -> str:
    """Tags as 'Key=Value, Key=Value', the way a person reads them."""
    return ", ".join(f"{t['Key']}={t['Value']}" for t in tags or [])


def key_pairs_table(response: dict[str, Any]) -> pd.DataFrame:
    """One row per key pair of a describe, create or import response; never the private key."""
    items = response.get("KeyPairs", [response] if "KeyName" in response else [])
    columns = COLUMNS + (["PublicKey"] if any("PublicKey" in item for item in items) else [])
    rows = [{**{c: item.get(c) for c in columns}, "Tags": tags_text(item.get("Tags"))}
            for item in items]
    table = pd.DataFrame(rows, columns=columns)
    table["CreateTime"] = pd.to_datetime(table["CreateTime"], utc=True)
    return table
