"""ipywidgets forms to create, import, list and delete key pairs, and a manager with tabs.

The forms only draw widgets and call helpers.forms_model; no AWS logic lives here. Each takes an
EC2 client (default ec2_client()), so the same code serves the sandbox, an endpoint and live AWS.

CSS classes (a contract: the browser tests select on them, keep them exactly):
  create: kp-create-name kp-create-type kp-create-format kp-create-folder kp-tag-key kp-tag-value
          kp-add-tag kp-create-button kp-create-result
  import: kp-import-name kp-import-text kp-import-upload kp-import-button kp-import-result
  list:   kp-list-filter kp-list-refresh kp-list-table
  delete: kp-delete-select kp-delete-safety kp-delete-button kp-delete-confirm kp-delete-cancel
          kp-delete-result
  manager (the Tab): kp-manager
Also, for scoping: kp-create-form kp-import-form kp-list-form kp-delete-form on each form,
kp-create-tags kp-import-tags on the tag rows, kp-remove-tag on a row's remove button, and
kp-name-problem on the line under a key name field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from helpers import forms_model as model
from helpers import sandbox
from helpers.backend import EC2Client, ec2_client, endpoint_url
from helpers.keyfiles import DEFAULT_KEY_DIR
from helpers.tables import key_pairs_table, tags_text

WIDE = "560px"
LABELS = {"description_width": "130px"}
_COLOURS = {"ok": ("#1b5e20", "#e8f5e9"), "error": ("#b71c1c", "#ffebee"),
            "warn": ("#8a4b00", "#fff4e0"), "info": ("#37474f", "#eceff1")}
TABLE_STYLE = """<style>
.kp-table { border-collapse: collapse; font-size: 12px; margin-top: 4px; line-height: 1.4; }
.kp-table th { text-align: left; padding: 4px 8px; border-bottom: 2px solid #90a4ae; }
.kp-table td { padding: 4px 8px; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
.kp-table td:nth-child(1), .kp-table td:nth-child(2), .kp-table td:nth-child(5) {
  white-space: nowrap; }
.kp-table td:nth-child(2), .kp-table td:nth-child(4) { font-family: monospace; }
.kp-table td:nth-child(4) { max-width: 230px; word-break: break-all; }
</style>"""


def _box(text: str, kind: str = "info") -> str:
    """A message as a coloured block; text is HTML the caller has escaped."""
    if not text:
        return ""
    ink, paper = _COLOURS[kind]
    return (f'<div style="color:{ink};background:{paper};border-left:4px solid {ink};'
            f'padding:6px 10px;margin:4px 0;line-height:1.5;max-width:760px">{text}</div>')


def _lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.splitlines())


def _hint(problem: str | None, quiet: bool) -> str:
    """The line under a field: grey while the field is just empty, red when it is wrong."""
    if not problem:
        return ""
    colour = "#607d8b" if quiet else "#b71c1c"
    return f'<span style="color:{colour};font-size:12px">{escape(problem)}</span>'


def _classed(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    for name in classes:
        widget.add_class(name)
    return widget


def _header(title: str, help_text: str) -> w.HTML:
    return w.HTML(f'<h3 style="margin:0 0 4px 0">{title}</h3>'
                  f'<div style="color:#546e7a;max-width:720px;margin-bottom:8px;line-height:1.45">'
                  f'{help_text}</div>')


def _submit_button(description: str, css_class: str) -> w.Button:
    """A form's main button, under the fields, disabled until the input is valid."""
    return _classed(w.Button(description=description, button_style="primary", disabled=True,
                             layout=w.Layout(width="180px", margin="6px 0 0 140px")), css_class)


def _label(text: str) -> w.HTML:
    """A field label lined up with the descriptions of the other fields."""
    return w.HTML(f'<div style="text-align:right;padding-right:8px;line-height:28px">{text}</div>',
                  layout=w.Layout(width="134px", flex="0 0 134px"))


class _Form(w.VBox):
    """Shared plumbing: an EC2 client, a result line, and buttons that are off while a call runs."""

    def __init__(self, ec2: EC2Client | None, on_change: Callable[[], None] | None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ec2 = ec2 if ec2 is not None else ec2_client()
        self.on_change = on_change
        self.running = False

    def __repr__(self) -> str:
        # What a notebook shows where the widget cannot be drawn (GitHub, a kernel not running).
        return f"{type(self).__name__}: run this cell in Jupyter to use the form."

    def refresh(self, items: list[dict[str, Any]] | None = None) -> None:
        """Bring the form up to date with the key pairs (forms with no list have nothing to do)."""

    def _validate(self) -> None:
        """Turn buttons on or off from the current input."""

    def _changed(self) -> None:
        (self.on_change or self.refresh)()

    @contextmanager
    def _busy(self, *buttons: w.Button) -> Iterator[None]:
        # Buttons stay off until the call returns, so a second click cannot submit twice.
        self.running = True
        for button in buttons:
            button.disabled = True
        try:
            yield
        finally:
            self.running = False
            self._validate()


class TagRows(w.VBox):
    """Key/value rows for tags, with add and remove buttons; rows() gives (key, value) pairs."""

    def __init__(self, on_change: Callable[[], None], *classes: str) -> None:
        self.on_change = on_change
        self.add = _classed(w.Button(description="+ Add tag", layout=w.Layout(width="110px")),
                            "kp-add-tag")
        self.add.on_click(lambda _: self.add_row())
        self.rows_box = w.VBox()
        super().__init__([w.HBox([_label("Tags"), w.VBox([self.rows_box, self.add])])])
        _classed(self, *classes)
        self.add_row(notify=False)

    def add_row(self, key: str = "", value: str = "", *,
                notify: bool = True) -> tuple[w.Text, w.Text]:
        """Add a row (and return its key and value fields)."""
        key_field = _classed(w.Text(key, placeholder="key, e.g. Team",
                                    layout=w.Layout(width="170px")), "kp-tag-key")
        value_field = _classed(w.Text(value, placeholder="value, e.g. ops",
                                      layout=w.Layout(width="200px")), "kp-tag-value")
        remove = _classed(w.Button(description="✕", tooltip="Remove this tag",
                                   layout=w.Layout(width="36px")), "kp-remove-tag")
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


class CreateForm(_Form):
    """Create a key pair, tagged as the tutorial's, and save its private key to a folder (0600)."""

    def __init__(self, ec2: EC2Client | None = None, *, folder: str | Path = DEFAULT_KEY_DIR,
                 on_change: Callable[[], None] | None = None) -> None:
        field = w.Layout(width=WIDE)
        self.name = _classed(w.Text(description="Key name", placeholder="e.g. my-laptop",
                                    style=LABELS, layout=field), "kp-create-name")
        self.name_problem = _classed(w.HTML(layout=w.Layout(margin="0 0 4px 140px")),
                                     "kp-name-problem")
        self.key_type = _classed(w.ToggleButtons(
            options=[("RSA 2048", "rsa"), ("ED25519", "ed25519")], description="Key type",
            tooltips=["Works everywhere, Windows instances included", "Shorter and modern; "
                      "not for Windows instances"], style=LABELS),
            "kp-create-type", "widget-inline-hbox")
        self.key_type.layout.margin = "2px 0 4px 0"  # label beside the buttons, like Text's
        self.key_format = _classed(w.ToggleButtons(
            options=[("PEM · OpenSSH", "pem"), ("PPK · PuTTY", "ppk")], description="File format",
            tooltips=["For ssh -i on Linux and macOS", "For PuTTY on Windows"], style=LABELS),
            "kp-create-format", "widget-inline-hbox")
        self.tags = TagRows(self._validate, "kp-create-tags")
        self.tags_problem = w.HTML(layout=w.Layout(margin="0 0 4px 140px"))
        self.folder = _classed(w.Text(str(folder), description="Save to folder", style=LABELS,
                                      layout=field), "kp-create-folder")
        self.button = _submit_button("Create key pair", "kp-create-button")
        self.result = _classed(w.HTML(), "kp-create-result")
        super().__init__(ec2, on_change, children=[
            _header("Create a key pair", "EC2 makes the pair and keeps the public key. The "
                    "private key comes back once: it is saved to the folder (mode 0600) and "
                    "never shown."),
            self.name, self.name_problem, self.key_type, self.key_format, self.tags,
            self.tags_problem, self.folder, self.button, self.result])
        _classed(self, "kp-create-form")
        for widget in (self.name, self.folder):
            widget.observe(lambda _: self._validate(), "value")
        self.button.on_click(self._create)
        self._validate()

    def _validate(self) -> None:
        name_problem = model.key_name_problem(self.name.value)
        self.name_problem.value = _hint(name_problem, quiet=not self.name.value)
        tags_problem = model.tags_problem(self.tags.rows())
        self.tags_problem.value = _hint(tags_problem, quiet=False)
        problem = model.create_problem(self.name.value, self.tags.rows(), self.folder.value)
        self.button.disabled = self.running or problem is not None

    def _create(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        with self._busy(self.button):
            self.result.value = _box(f"Creating <b>{escape(self.name.value)}</b>…")
            try:
                made = model.create_and_save(
                    self.ec2, self.name.value, key_type=self.key_type.value,
                    key_format=self.key_format.value, rows=self.tags.rows(),
                    folder=self.folder.value)
            except Exception as error:
                self.result.value = _box(escape(model.message_of(error)), "error")
                return
            self.result.value = _box(
                f"Created <b>{escape(made.name)}</b> ({escape(made.key_pair_id)}).<br>"
                f"Fingerprint: <code>{escape(made.fingerprint)}</code><br>"
                f"Private key saved to <code>{escape(made.shown_path())}</code> (mode 0600): "
                "keep it safe, EC2 cannot give it to you again.", "ok")
            self.name.value = ""  # ready for the next key; the button is off until a new name
            self.tags.clear()
        self._changed()


class ImportForm(_Form):
    """Import the public half of a key pair you made yourself: paste it, or upload a .pub file."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None) -> None:
        self.name = _classed(w.Text(description="Key name", placeholder="e.g. my-laptop",
                                    style=LABELS, layout=w.Layout(width=WIDE)), "kp-import-name")
        self.name_problem = _classed(w.HTML(layout=w.Layout(margin="0 0 4px 140px")),
                                     "kp-name-problem")
        self.text = _classed(w.Textarea(
            description="Public key", placeholder="ssh-ed25519 AAAA... you@laptop",
            style=LABELS, layout=w.Layout(width=WIDE, height="90px")), "kp-import-text")
        self.upload = _classed(w.FileUpload(
            accept=".pub", multiple=False, description="Upload .pub file",
            layout=w.Layout(width="180px", margin="2px 0 4px 140px")), "kp-import-upload")
        self.tags = TagRows(self._validate, "kp-import-tags")
        self.tags_problem = w.HTML(layout=w.Layout(margin="0 0 4px 140px"))
        self.button = _submit_button("Import public key", "kp-import-button")
        self.result = _classed(w.HTML(), "kp-import-result")
        super().__init__(ec2, on_change, children=[
            _header("Import a public key", "Made your key pair yourself (ssh-keygen -t ed25519)? "
                    "Give EC2 the public half: paste the one line of the .pub file, or upload it. "
                    "The private key never leaves your machine."),
            self.name, self.name_problem, self.text, self.upload, self.tags, self.tags_problem,
            self.button, self.result])
        _classed(self, "kp-import-form")
        for widget in (self.name, self.text):
            widget.observe(lambda _: self._validate(), "value")
        self.upload.observe(self._uploaded, "value")
        self.button.on_click(self._import)
        self._validate()

    def _validate(self) -> None:
        self.name_problem.value = _hint(model.key_name_problem(self.name.value),
                                        quiet=not self.name.value)
        self.tags_problem.value = _hint(model.tags_problem(self.tags.rows()), quiet=False)
        problem = model.import_problem(self.name.value, self.text.value, self.tags.rows())
        self.button.disabled = self.running or problem is not None

    def _uploaded(self, _: Any = None) -> None:
        # The file's text goes into the text box: one place holds the key that will be imported.
        try:
            upload = model.uploaded_public_key(self.upload.value)
        except Exception as error:
            self.result.value = _box(escape(model.message_of(error)), "error")
            return
        if upload:
            file_name, self.text.value = upload
            if not self.name.value:
                self.name.value = Path(file_name).stem
            self.result.value = ""

    def _import(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        with self._busy(self.button):
            self.result.value = _box(f"Importing <b>{escape(self.name.value)}</b>…")
            try:
                made = model.import_public_key(self.ec2, self.name.value, self.text.value,
                                               rows=self.tags.rows())
            except Exception as error:
                self.result.value = _box(escape(model.message_of(error)), "error")
                return
            self.result.value = _box(
                f"Imported <b>{escape(made.name)}</b> ({escape(made.key_pair_id)}).<br>"
                f"Fingerprint: <code>{escape(made.fingerprint)}</code>", "ok")
            self.name.value = self.text.value = ""
            self.upload.value = ()
            self.tags.clear()
        self._changed()


class KeyPairList(_Form):
    """The key pairs of the Region as a table, with a filter box and a refresh button."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        self.filter = _classed(w.Text(description="Filter", placeholder="name or tag, e.g. "
                                      "laptop or Team=ops", style={"description_width": "50px"},
                                      layout=w.Layout(width="380px")), "kp-list-filter")
        self.refresh_button = _classed(w.Button(description="Refresh",
                                                layout=w.Layout(width="100px")), "kp-list-refresh")
        self.count = w.HTML(layout=w.Layout(margin="0 0 0 12px", align_self="center"))
        self.table = _classed(w.HTML(), "kp-list-table")
        self.result = w.HTML()
        self.items: list[dict[str, Any]] = []
        super().__init__(ec2, on_change, children=[
            _header("Key pairs", "Every key pair in this Region. Type in the filter to narrow "
                    "it by name or tag; the private keys are never here."),
            w.HBox([self.filter, self.refresh_button, self.count]), self.result, self.table])
        _classed(self, "kp-list-form")
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
            self.result.value = _box(escape(model.message_of(error)), "error")
        self._render()

    def _render(self) -> None:
        items = model.matching(self.items, self.filter.value)
        shown, total = len(items), len(self.items)
        self.count.value = (f"{total} key pair{'s' * (total != 1)}" if shown == total
                            else f"{shown} of {total} key pairs match")
        if not shown:
            self.table.value = _box("No key pairs match the filter." if total else
                                    "No key pairs yet: create or import one.")
            return
        table = key_pairs_table({"KeyPairs": items})
        table["CreateTime"] = table["CreateTime"].dt.strftime("%Y-%m-%d %H:%M UTC")
        table = table.astype(str).map(escape)  # escaped here, so that Tags can hold <br>
        table["Tags"] = ["<br>".join(escape(tags_text([tag])) for tag in item.get("Tags") or [])
                         for item in items]
        self.table.value = TABLE_STYLE + '<div style="overflow-x:auto">' + table.to_html(
            index=False, border=0, escape=False, classes="kp-table") + "</div>"


class DeleteForm(_Form):
    """Delete the chosen key pairs once confirmed; a safety keeps keys the tutorial did not make."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        self.select = _classed(w.SelectMultiple(description="Key pairs", rows=7, style=LABELS,
                                                layout=w.Layout(width=WIDE)), "kp-delete-select")
        self.safety = _classed(w.Checkbox(
            value=True, indent=False, description="Safety: delete only key pairs this tutorial "
            f"created (tagged {model.tutorial_tag_text()})", layout=w.Layout(width="auto",
                                                                    margin="4px 0 0 140px")),
            "kp-delete-safety")
        self.warning = w.HTML(layout=w.Layout(margin="0 0 0 140px"))
        self.button = _classed(w.Button(description="Delete selected…", button_style="danger",
                                        disabled=True, layout=w.Layout(width="180px",
                                                                       margin="6px 0 0 140px")),
                               "kp-delete-button")
        self.question = w.HTML()
        self.confirm = _classed(w.Button(description="Yes, delete", button_style="danger",
                                         layout=w.Layout(width="120px")), "kp-delete-confirm")
        self.cancel = _classed(w.Button(description="Cancel", layout=w.Layout(width="100px")),
                               "kp-delete-cancel")
        self.confirm_box = w.VBox([self.question, w.HBox([self.confirm, self.cancel])],
                                  layout=w.Layout(display="none", margin="6px 0 0 140px"))
        self.result = _classed(w.HTML(), "kp-delete-result")
        self.items: list[dict[str, Any]] = []
        self.pending: tuple[list[str], bool] | None = None
        super().__init__(ec2, on_change, children=[
            _header("Delete key pairs", "Choose one or more (Ctrl or Shift to pick several), then "
                    "confirm. Instances keep running, but no new instance can be launched with a "
                    "deleted key pair."),
            self.select, self.safety, self.warning, self.button, self.confirm_box, self.result])
        _classed(self, "kp-delete-form")
        self.select.observe(lambda _: self._validate(), "value")
        self.safety.observe(self._safety_changed, "value")
        self.button.on_click(self._ask)
        self.confirm.on_click(self._confirmed)
        self.cancel.on_click(self._cancelled)
        if load:
            self.refresh()

    def refresh(self, items: list[dict[str, Any]] | None = None) -> None:
        """Offer the current key pairs; key pairs the tutorial did not create say so."""
        try:
            self.items = model.all_key_pairs(self.ec2) if items is None else items
        except Exception as error:
            self.result.value = _box(escape(model.message_of(error)), "error")
            return
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
        self.warning.value = "" if self.safety.value else _box(
            "<b>Safety off:</b> the chosen key pairs will be deleted even if this tutorial did "
            "not create them.", "warn")

    def _ask(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        names = list(self.select.value)
        self.pending = (names, self.safety.value)
        self.question.value = _box(escape(model.delete_question(names, self.items,
                                                                self.safety.value)), "warn")
        self.result.value = ""
        self.confirm_box.layout.display = "flex"
        self._validate()

    def _close_question(self) -> None:
        self.pending = None
        self.confirm_box.layout.display = "none"
        self._validate()

    def _cancelled(self, _: Any = None) -> None:
        if self.pending is not None:
            self._close_question()
            self.result.value = _box("Cancelled: nothing was deleted.", "info")

    def _confirmed(self, _: Any = None) -> None:
        if self.running or self.pending is None:
            return
        (names, safety), self.pending = self.pending, None
        self.confirm_box.layout.display = "none"
        with self._busy(self.button, self.confirm, self.cancel):
            try:
                outcome = model.delete_key_pairs(self.ec2, names, safety=safety)
            except Exception as error:
                self.result.value = _box(escape(model.message_of(error)), "error")
                return
            kind = "ok" if outcome.deleted and not (outcome.refused or outcome.error) else (
                "error" if outcome.error else "warn")
            self.result.value = _box(_lines(outcome.message()), kind)
        self._changed()


def _backend_badge(ec2: EC2Client) -> str:
    """Which backend and Region the manager acts on, impossible to miss when it is live AWS."""
    region = escape(ec2.meta.region_name or "")
    # What the client will really reach: an endpoint wins over the sandbox, which wins over AWS.
    if endpoint_url():
        kind, name, note = "info", f"Endpoint {escape(endpoint_url())}", "a local server"
    elif sandbox.is_running():
        kind, name, note = "ok", "Sandbox", "moto in this kernel: no AWS account, nothing leaves " \
            "this machine"
    else:
        kind, name, note = "error", "LIVE AWS", "every action changes your AWS account"
    ink, paper = _COLOURS[kind]
    return (f'<span style="background:{paper};color:{ink};border:1px solid {ink};'
            f'border-radius:10px;padding:1px 10px;font-weight:600">● {name} · {region}</span>'
            f'<span style="color:#546e7a;margin-left:8px">{note}</span>')


class KeyPairManager(w.VBox):
    """The four forms in tabs (Create, Import, List, Delete), kept in sync after every action."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 folder: str | Path = DEFAULT_KEY_DIR) -> None:
        self.ec2 = ec2 if ec2 is not None else ec2_client()
        self.create = CreateForm(self.ec2, folder=folder, on_change=self.refresh)
        self.import_ = ImportForm(self.ec2, on_change=self.refresh)
        self.list = KeyPairList(self.ec2, on_change=self.refresh, load=False)
        self.delete = DeleteForm(self.ec2, on_change=self.refresh, load=False)
        self.tabs = _classed(w.Tab([self.create, self.import_, self.list, self.delete],
                                   titles=["Create", "Import", "List", "Delete"],
                                   layout=w.Layout(max_width="980px")), "kp-manager")
        for form in self.tabs.children:
            form.layout.padding = "8px 12px"
        header = w.HTML(_backend_badge(self.ec2), layout=w.Layout(margin="0 0 8px 0"))
        super().__init__([header, self.tabs])
        self.refresh()

    def __repr__(self) -> str:
        return "KeyPairManager: run this cell in Jupyter to use the manager."

    def refresh(self) -> None:
        """Describe the key pairs once and bring the list and the delete choices up to date."""
        try:
            items = model.all_key_pairs(self.ec2)
        except Exception as error:
            self.list.result.value = _box(escape(model.message_of(error)), "error")
            return
        self.list.refresh(items)
        self.delete.refresh(items)
