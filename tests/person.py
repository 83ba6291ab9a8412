"""What a person can do with a form's widgets: press a button they can see and that is on.

Button.click() runs the handlers even on a button that is off or hidden, which no person can
press: a test that clicks that way passes where the browser is stuck (issue 32: "Yes, delete"
stayed off after the first delete, and the widget test still deleted twice). Every widget test
presses through press().
"""

from __future__ import annotations

import ipywidgets as w
from ipywidgets.widgets.widget import _instances


class CannotPress(AssertionError):
    """The button is off or hidden: a person could not press it."""


def _parents() -> dict[int, w.Widget]:
    """Every live widget's container (ipywidgets keeps no link from a child to its parent)."""
    return {id(child): widget for widget in list(_instances.values())
            for child in getattr(widget, "children", ())}


def hidden_by(widget: w.Widget) -> str | None:
    """Why the widget is not on screen (it, or a box it is in, is hidden; or it is in a tab that
    is not chosen), or None."""
    parents, node = _parents(), widget
    while node is not None:
        layout = getattr(node, "layout", None)
        if layout is not None and (layout.display == "none" or layout.visibility == "hidden"):
            where = "it is" if node is widget else f"the {type(node).__name__} it is in is"
            return f"{where} hidden"
        parent = parents.get(id(node))
        if isinstance(parent, w.widgets.widget_selectioncontainer._SelectionContainer):
            if parent.children.index(node) != parent.selected_index:
                title = parent.titles[parent.children.index(node)] or "its tab"
                return f"it is in the {title!r} tab, which is not chosen"
        node = parent
    return None


def press(button: w.Button) -> None:
    """Press the button as a person does: fail if it is off or cannot be seen."""
    if button.disabled:
        raise CannotPress(f"{button.description!r} is off: a person cannot press it")
    why = hidden_by(button)
    if why:
        raise CannotPress(f"{button.description!r} cannot be seen ({why}): a person cannot "
                          "press it")
    button.click()
