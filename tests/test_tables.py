"""Responses as tables with the API's own column names."""

from __future__ import annotations

from helpers import create_key_pair, describe_key_pairs, key_pairs_table
from helpers.tables import COLUMNS


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
