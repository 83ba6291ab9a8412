"""The manager: the four forms in tabs, and the backend they act on."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as w

from helpers import forms_model as model
from helpers.backend import client_backend, ec2_client
from helpers.forms.create import CreateForm
from helpers.forms.delete import DeleteForm
from helpers.forms.import_form import ImportForm
from helpers.forms.listing import KeyPairList
from helpers.forms.static import StillPicture
from helpers.forms.widgets import COLOURS, box, classed

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

BADGES = {
    "sandbox": ("ok", "Sandbox", "moto in this kernel: no AWS account, nothing leaves this "
                "machine"),
    "endpoint": ("info", "Endpoint {url}", "a local server"),
    "live": ("error", "LIVE AWS", "every action changes your AWS account"),
}


def backend_badge(ec2: EC2Client) -> str:
    """Which backend and Region the client acts on, impossible to miss when it is live AWS."""
    kind, name, note = BADGES[client_backend(ec2)]
    ink, paper = COLOURS[kind]
    name = name.format(url=escape(ec2.meta.endpoint_url))
    return (f'<span title="{escape(note)}" style="background:{paper};color:{ink};'
            f'border:1px solid {ink};border-radius:10px;padding:1px 10px;font-weight:600">'
            f'● {name} · '
            f'{escape(ec2.meta.region_name or "")}</span>'
            f'<span class="kp-help" style="color:#546e7a;margin-left:8px">{note}</span>')


class KeyPairManager(StillPicture, w.VBox):
    """The four forms in tabs (Create, Import, List, Delete), kept in sync after every action."""

    def __init__(self, ec2: EC2Client | None = None, *,
                 folder: str | Path | None = None, badge: bool = True) -> None:
        self.ec2 = ec2 if ec2 is not None else ec2_client()
        self.create = CreateForm(self.ec2, folder=folder, on_change=self.refresh, load=False)
        self.import_ = ImportForm(self.ec2, on_change=self.refresh, load=False)
        self.list = KeyPairList(self.ec2, on_change=self.refresh, load=False)
        self.delete = DeleteForm(self.ec2, on_change=self.refresh, load=False)
        self.tabs = classed(w.Tab([self.create, self.import_, self.list, self.delete],
                                   titles=["Create", "Import", "List", "Delete"],
                                   layout=w.Layout(max_width="980px")), "kp-manager")
        for form in self.tabs.children:
            form.layout.padding = "8px 12px"
        header = w.HTML(backend_badge(self.ec2), layout=w.Layout(margin="0 0 8px 0"))
        super().__init__([header, self.tabs] if badge else [self.tabs])
        self.refresh()

    def __repr__(self) -> str:
        return "KeyPairManager: run this cell in Jupyter to use the manager."

    def refresh(self) -> None:
        """Describe the key pairs once and bring every form up to date (names taken, the list,
        the delete choices)."""
        try:
            items = model.all_key_pairs(self.ec2)
        except Exception as error:
            self.list.result.value = box(escape(model.message_of(error)), "error")
            return
        for form in self.tabs.children:
            form.refresh(items)
