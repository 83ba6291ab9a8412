"""press(), the one way widget tests press a button: it refuses what a person could not press."""

from __future__ import annotations

import ipywidgets as w
import pytest

from tests.person import CannotPress, press


def counted() -> tuple[w.Button, list[int]]:
    """A button, and the list its clicks add to."""
    button, clicks = w.Button(description="Go"), []
    button.on_click(lambda _: clicks.append(1))
    return button, clicks


def test_a_button_that_is_on_and_shown_is_pressed():
    button, clicks = counted()
    page = w.Tab([w.VBox([w.HBox([button])]), w.VBox()], titles=["Here", "There"])
    press(button)
    assert clicks == [1] and page.selected_index == 0


def test_a_button_that_is_off_cannot_be_pressed():
    button, clicks = counted()
    button.disabled = True
    with pytest.raises(CannotPress, match="'Go' is off: a person cannot press it"):
        press(button)
    assert clicks == [], "the handler ran"


def test_a_hidden_button_cannot_be_pressed():
    button, clicks = counted()
    button.layout.display = "none"
    with pytest.raises(CannotPress, match=r"cannot be seen \(it is hidden\)"):
        press(button)
    button.layout.display = None
    button.layout.visibility = "hidden"
    with pytest.raises(CannotPress, match=r"cannot be seen \(it is hidden\)"):
        press(button)
    assert clicks == []


def test_a_button_in_a_hidden_box_or_another_tab_cannot_be_pressed():
    button, clicks = counted()
    inner = w.HBox([button])
    outer = w.VBox([inner], layout=w.Layout(display="none"))
    with pytest.raises(CannotPress, match=r"\(the VBox it is in is hidden\)"):
        press(button)
    outer.layout.display = None
    tabs = w.Tab([w.VBox(), outer], titles=["First", "Second"])
    with pytest.raises(CannotPress, match=r"in the 'Second' tab, which is not chosen"):
        press(button)
    tabs.selected_index = 1
    press(button)
    assert clicks == [1]
