"""What the forms share: message blocks, field hints, labels, tag rows, and a base form whose
buttons are off while a call runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from helpers import forms_model as model
from helpers.backend import ec2_client
from helpers.forms.static import StillPicture

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef

WIDE = "560px"
LABELS = {"description_width": "130px"}
COLOURS = {"ok": ("#1b5e20", "#e8f5e9"), "error": ("#b71c1c", "#ffebee"),
            "warn": ("#8a4b00", "#fff4e0"), "info": ("#37474f", "#eceff1")}


def box(text: str, kind: str = "info") -> str:
    """A message as a coloured block; text is HTML the caller has escaped."""
    if not text:
        return ""
    ink, paper = COLOURS[kind]
    return (f'<div class="kp-box" style="color:{ink};background:{paper};'
            f'border-left:4px solid {ink};'
            f'padding:6px 10px;margin:4px 0;line-height:1.5;max-width:760px">{text}</div>')


def lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.splitlines())


def hint(problem: str | None, quiet: bool) -> str:
    """The line under a field: grey while the field is just empty, red when it is wrong."""
    if not problem:
        return ""
    colour, kind = ("#607d8b", "kp-hint-quiet") if quiet else ("#b71c1c", "kp-hint")
    return f'<span class="{kind}" style="color:{colour};font-size:13px">{escape(problem)}</span>'


def classed(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    for name in classes:
        widget.add_class(name)
    return widget


def header(title: str, help_text: str) -> w.HTML:
    return w.HTML(f'<h3 class="kp-form-title" style="margin:0 0 4px 0">{title}</h3>'
                  f'<div class="kp-help" style="color:#546e7a;max-width:720px;margin-bottom:8px;'
                  'line-height:1.45">'
                  f'{help_text}</div>')


def submit_button(description: str, css_class: str) -> w.Button:
    """A form's main button, under the fields, disabled until the input is valid."""
    return classed(w.Button(description=description, button_style="primary", disabled=True,
                             layout=w.Layout(width="180px", margin="6px 0 0 140px")), css_class)


def label(text: str) -> w.HTML:
    """A field label lined up with the descriptions of the other fields."""
    return w.HTML(f'<div style="text-align:right;padding-right:8px;line-height:28px">{text}</div>',
                  layout=w.Layout(width="134px", flex="0 0 134px"))


class Form(StillPicture, w.VBox):
    """Shared plumbing: an EC2 client, a result line, and buttons that are off while a call runs."""

    result: w.HTML  # what the last click did: each form with a button makes it

    def __init__(self, ec2: EC2Client | None, on_change: Callable[[], None] | None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ec2 = ec2 if ec2 is not None else ec2_client()
        self.on_change = on_change
        self.running = False
        self.taken: set[str] = set()  # the Region's key names, as last described

    def __repr__(self) -> str:
        # What a notebook shows where the widget cannot be drawn (GitHub, a kernel not running).
        return f"{type(self).__name__}: run this cell in Jupyter to use the form."

    def refresh(self, items: list[KeyPairInfoTypeDef] | None = None) -> None:
        """Learn the names already taken (described again if items is None), so that a name is
        refused as it is typed; a describe that fails leaves the last names known."""
        try:
            items = model.all_key_pairs(self.ec2) if items is None else items
        except Exception:  # the click then says what is wrong, in the form's result line
            return
        self.taken = {item["KeyName"] for item in items}
        self._validate()

    def _validate(self) -> None:
        """Turn buttons on or off from the current input."""

    def _changed(self, said: str | None = None) -> None:
        """Describe the key pairs again, then say what a click did (said), in that order: a
        selection travels to the kernel as positions in the list the page shows, so a click on a
        list the page had not yet been sent would delete the key pair next to the one chosen."""
        (self.on_change or self.refresh)()
        if said is not None:
            self.result.value = said

    @contextmanager
    def _busy(self, clicked: w.Button, label: str) -> Iterator[None]:
        """While a call runs: the clicked button says what is happening (label) and every button
        of the form is off, so a slow call (live AWS) never looks frozen and a second click cannot
        submit twice. Afterwards each button it turned off is on again, and _validate() decides
        from the input what stays off."""
        self.running = True
        description = clicked.description
        clicked.description = label
        clicked.add_class("kp-busy")
        turned_off = [button for button in buttons(self) if not button.disabled]
        for button in turned_off:
            button.disabled = True
        try:
            yield
        finally:
            clicked.description = description
            clicked.remove_class("kp-busy")
            for button in turned_off:
                button.disabled = False
            self.running = False
            self._validate()


def buttons(widget: w.Widget) -> Iterator[w.Button]:
    """Every button in a widget tree, hidden ones too."""
    if isinstance(widget, w.Button):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from buttons(child)


class TagRows(w.VBox):
    """Key/value rows for tags, with a remove button each and an add button beside the first;
    rows() gives (key, value) pairs."""

    def __init__(self, on_change: Callable[[], None], *classes: str) -> None:
        self.on_change = on_change
        self.add = classed(w.Button(description="+ Add tag", layout=w.Layout(flex="0 0 110px")),
                            "kp-add-tag")
        self.add.on_click(lambda _: self.add_row())
        self.rows_box = w.VBox()
        super().__init__([w.HBox([label("Tags"), self.rows_box, self.add])])
        classed(self, *classes)
        self.add_row(notify=False)

    def add_row(self, key: str = "", value: str = "", *,
                notify: bool = True) -> tuple[w.Text, w.Text]:
        """Add a row (and return its key and value fields)."""
        key_field = classed(w.Text(key, placeholder="key, e.g. Team",
                                    layout=w.Layout(width="150px")), "kp-tag-key")
        value_field = classed(w.Text(value, placeholder="value, e.g. ops",
                                      layout=w.Layout(width="180px")), "kp-tag-value")
        remove = classed(w.Button(description="✕", tooltip="Remove this tag",
                                   layout=w.Layout(flex="0 0 36px")), "kp-remove-tag")
        row = w.HBox([key_field, value_field, remove])
        remove.on_click(lambda _: self._remove(row))
        for field in (key_field, value_field):
            field.observe(lambda _: self.on_change(), "value")
        self.rows_box.children = (*self.rows_box.children, row)
        if notify:
            self.on_change()
        return key_field, value_field

    def _remove(self, row: w.HBox) -> None:
        self.rows_box.children = tuple(r for r in self.rows_box.children if r is not row)
        self.on_change()

    def rows(self) -> list[tuple[str, str]]:
        """The (key, value) of every row, as typed."""
        return [(r.children[0].value, r.children[1].value) for r in self.rows_box.children]

    def clear(self) -> None:
        """Back to one empty row."""
        self.rows_box.children = ()
        self.add_row(notify=False)


