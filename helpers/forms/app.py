"""The workshop app that `make demo` serves: the manager, under a bar made for the audience
(the title and the backend badge) and a presenter's controls (reset, samples, large text)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from helpers import forms_model as model
from helpers import workshop
from helpers.backend import client_backend, ec2_client
from helpers.forms.manager import KeyPairManager, backend_badge
from helpers.forms.widgets import Form, box, classed

STYLE = (Path(__file__).with_name("app.css")).read_text()
TITLE = "EC2 key pairs"
LARGE_TEXT = {True: "☑ Large text", False: "☐ Large text"}  # the button says its state


class WorkshopApp(Form):
    """The manager for a room: big, high-contrast and empty at first; the presenter resets the
    sandbox or loads sample key pairs between demos."""

    def __init__(self, *, folder: str | Path | None = None) -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # the badge says which backend
            ec2 = ec2_client()
        backend = client_backend(ec2)
        self.manager = KeyPairManager(ec2, folder=folder, badge=False)
        self.reset = classed(w.Button(description="Reset sandbox", tooltip="Delete every key "
                                      "pair and its sandbox key file"), "kp-reset")
        self.samples = classed(w.Button(description="Load sample key pairs", tooltip="Import "
                                        "four key pairs to list, filter and delete"),
                               "kp-samples")
        self.large = classed(w.ToggleButton(value=True, description=LARGE_TEXT[True],
                                            tooltip="Large text, high contrast"), "kp-large-text")
        self.status = classed(w.HTML(), "kp-presenter-status")
        self.reset.layout.display = None if backend == "sandbox" else "none"
        self.samples.layout.display = None if backend != "live" else "none"
        self.reset.on_click(self._reset)
        self.samples.on_click(self._load_samples)
        self.large.observe(self._large_text, "value")
        # The status sits with the controls whose clicks it reports, over the bar (app.css): it
        # never moves the forms when it shows or goes.
        controls = classed(w.HBox([self.status, self.reset, self.samples, self.large]),
                           "kp-presenter")
        bar = classed(w.HBox([w.HTML(f"<h1>{TITLE}</h1>"), w.HTML(backend_badge(ec2)),
                              controls]), "kp-app-bar")
        super().__init__(ec2, None, children=[w.HTML(f"<style>{STYLE}</style>"), bar,
                                              self.manager])
        classed(self, "kp-app", "kp-large")

    def __repr__(self) -> str:
        return "WorkshopApp: run this cell in Jupyter (or make demo) to use the app."

    def _large_text(self, change: dict[str, Any]) -> None:
        """The button says the state, and the status line what it means: a fill alone does not
        show which way it is."""
        large = change["new"]
        (self.add_class if large else self.remove_class)("kp-large")
        self.large.description = LARGE_TEXT[large]
        self._say("Large text on: for the room, 18 px and more." if large else
                  "Large text off: the normal size, for your own screen.")

    def _say(self, sentence: str) -> None:
        """What a presenter's click did, beside the controls, fading after a few seconds."""
        self.status.value = f'<div class="kp-fades">{box(escape(sentence), "ok")}</div>'

    def _act(self, button: w.Button, label: str, action: Callable[[], str]) -> None:
        """Run action (which returns what to say) with a busy button, then refresh the forms."""
        if self.running:
            return
        said = ""
        with self._busy(button, label):
            try:
                said = action()
            except Exception as error:
                self.status.value = box(escape(model.message_of(error)), "error")
        self.manager.refresh()  # the lists first: see widgets.Form._changed
        if said:
            self._say(said)

    def _reset(self, _: Any = None) -> None:
        def reset() -> str:
            gone = workshop.reset_sandbox(self.ec2).deleted
            for form in (self.manager.create, self.manager.import_, self.manager.delete):
                form.result.value = ""
            return f"Sandbox reset: {len(gone)} key pair{'s' * (len(gone) != 1)} deleted."
        self._act(self.reset, "Resetting…", reset)

    def _load_samples(self, _: Any = None) -> None:
        def load() -> str:
            loaded = workshop.load_samples(self.ec2)
            return (f"Loaded {', '.join(loaded)}." if loaded
                    else "The sample key pairs are already there.")
        self._act(self.samples, "Loading…", load)
