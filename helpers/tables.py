"""Responses as pandas tables whose columns are the API's own field names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers import arguments
from helpers.errors import KeyPairError
from helpers.rules import shown

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import TagTypeDef

COLUMNS = ["KeyName", "KeyPairId", "KeyType", "KeyFingerprint", "CreateTime", "Tags"]
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"  # the one way a time reads, in tables and in the forms
# Inline styles, with values that JupyterLab keeps in an untrusted notebook's stored outputs.
# Names, ids and types never break; a fingerprint or a public key may break anywhere, a time
# between date and time, tags between tags and after '=', only where room runs out: the standard
# columns fit a notebook 1024 px wide with JupyterLab's file browser open.
CELL_STYLE = "text-align: left; vertical-align: top; padding: 3px 5px"
COLUMN_STYLES = {
    "KeyName": "white-space: nowrap",
    "KeyPairId": "white-space: nowrap",
    "KeyType": "white-space: nowrap",
    "KeyFingerprint": "font-family: monospace; word-break: break-all; min-width: 80px",
    "PublicKey": "font-family: monospace; word-break: break-all; min-width: 160px",
}


def cell_text(value: Any) -> str:
    """A value as a table shows it: times in TIME_FORMAT, nothing at all for a missing value."""
    if isinstance(value, pd.Timestamp):  # NaT is not one: it is missing, below
        return value.strftime(TIME_FORMAT)
    if pd.api.types.is_scalar(value) and pd.isna(value):  # None, NaN, NaT, pd.NA
        return ""
    return str(value)


def _cell(column: Any, value: Any) -> str:
    style = "; ".join(filter(None, [CELL_STYLE, COLUMN_STYLES.get(str(column)),
                                    "border-bottom: 1px solid #e0e0e0"]))
    text = escape(cell_text(value))
    if isinstance(value, pd.Timestamp) and text:  # date and time each kept whole
        text = " ".join(f'<span style="white-space: nowrap">{part}</span>'
                        for part in text.split(" ", 1))
    elif column == "Tags":  # may wrap after a tag's '=' too, not only between tags
        text = text.replace("=", "=<wbr>")
    return f'<td class="kp-col-{escape(str(column))}" style="{style}">{text}</td>'


def _camel_breaks(name: str) -> str:
    """A column name that may wrap where its words join (Key|Fingerprint), never inside one."""
    return "<wbr>".join(escape(word) for word in re.findall(r"[A-Z]?[^A-Z]*", name) if word)


def table_html(table: pd.DataFrame) -> str:
    """A DataFrame as a left-aligned HTML table whose cells carry their column's name as a class
    (kp-col-KeyName); long tables are cut as pandas cuts them. The index shows only when it
    says something (not 0 to n-1), to leave room for the fields."""
    if not table.index.equals(pd.RangeIndex(len(table))):
        table = table.reset_index()
    rows = table
    cut = len(table) > pd.get_option("display.max_rows")
    if cut:
        half = max(pd.get_option("display.min_rows") // 2, 1)
        rows = pd.concat([table.head(half), table.tail(half)])
    head = "".join(f'<th class="kp-col-{escape(str(c))}" style="{CELL_STYLE}; border-bottom: '
                   f'2px solid #90a4ae">{_camel_breaks(str(c))}</th>' for c in table.columns)
    body = []
    for number, (_, row) in enumerate(rows.iterrows()):
        if cut and number == half:
            body.append(f'<tr><td colspan="{len(table.columns)}">…</td></tr>')
        body.append("<tr>" + "".join(_cell(c, v) for c, v in row.items()) + "</tr>")
    size = f"<p>{len(table)} rows × {len(table.columns)} columns</p>" * cut
    return (f'<table class="kp-table" style="border-collapse: collapse; font-size: 12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{size}")


class KeyPairsTable(pd.DataFrame):
    """A plain DataFrame that a room can read: left-aligned, names and ids unbroken, one time
    format, blank where a response has no value (a create response has no CreateTime)."""

    @property
    def _constructor(self) -> type[KeyPairsTable]:
        return KeyPairsTable

    def __repr__(self) -> str:
        if self.empty and "when_empty" in self.attrs:  # a sentence says more than a bare header
            return str(self.attrs["when_empty"])
        with pd.option_context("display.max_colwidth", 64):  # a SHA-1 fingerprint has 59
            return repr(pd.DataFrame(self).map(cell_text))

    def _repr_html_(self) -> str:
        if self.empty and "when_empty" in self.attrs:
            return f"<p>{escape(self.attrs['when_empty'])}</p>"
        if isinstance(self.columns, pd.MultiIndex) or isinstance(self.index, pd.MultiIndex):
            # Reshaped by the learner: pandas draws it best (pandas-stubs leaves _repr_html_ out).
            return super()._repr_html_()  # type: ignore[misc,no-any-return]
        return table_html(self)


def tags_text(tags: list[TagTypeDef] | None) -> str:
    """Tags as 'Key=Value, Key=Value', the way a person reads them."""
    return ", ".join(f"{t['Key']}={t['Value']}" for t in tags or [])


def key_pairs_table(response: Mapping[str, Any]) -> KeyPairsTable:
    """One row per key pair of a describe, create or import response; never the private key."""
    response = arguments.response(response, "key_pairs_table", "describe_key_pairs(ec2)")
    items = response.get("KeyPairs", [response] if "KeyName" in response else [])
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise KeyPairError(f"This response's KeyPairs is {shown(items)}, not a list "
                           "of key pairs: pass a response of describe_key_pairs whole.")
    columns = COLUMNS + (["PublicKey"] if any("PublicKey" in item for item in items) else [])
    rows = [{**{c: item.get(c) for c in columns}, "Tags": tags_text(item.get("Tags"))}
            for item in items]
    table = KeyPairsTable(rows, columns=columns)
    table["CreateTime"] = pd.to_datetime(table["CreateTime"], utc=True)
    return table
