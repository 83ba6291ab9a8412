"""Responses as tables with the API's own column names."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pandas as pd
import pytest

from helpers import create_key_pair, describe_key_pairs, key_pairs_table
from helpers.tables import COLUMNS, TIME_FORMAT, cell_text

# The CSS properties the tables use: a declaration a browser would drop (a typo, stray text) fails.
CSS_PROPERTIES = {"text-align", "vertical-align", "padding", "white-space", "font-family",
                  "word-break", "min-width", "border-bottom"}


class Grid(HTMLParser):
    """A rendered table as a browser reads it: its rows of cells, each cell's text (with a
    `|` where a <wbr> lets it wrap), its style declarations, and any text outside a cell."""

    def __init__(self, html: str):
        super().__init__()
        self.rows, self.stray, self._cell = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            style = dict(attrs).get("style") or ""
            declarations = dict(part.split(":", 1) for part in style.split(";") if part)
            self._cell = {"text": "", "style": {k.strip(): v.strip()
                                                for k, v in declarations.items()}}
            self.rows[-1].append(self._cell)
        elif tag == "wbr" and self._cell is not None:
            self._cell["text"] += "|"

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        elif data.strip() and not re.fullmatch(r"\d+ rows × \d+ columns", data):
            self.stray.append(data)

    def texts(self):
        return [[cell["text"] for cell in row] for row in self.rows]


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


def test_a_table_is_a_grid_with_one_cell_per_column_and_headers_that_wrap_between_words(ec2):
    create_key_pair(ec2, "a", key_type="ed25519", tags={"Team": "web"})
    create_key_pair(ec2, "b", key_type="rsa")
    table = key_pairs_table(describe_key_pairs(ec2, include_public_key=True))
    grid = Grid(table._repr_html_())
    assert grid.stray == [], "text between cells shows up beside the table"
    header, *rows = grid.texts()
    assert header == ["Key|Name", "Key|Pair|Id", "Key|Type", "Key|Fingerprint", "Create|Time",
                      "Tags", "Public|Key"]
    assert [row[0] for row in rows] == table["KeyName"].tolist()
    assert all(len(row) == len(header) for row in rows)
    assert rows[0][5] == "Team=|web", "a tag may wrap after its '='"


def test_every_cell_style_is_css_a_browser_applies(ec2):
    create_key_pair(ec2, "a", key_type="ed25519", tags={"Team": "web"})
    grid = Grid(key_pairs_table(describe_key_pairs(ec2, include_public_key=True))._repr_html_())
    header, *rows = grid.rows
    for cell in header + rows[0]:
        assert set(cell["style"]) <= CSS_PROPERTIES, cell["style"]
        assert cell["style"]["text-align"] == "left"
    assert {cell["style"]["border-bottom"] for cell in rows[0]} == {"1px solid #e0e0e0"}
    assert header[0]["style"]["border-bottom"] == "2px solid #90a4ae", "the header stands out"


@pytest.mark.parametrize("hour", [0, 9, 12, 15, 23])
def test_a_table_shows_a_key_pairs_time_in_24_hours_utc_whatever_the_hour_now(hour):
    """A fixed CreateTime, not the time the test runs at: an afternoon shows as 15:04, in the
    table's text and in its HTML, whenever the suite runs."""
    created = datetime(2026, 11, 29, hour, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    table = key_pairs_table({"KeyPairs": [{"KeyName": "a", "CreateTime": created}]})
    utc = created.astimezone(timezone.utc)  # 5 hours later: 14:04 for 9, 20:04 for 15...
    shown = f"{utc.date()} {utc.hour:02d}:04 UTC"
    assert shown in repr(table)
    html = re.sub(r"<[^>]+>", "", re.findall(r'<td class="kp-col-CreateTime"[^>]*>(.*?)</td>',
                                             table._repr_html_())[0])
    assert html == shown


def test_a_time_may_wrap_only_between_its_date_and_its_time(ec2):
    create_key_pair(ec2, "a", key_type="ed25519")
    table = key_pairs_table(describe_key_pairs(ec2))
    (shown,) = re.findall(r'<td class="kp-col-CreateTime"[^>]*>(.*?)</td>', table._repr_html_())
    date, time = table.loc[0, "CreateTime"].strftime(TIME_FORMAT).split(" ", 1)
    assert re.findall(r'<span style="white-space: nowrap">(.*?)</span>', shown) == [date, time]


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (float("nan"), ""), (pd.NaT, ""), (pd.NA, ""), (1.5, "1.5"), (0, "0"),
    ("", ""), ("web", "web"), ([1, 2], "[1, 2]"),
    (pd.Timestamp("2026-11-29 07:01:59", tz="UTC"), "2026-11-29 07:01 UTC"),
    (pd.Timestamp("2026-11-29 15:04:05", tz="UTC"), "2026-11-29 15:04 UTC"),  # not 03:04
    (pd.Timestamp("2026-11-29 00:00:00", tz="UTC"), "2026-11-29 00:00 UTC"),
])
def test_a_cell_shows_a_value_or_nothing_at_all_when_it_is_missing(value, text):
    assert cell_text(value) == text


def test_a_table_as_long_as_pandas_shows_whole_is_not_cut():
    longest = pd.get_option("display.max_rows")
    items = [{"KeyName": f"key-{n:04}"} for n in range(longest + 1)]
    whole = Grid(key_pairs_table({"KeyPairs": items[:longest]})._repr_html_()).texts()
    assert [row[0] for row in whole[1:]] == [item["KeyName"] for item in items[:longest]]
    cut = Grid(key_pairs_table({"KeyPairs": items})._repr_html_()).texts()
    half = pd.get_option("display.min_rows") // 2
    assert [row[0] for row in cut[1:]] == (
        [f"key-{n:04}" for n in range(half)] + ["…"]
        + [f"key-{n:04}" for n in range(longest + 1 - half, longest + 1)])


def test_a_cut_table_keeps_the_rows_the_learner_asked_pandas_for():
    items = [{"KeyName": f"key-{n:04}"} for n in range(100)]
    with pd.option_context("display.min_rows", 2):
        rows = Grid(key_pairs_table({"KeyPairs": items})._repr_html_()).texts()[1:]
    assert [row[0] for row in rows] == ["key-0000", "…", "key-0099"]


def test_text_shows_a_fingerprint_whole_and_cuts_a_public_key(ec2):
    created = create_key_pair(ec2, "a", key_type="rsa")
    table = key_pairs_table(describe_key_pairs(ec2, include_public_key=True))
    assert len(created["KeyFingerprint"]) == 59  # SHA-1, the longest fingerprint
    assert created["KeyFingerprint"] in repr(table[["KeyFingerprint"]])
    (shown,) = re.findall(r"ssh-rsa \S+", repr(table[["PublicKey"]]))
    assert shown.endswith("...") and len(shown) < 64


@pytest.mark.parametrize("reshape", [
    lambda t: t.groupby("KeyType").agg({"KeyName": ["count", "min"]}),  # columns
    lambda t: t.set_index(["KeyType", "KeyName"]),  # index
])
def test_a_table_the_learner_reshaped_into_levels_is_drawn_by_pandas(ec2, reshape):
    create_key_pair(ec2, "a", key_type="ed25519")
    create_key_pair(ec2, "b", key_type="rsa")
    reshaped = reshape(key_pairs_table(describe_key_pairs(ec2)))
    assert reshaped._repr_html_() == pd.DataFrame(reshaped)._repr_html_()
