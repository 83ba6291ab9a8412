"""The delete form."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from helpers import forms_model as model
from helpers.forms.widgets import LABELS, WIDE, Form, box, classed, header, lines

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef


class DeleteForm(Form):
    """Delete the chosen key pairs once confirmed; a safety keeps keys the tutorial did not make."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        self.select = classed(w.SelectMultiple(description="Key pairs", rows=7, style=LABELS,
                                                layout=w.Layout(width=WIDE)), "kp-delete-select")
        self.safety = classed(w.Checkbox(
            value=True, indent=False, description="Safety: delete only key pairs this tutorial "
            f"created (tagged {model.tutorial_tag_text()})", layout=w.Layout(width="auto",
                                                                    margin="4px 0 0 140px")),
            "kp-delete-safety")
        self.warning = w.HTML(layout=w.Layout(margin="0 0 0 140px"))
        self.button = classed(w.Button(description="Delete selected…", button_style="danger",
                                        disabled=True, layout=w.Layout(width="180px",
                                                                       margin="6px 0 0 140px")),
                               "kp-delete-button")
        self.question = w.HTML()
        self.confirm = classed(w.Button(description="Yes, delete", button_style="danger",
                                         layout=w.Layout(width="120px")), "kp-delete-confirm")
        self.cancel = classed(w.Button(description="Cancel", layout=w.Layout(width="100px")),
                               "kp-delete-cancel")
        self.confirm_box = w.VBox([self.question, w.HBox([self.confirm, self.cancel])],
                                  layout=w.Layout(display="none", margin="6px 0 0 140px"))
        self.result = classed(w.HTML(), "kp-delete-result")
        self.items: list[KeyPairInfoTypeDef] = []
        self.pending: tuple[list[str], bool] | None = None
        super().__init__(ec2, on_change, children=[
            header("Delete key pairs", "Choose one or more (Ctrl or Shift to pick several), then "
                    "confirm. Instances keep running, but no new instance can be launched with a "
                    "deleted key pair."),
            self.select, self.safety, self.warning, self.button, self.confirm_box, self.result])
        classed(self, "kp-delete-form")
        self.select.observe(lambda _: self._validate(), "value")
        self.safety.observe(self._safety_changed, "value")
        self.button.on_click(self._ask)
        self.confirm.on_click(self._confirmed)
        self.cancel.on_click(self._cancelled)
        if load:
            self.refresh()

    def refresh(self, items: list[KeyPairInfoTypeDef] | None = None) -> None:
        """Offer the current key pairs; key pairs the tutorial did not create say so."""
        try:
            self.items = model.all_key_pairs(self.ec2) if items is None else items
        except Exception as error:
            self.result.value = box(escape(model.message_of(error)), "error")
            return
        if self.pending is not None:  # it asks about a choice no longer shown (e.g. a Reset)
            self._close_question()
        self.select.value = ()  # replacing options under a selection upsets the browser side
        self.select.options = [
            (item["KeyName"] if model.is_tutorial_key(item)
             else f"{item['KeyName']} (not from this tutorial)", item["KeyName"])
            for item in self.items]
        self._validate()

    def _validate(self) -> None:
        asking = self.pending is not None
        self.button.disabled = self.running or asking or not self.select.value
        self.select.disabled = self.safety.disabled = self.running or asking

    def _safety_changed(self, _: Any = None) -> None:
        self.warning.value = "" if self.safety.value else box(
            "<b>Safety off:</b> the chosen key pairs will be deleted even if this tutorial did "
            "not create them.", "warn")

    def _ask(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        names, safety = list(self.select.value), self.safety.value
        question = escape(model.delete_question(names, self.items, safety))
        if not model.deletable(names, self.items, safety):  # nothing to confirm
            self.result.value = box(question, "warn")
            return
        self.pending = (names, safety)
        self.question.value = box(question, "warn")
        self.result.value = ""
        self._show_question(True)
        self._validate()

    def _show_question(self, shown: bool) -> None:
        """The question and its answers take the place of the delete button (one less row, so
        that "Yes, delete" fits on a projector)."""
        self.confirm_box.layout.display = "flex" if shown else "none"
        self.button.layout.display = "none" if shown else None

    def _close_question(self) -> None:
        self.pending = None
        self._show_question(False)
        self._validate()

    def _cancelled(self, _: Any = None) -> None:
        if self.pending is not None:
            self._close_question()
            self.result.value = box("Cancelled: nothing was deleted.", "info")

    def _confirmed(self, _: Any = None) -> None:
        if self.running or self.pending is None:
            return
        (names, safety), self.pending = self.pending, None
        self._show_question(False)
        with self._busy(self.button, "Deleting…"):
            try:
                outcome = model.delete_key_pairs(self.ec2, names, safety=safety)
            except Exception as error:
                self.result.value = box(escape(model.message_of(error)), "error")
                return
            kind = "ok" if outcome.deleted and not (outcome.refused or outcome.error) else (
                "error" if outcome.error else "warn")
            self._changed(box(lines(outcome.message()), kind))


