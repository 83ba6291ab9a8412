"""Responses as tables with the API's own column names."""

from __future__ import annotations

import re

import pandas as pd

from helpers import create_key_pair, describe_key_pairs, key_pairs_table
from helpers.tables import COLUMNS, cell_text


def test_describe_becomes_one_row_per_key_with_api_columns(ec2):
    create_key_pair(ec2, "a", key_type="ed25519", tags={"Team": "web", "Env": "dev"})
    create_key_pair(ec2, "b", key_type="ed25519")
    table = key_pairs_table(describe_key_pairs(ec2))
    assert list(table.columns) == COLUMNS
    assert list(table.columns) == ["KeyName", "KeyPairId", "KeyType", "KeyFingerprint",
                                   "CreateTime", "Tags"]
    assert sorted(table["KeyName"]) == ["a", "b"]
    assert table.set_index("KeyName").loc["a", "Tags"] == "Team=web, Env=dev"
    assert table.set_index("KeyName").loc["b", "Tags"] == ""


def test_create_time_is_timezone_aware(ec2):
    create_key_pair(ec2, "a", key_type="ed25519")
    created = key_pairs_table(describe_key_pairs(ec2))["CreateTime"]
    assert str(created.dt.tz) == "UTC"


def test_public_key_column_appears_only_when_asked(ec2):
    create_key_pair(ec2, "a", key_type="ed25519")
    assert "PublicKey" in key_pairs_table(describe_key_pairs(ec2, include_public_key=True))
    assert "PublicKey" not in key_pairs_table(describe_key_pairs(ec2))


def test_empty_response_gives_empty_table_with_same_columns(ec2):
    table = key_pairs_table(describe_key_pairs(ec2))
    assert table.empty and list(table.columns) == COLUMNS


def test_a_create_response_is_one_row_without_its_private_key(ec2):
    response = create_key_pair(ec2, "made", key_type="ed25519")
    table = key_pairs_table(response)
    assert table["KeyName"].tolist() == ["made"]
    assert table["KeyPairId"].tolist() == [response["KeyPairId"]]
    assert "KeyMaterial" not in table.columns


def test_a_response_without_key_pairs_is_an_empty_table():
    table = key_pairs_table({"Return": True, "KeyPairId": "key-0123456789abcdef0"})
    assert table.empty and list(table.columns) == COLUMNS


def test_a_table_reads_the_same_in_a_notebook_and_in_the_forms(ec2):
    """Left-aligned, one time format, names and ids kept whole, blanks where a response has
    nothing (a create response has no CreateTime or KeyType)."""
    created = create_key_pair(ec2, "web-server-1", key_type="ed25519", tags={"Team": "web"})
    html = key_pairs_table(created)._repr_html_()
    cells = dict(re.findall(r'<td class="kp-col-(\w+)"[^>]*>([^<]*)</td>', html))
    assert cells["KeyName"] == "web-server-1" and cells["CreateTime"] == cells["KeyType"] == ""
    assert "None" not in html and "NaT" not in html and "nan" not in html
    styles = dict(re.findall(r'<td class="kp-col-(\w+)" style="([^"]*)"', html))
    assert all("text-align: left" in style for style in styles.values())
    assert "white-space: nowrap" in styles["KeyName"] and "nowrap" in styles["KeyPairId"]
    assert "word-break: break-all" in styles["KeyFingerprint"]

    described = key_pairs_table(describe_key_pairs(ec2))
    when = described.loc[0, "CreateTime"]
    (shown,) = re.findall(r'<td class="kp-col-CreateTime"[^>]*>(.*?)</td>',
                          described._repr_html_())
    assert re.sub(r"<[^>]+>", "", shown) == when.strftime("%Y-%m-%d %H:%M UTC") == cell_text(when)
    assert shown.count('<span style="white-space: nowrap">') == 2  # breaks only at the space
    assert when.strftime("%Y-%m-%d %H:%M UTC") in repr(described)
    assert "NaT" not in repr(key_pairs_table(created))


def test_a_table_stays_a_dataframe_for_pandas_work(ec2):
    create_key_pair(ec2, "a", key_type="ed25519")
    table = key_pairs_table(describe_key_pairs(ec2))
    assert isinstance(table, pd.DataFrame)
    assert str(table["CreateTime"].dtype) == "datetime64[ns, UTC]"
    assert table[table["KeyType"] == "ed25519"]["KeyName"].tolist() == ["a"]


def test_a_long_table_is_cut_as_pandas_cuts_it():
    items = [{"KeyName": f"key-{n:04}", "KeyPairId": f"key-{n:017x}"} for n in range(5000)]
    html = key_pairs_table({"KeyPairs": items})._repr_html_()
    assert html.count("<tr>") == 1 + pd.get_option("display.min_rows") + 1  # head, rows, …
    assert ">0<" not in html, "the index 0 to n-1 says nothing: it is left out"
    assert "key-0000" in html and "key-4999" in html and "key-2500" not in html
    assert "5000 rows × 6 columns" in html


def test_an_index_the_learner_set_is_shown(ec2):
    create_key_pair(ec2, "a", key_type="ed25519")
    html = key_pairs_table(describe_key_pairs(ec2)).set_index("KeyName")._repr_html_()
    assert re.search(r'<td class="kp-col-KeyName"[^>]*>a</td>', html)
