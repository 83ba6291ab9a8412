"""A still picture of a form in HTML, for where no kernel runs (GitHub, nbviewer, a book): the
fields, choices and buttons as they first show, drawn with plain elements, nothing to click."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

FIELD = "border:1px solid #90a4ae;border-radius:2px;padding:2px 8px;min-width:180px"
BUTTON = "border:1px solid #90a4ae;border-radius:2px;padding:2px 12px;background:#eceff1"
CHOSEN = "border:1px solid #0d47a1;border-radius:2px;padding:2px 12px;background:#0d47a1;" \
         "color:#fff;font-weight:600"
NOTE = "Still picture of the form: open the notebook in Jupyter and run it to use it."


def _row(label: str, *parts: str) -> str:
    return ('<div style="display:flex;gap:6px;align-items:baseline;margin:3px 0">'
            f'<span style="width:130px;text-align:right;flex:none">{escape(label)}</span>'
            f'{"".join(parts)}</div>')


def _span(text: str, style: str) -> str:
    return f'<span style="{style}">{escape(text)}</span>'


def _sized(widget: w.Widget) -> str:
    """The widget's own width, as its layout gives it (a label lined up with the others, a
    field of a tag row), for a style attribute."""
    layout = widget.layout
    return "".join(f"{name}:{value};" for name, value in
                   (("width", layout.width), ("flex", layout.flex)) if value)


def _draw(widget: w.Widget) -> str:
    """One widget, and what it holds, as HTML."""
    if getattr(widget, "layout", None) is not None and widget.layout.display == "none":
        return ""
    if isinstance(widget, w.Tab):
        titles = "".join(_span(title, CHOSEN if i == (widget.selected_index or 0) else BUTTON)
                         for i, title in enumerate(widget.titles))
        shown = widget.children[widget.selected_index or 0] if widget.children else None
        return (f'<div style="display:flex;gap:2px">{titles}</div><div style="border:1px solid '
                f'#cfd8dc;padding:8px 12px">{_draw(shown) if shown else ""}</div>')
    if isinstance(widget, w.Box):
        direction = "row" if isinstance(widget, w.HBox) else "column"
        inner = "".join(_draw(child) for child in widget.children)
        return (f'<div style="display:flex;flex-direction:{direction};gap:4px;'
                f'align-items:flex-start">{inner}</div>')
    if isinstance(widget, w.HTML):
        if not widget.value or widget.value.lstrip().startswith("<style>"):
            return ""
        return (f'<div style="margin:{widget.layout.margin or 0};{_sized(widget)}">'
                f'{widget.value}</div>')
    if isinstance(widget, (w.Text, w.Textarea)):
        text, colour = (widget.value, "#111") if widget.value else (widget.placeholder, "#78909c")
        if not widget.description:  # a field in a row of its own kind (a tag's key, its value)
            return _span(text, f"{FIELD};color:{colour};min-width:0;box-sizing:border-box;"
                               f"{_sized(widget)}")
        return _row(widget.description, _span(text, f"{FIELD};color:{colour}"))
    if isinstance(widget, w.ToggleButtons):
        return _row(widget.description, *(_span(label, CHOSEN if i == widget.index else BUTTON)
                                          for i, label in enumerate(widget._options_labels)))
    if isinstance(widget, w.SelectMultiple):
        items = ", ".join(widget._options_labels) or "(none yet)"
        return _row(widget.description, _span(items, FIELD))
    if isinstance(widget, w.Checkbox):
        return _row("", _span(("☑ " if widget.value else "☐ ") + widget.description, ""))
    if isinstance(widget, (w.Button, w.ToggleButton, w.FileUpload)):
        style = CHOSEN if getattr(widget, "value", False) is True else BUTTON
        return _span(widget.description, f"{style};white-space:nowrap;{_sized(widget)}"
                                         f"{'opacity:.6' * bool(widget.disabled)}")
    return ""


def still_picture(widget: w.Widget) -> str:
    """The widget as a static HTML picture, headed by a line saying it is one."""
    return (f'<div style="font-size:13px;line-height:1.5">'
            f'<div style="color:#546e7a;font-style:italic;margin-bottom:4px">{NOTE}</div>'
            f"{_draw(widget)}</div>")


class StillPicture:
    """Mixed into a widget: its output also carries a still picture (text/html), which JupyterLab
    and Voilà pass over for the live widget, and static renderers show instead."""

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        # The widget's, which follows this class in the form's bases.
        bundle: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        return {**bundle, "text/html": still_picture(self)} if bundle else bundle
