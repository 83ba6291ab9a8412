"""The list of key pairs."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from helpers import forms_model as model
from helpers.forms.widgets import Form, box, classed, header
from helpers.tables import key_pairs_table, table_html

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef


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
        self.items: list[KeyPairInfoTypeDef] = []
        super().__init__(ec2, on_change, children=[
            header("Key pairs", "Every key pair in this Region. Type in the filter to narrow "
                    "it by name or tag; the private keys are never here."),
            w.HBox([self.filter, self.refresh_button, self.count]), self.result, self.table])
        classed(self, "kp-list-form")
        self.filter.observe(lambda _: self._render(), "value")
        self.refresh_button.on_click(self._refresh_clicked)
        if load:
            self.refresh()

    def _refresh_clicked(self, _: Any = None) -> None:
        if not self.running:
            with self._busy(self.refresh_button, "Refreshing…"):
                self._changed()  # in the manager, the delete choices are described again too

    def refresh(self, items: list[KeyPairInfoTypeDef] | None = None) -> None:
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
        self.table.value = table_html(key_pairs_table({"KeyPairs": items}))
