"""The create form."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from helpers import forms_model as model
from helpers.forms.widgets import (
    LABELS,
    WIDE,
    Form,
    TagRows,
    box,
    classed,
    header,
    hint,
    submit_button,
)
from helpers.keyfiles import default_key_dir

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client


class CreateForm(Form):
    """Create a key pair, tagged as the tutorial's, and save its private key to a folder (0600)."""

    def __init__(self, ec2: EC2Client | None = None, *, folder: str | Path | None = None,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        field = w.Layout(width=WIDE)
        self.name = classed(w.Text(description="Key name", placeholder="e.g. my-laptop",
                                    style=LABELS, layout=field), "kp-create-name")
        self.name_problem = classed(w.HTML(layout=w.Layout(margin="0 0 4px 140px")),
                                     "kp-name-problem")
        self.key_type = classed(w.ToggleButtons(
            options=[("RSA 2048", "rsa"), ("ED25519", "ed25519")], description="Key type",
            tooltips=["Works everywhere, Windows instances included", "Shorter and modern; "
                      "not for Windows instances"], style=LABELS),
            "kp-create-type", "widget-inline-hbox")
        self.key_type.layout.margin = "2px 0 4px 0"  # label beside the buttons, like Text's
        self.key_format = classed(w.ToggleButtons(
            options=[("PEM · OpenSSH", "pem"), ("PPK · PuTTY", "ppk")], description="File format",
            tooltips=["For ssh -i on Linux and macOS", "For PuTTY on Windows"], style=LABELS),
            "kp-create-format", "widget-inline-hbox")
        self.tags = TagRows(self._validate, "kp-create-tags")
        self.tags_problem = w.HTML(layout=w.Layout(margin="0 0 4px 140px"))
        self.folder = classed(w.Text(str(folder or default_key_dir()), description="Save to folder",
                                     style=LABELS, layout=field), "kp-create-folder")
        self.folder_problem = w.HTML(layout=w.Layout(margin="0 0 4px 140px"))
        self.button = submit_button("Create key pair", "kp-create-button")
        self.result = classed(w.HTML(), "kp-create-result")
        super().__init__(ec2, on_change, children=[
            header("Create a key pair", "EC2 makes the pair and keeps the public key. The "
                    "private key comes back once: it is saved to the folder (mode 0600) and "
                    "never shown."),
            self.name, self.name_problem, self.key_type, self.key_format, self.tags,
            self.tags_problem, self.folder, self.folder_problem, self.button, self.result])
        classed(self, "kp-create-form")
        for widget in (self.name, self.folder):
            widget.observe(lambda _: self._validate(), "value")
        self.button.on_click(self._create)
        if load:
            self.refresh()  # the names already taken
        else:
            self._validate()

    def _validate(self) -> None:
        name_problem = model.name_problem(self.name.value, self.taken)
        self.name_problem.value = hint(name_problem, quiet=not self.name.value)
        tags_problem = model.tags_problem(self.tags.rows())
        self.tags_problem.value = hint(tags_problem, quiet=False)
        self.folder_problem.value = hint(model.save_folder_problem(self.folder.value), quiet=False)
        problem = model.create_problem(self.name.value, self.tags.rows(), self.folder.value,
                                       self.taken)
        self.button.disabled = self.running or problem is not None

    def _create(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        with self._busy(self.button, "Creating…"):
            self.result.value = box(f"Creating <b>{escape(self.name.value)}</b>…")
            try:
                made = model.create_and_save(
                    self.ec2, self.name.value, key_type=self.key_type.value,
                    key_format=self.key_format.value, rows=self.tags.rows(),
                    folder=self.folder.value)
            except Exception as error:  # then described again: a name taken meanwhile shows
                said = box(escape(model.message_of(error)), "error")
            else:
                said = box(
                    f"Created <b>{escape(made.name)}</b> ({escape(made.key_pair_id)}).<br>"
                    f"Fingerprint: <code>{escape(made.fingerprint)}</code><br>"
                    f"Private key saved to <code>{escape(made.shown_path())}</code> (mode 0600"
                    f"{', replacing the file another sandbox left' * made.replaced_file}): "
                    "keep it safe, EC2 cannot give it to you again."
                    f"<span class='kp-login'><br>Log in: <code>{escape(made.login_command())}"
                    "</code></span>", "ok")
                self.name.value = ""  # ready for the next key; the button is off until a new name
                self.tags.clear()
            self._changed(said)
