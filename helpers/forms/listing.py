"""The list of key pairs."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from helpers import forms_model as model
from helpers.backend import EC2Client
from helpers.forms.widgets import Form, box, classed, header
from helpers.tables import key_pairs_table, tags_text

# How each column reads, keyed by the API's field name, never by position.
COLUMN_STYLES = {
    "KeyName": "white-space: nowrap",
    "KeyPairId": "white-space: nowrap; font-family: monospace",
    "KeyFingerprint": "font-family: monospace; max-width: 230px; word-break: break-all",
    "CreateTime": "white-space: nowrap",
}
TABLE_STYLE = "<style>" + """
.kp-table { border-collapse: collapse; font-size: 12px; margin-top: 4px; line-height: 1.4; }
.kp-table th { text-align: left; padding: 4px 8px; border-bottom: 2px solid #90a4ae; }
.kp-table td { padding: 4px 8px; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
""" + "".join(f".kp-table td.kp-col-{c} {{ {s}; }}\n" for c, s in COLUMN_STYLES.items()) \
    + "</style>"


def table_html(items: list[dict[str, Any]]) -> str:
    """The key pairs as an HTML table whose cells carry their column's name as a class."""
    table = key_pairs_table({"KeyPairs": items})
    table["CreateTime"] = table["CreateTime"].dt.strftime("%Y-%m-%d %H:%M UTC")
    cells = table.astype(str).map(escape)  # escaped here, so that Tags can hold <br>
    cells["Tags"] = ["<br>".join(escape(tags_text([tag])) for tag in item.get("Tags") or [])
                     for item in items]
    head = "".join(f'<th class="kp-col-{column}">{column}</th>' for column in cells.columns)
    body = "".join("<tr>" + "".join(f'<td class="kp-col-{column}">{value}</td>'
                                    for column, value in row.items()) + "</tr>"
                   for _, row in cells.iterrows())
    return (f'{TABLE_STYLE}<div style="overflow-x:auto"><table class="kp-table"><thead><tr>'
            f"{head}</tr></thead><tbody>{body}</tbody></table></div>")


class KeyPairList(Form):
    """The key pairs of the Region as a table, with a filter box and a refresh button."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        self.filter = classed(w.Text(description="Filter", placeholder="name or tag, e.g. "
                                      "laptop or Team=ops", style={"description_width": "50px"},
                                      layout=w.Layout(width="380px")), "kp-list-filter")
        self.refresh_button = classed(w.Button(description="Refresh",
                                                layout=w.Layout(width="100px")), "kp-list-refresh")
        self.count = w.HTML(layout=w.Layout(margin="0 0 0 12px", align_self="center"))
        self.table = classed(w.HTML(), "kp-list-table")
        self.result = w.HTML()
        self.items: list[dict[str, Any]] = []
        super().__init__(ec2, on_change, children=[
            header("Key pairs", "Every key pair in this Region. Type in the filter to narrow "
                    "it by name or tag; the private keys are never here."),
            w.HBox([self.filter, self.refresh_button, self.count]), self.result, self.table])
        classed(self, "kp-list-form")
        self.filter.observe(lambda _: self._render(), "value")
        self.refresh_button.on_click(self._refresh_clicked)
        if load:
            self.refresh()

    def _validate(self) -> None:
        self.refresh_button.disabled = self.running

    def _refresh_clicked(self, _: Any = None) -> None:
        if not self.running:
            with self._busy(self.refresh_button):
                self._changed()  # in the manager, the delete choices are described again too

    def refresh(self, items: list[dict[str, Any]] | None = None) -> None:
        """Describe the key pairs again (or show the given ones) and redraw the table."""
        try:
            self.items = model.all_key_pairs(self.ec2) if items is None else items
            self.result.value = ""
        except Exception as error:
            self.result.value = box(escape(model.message_of(error)), "error")
        self._render()

    def _render(self) -> None:
        items = model.matching(self.items, self.filter.value)
        shown, total = len(items), len(self.items)
        self.count.value = (f"{total} key pair{'s' * (total != 1)}" if shown == total
                            else f"{shown} of {total} key pairs match")
        if not shown:
            self.table.value = box("No key pairs match the filter." if total else
                                    "No key pairs yet: create or import one.")
            return
        self.table.value = table_html(items)
