"""The import form."""

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
from helpers.rules import shows_private_key

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

PRIVATE_KEY_PASTED = (
    "That was a private key: it is cleared from the form and was sent nowhere. Paste the public "
    "half (the .pub file) instead; if others saw the private key, make a new key pair.")


class ImportForm(Form):
    """Import the public half of a key pair you made yourself: paste it, or upload a .pub file."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 on_change: Callable[[], None] | None = None, load: bool = True) -> None:
        self.name = classed(w.Text(description="Key name", placeholder="e.g. my-laptop",
                                    style=LABELS, layout=w.Layout(width=WIDE)), "kp-import-name")
        self.name_problem = classed(w.HTML(layout=w.Layout(margin="0 0 4px 140px")),
                                     "kp-name-problem")
        self.text = classed(w.Textarea(
            description="Public key", placeholder="ssh-ed25519 AAAA... you@laptop",
            style=LABELS, layout=w.Layout(width=WIDE, height="90px")), "kp-import-text")
        self.upload = classed(w.FileUpload(
            accept=".pub", multiple=False, description="Upload .pub file",
            layout=w.Layout(width="180px", margin="2px 0 4px 140px")), "kp-import-upload")
        self.tags = TagRows(self._validate, "kp-import-tags")
        self.tags_problem = w.HTML(layout=w.Layout(margin="0 0 4px 140px"))
        self.button = submit_button("Import public key", "kp-import-button")
        self.result = classed(w.HTML(), "kp-import-result")
        self.key_refused = False  # the result says a key was refused (it goes with the next key)
        super().__init__(ec2, on_change, children=[
            header("Import a public key", "Made your key pair yourself (ssh-keygen -t ed25519)? "
                    "Give EC2 the public half: paste the one line of the .pub file, or upload it. "
                    "The private key never leaves your machine."),
            self.name, self.name_problem, self.text, self.upload, self.tags, self.tags_problem,
            self.button, self.result])
        classed(self, "kp-import-form")
        for widget in (self.name, self.text):
            widget.observe(lambda _: self._validate(), "value")
        self.text.observe(self._pasted, "value")
        self.upload.observe(self._uploaded, "value")
        self.button.on_click(self._import)
        if load:
            self.refresh()  # the names already taken
        else:
            self._validate()

    def _validate(self) -> None:
        self.name_problem.value = hint(model.name_problem(self.name.value, self.taken),
                                        quiet=not self.name.value)
        self.tags_problem.value = hint(model.tags_problem(self.tags.rows()), quiet=False)
        problem = model.import_problem(self.name.value, self.text.value, self.tags.rows(),
                                       self.taken)
        self.button.disabled = self.running or problem is not None

    def _pasted(self, change: dict[str, Any]) -> None:
        # A private key pasted by mistake leaves the screen at once: on a projector or a shared
        # screen, every second it shows is a second others can read it.
        if shows_private_key(change["new"]):
            self.text.value = ""
            self._refuse_key(PRIVATE_KEY_PASTED)
        elif change["new"].strip() and self.key_refused:  # the refusal was about another key
            self.result.value = ""
            self.key_refused = False

    def _refuse_key(self, message: str) -> None:
        self.result.value = box(message, "error")
        self.key_refused = True

    def _uploaded(self, change: dict[str, Any]) -> None:
        # The file's text goes into the text box, and the upload is emptied: one place holds the
        # key that will be imported, and a private key uploaded by mistake stays nowhere.
        if not change["new"]:
            return
        self.upload.value = ()
        try:
            uploaded = model.uploaded_public_key(change["new"])
        except Exception as error:
            self._refuse_key(escape(model.message_of(error)))
            return
        if uploaded is None:  # a value that holds no file
            return
        file_name, text = uploaded
        self.text.value = text
        if not self.name.value:
            self.name.value = Path(file_name).stem
        self.result.value = ""

    def _import(self, _: Any = None) -> None:
        if self.running or self.button.disabled:
            return
        with self._busy(self.button, "Importing…"):
            self.result.value = box(f"Importing <b>{escape(self.name.value)}</b>…")
            try:
                made = model.import_public_key(self.ec2, self.name.value, self.text.value,
                                               rows=self.tags.rows())
            except Exception as error:  # then described again: a name taken meanwhile shows
                said = box(escape(model.message_of(error)), "error")
            else:
                said = box(
                    f"Imported <b>{escape(made.name)}</b> ({escape(made.key_pair_id)}).<br>"
                    f"Fingerprint: <code>{escape(made.fingerprint)}</code>", "ok")
                self.name.value = self.text.value = ""
                self.tags.clear()
            self._changed(said)


