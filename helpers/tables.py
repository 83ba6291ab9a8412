"""Responses as pandas tables whose columns are the API's own field names."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from helpers import arguments

COLUMNS = ["KeyName", "KeyPairId", "KeyType", "KeyFingerprint", "CreateTime", "Tags"]
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"  # the one way a time reads, in tables and in the forms
# Names, ids and times never break; a fingerprint or a public key may, anywhere, so that the
# standard columns fit 1024 px with JupyterLab's file browser open.
COLUMN_STYLES = {
    "KeyName": "white-space: nowrap",
    "KeyPairId": "white-space: nowrap; font-family: monospace",
    "KeyType": "white-space: nowrap",
    "KeyFingerprint": "font-family: monospace; min-width: 16ch; max-width: 26ch; "
                      "overflow-wrap: anywhere",
    "CreateTime": "white-space: nowrap",
    "PublicKey": "font-family: monospace; max-width: 30ch; overflow-wrap: anywhere",
}
TABLE_STYLE = "<style>" + """
.kp-table { border-collapse: collapse; margin-top: 4px; line-height: 1.4; }
.kp-table th, .kp-table td { text-align: left; padding: 4px 8px; vertical-align: top; }
.kp-table thead th { border-bottom: 2px solid #90a4ae; }
.kp-table td, .kp-table tbody th { border-bottom: 1px solid #e0e0e0; }
""" + "".join(f".kp-table .kp-col-{c} {{ {s}; }}\n" for c, s in COLUMN_STYLES.items()) + "</style>"


def cell_text(value: Any) -> str:
    """A value as a table shows it: times in TIME_FORMAT, nothing at all for a missing value."""
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime(TIME_FORMAT)
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return str(value)


def table_html(table: pd.DataFrame, *, index: bool = True) -> str:
    """A DataFrame as a left-aligned HTML table whose cells carry their column's name as a class
    (kp-col-KeyName), long tables cut as pandas cuts them."""
    rows = table
    cut = len(table) > pd.get_option("display.max_rows")
    if cut:
        half = max(pd.get_option("display.min_rows") // 2, 1)
        rows = pd.concat([table.head(half), table.tail(half)])
    head = "".join(f'<th class="kp-col-{escape(str(c))}">{escape(str(c))}</th>'
                   for c in table.columns)
    body = []
    for number, (label, row) in enumerate(rows.iterrows()):
        if cut and number == len(rows) // 2:
            body.append(f'<tr><td colspan="{len(table.columns) + index}">…</td></tr>')
        cells = "".join(f'<td class="kp-col-{escape(str(c))}">{escape(cell_text(v))}</td>'
                        for c, v in row.items())
        body.append(f"<tr>{f'<th>{escape(str(label))}</th>' * index}{cells}</tr>")
    size = f"<p>{len(table)} rows × {len(table.columns)} columns</p>" * cut
    return (f'{TABLE_STYLE}<table class="kp-table"><thead><tr>{"<th></th>" * index}{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>{size}")


class KeyPairsTable(pd.DataFrame):
    """A plain DataFrame that a room can read: left-aligned, names and ids unbroken, one time
    format, blank where a response has no value (a create response has no CreateTime)."""

    @property
    def _constructor(self) -> type[KeyPairsTable]:
        return KeyPairsTable

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", 64):  # a SHA-1 fingerprint has 59
            return repr(pd.DataFrame(self).map(cell_text))

    def _repr_html_(self) -> str:
        if isinstance(self.columns, pd.MultiIndex) or isinstance(self.index, pd.MultiIndex):
            return super()._repr_html_()  # reshaped by the learner: pandas draws it best
        return table_html(self)


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
