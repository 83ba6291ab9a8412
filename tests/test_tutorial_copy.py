"""An attendee's copy of the tutorial on the workshop Hub (hub/tutorial_copy.py): made once,
brought up to a newer tutorial without overwriting anything the attendee changed (nbgitpuller's
rules, file by file), and reset to the tutorial's with their own notebooks kept beside."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from hub.tutorial_copy import bring_up_to_date, reset
from tests.conftest import copy_the_tutorial

NOW = datetime(2026, 11, 5, 14, 5, 12)
LATER = datetime(2026, 11, 5, 15, 30, 0)
NOTEBOOK, OTHER = "notebooks/02_create_key_pair.ipynb", "notebooks/03_delete_key_pair.ipynb"


@pytest.fixture
def tutorial(tmp_path) -> Path:
    """A copy of the tutorial the test may change, as a presenter fixing a notebook."""
    return copy_the_tutorial(tmp_path / "tutorial")


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and not p.name.startswith(".")}


def test_the_first_copy_holds_the_notebooks_recipes_and_notes_and_no_test_file(tutorial,
                                                                                tmp_path):
    home = tmp_path / "home"
    changes = bring_up_to_date(tutorial, home, NOW)
    assert files(home) == files(tutorial)
    assert {Path(name).suffix for name in files(home / "notebooks")} == {".ipynb"}
    assert sorted(changes.added) == sorted(files(home))


def test_an_update_replaces_what_the_attendee_never_changed_and_keeps_what_they_did(tutorial,
                                                                                     tmp_path):
    home = tmp_path / "home"
    bring_up_to_date(tutorial, home, NOW)
    (home / NOTEBOOK).write_text('{"cells": ["mine"]}')  # the attendee's work
    (home / "notebooks" / "04_import_key_pair.ipynb").unlink()  # deleted by mistake
    (home / "notebooks" / "my-notes.ipynb").write_text("{}")  # their own notebook
    for path in (NOTEBOOK, OTHER):  # the presenter fixes two notebooks
        (tutorial / path).write_text((tutorial / path).read_text().replace("key pair",
                                                                           "key-pair", 1))
    (tutorial / "notebooks" / "08_new.ipynb").write_text("{}")  # and adds one

    changes = bring_up_to_date(tutorial, home, LATER)
    assert (home / NOTEBOOK).read_text() == '{"cells": ["mine"]}'  # never overwritten
    beside = "notebooks/02_create_key_pair.tutorial-20261105-153000.ipynb"
    assert changes.beside == [beside]
    assert (home / beside).read_text() == (tutorial / NOTEBOOK).read_text()
    assert changes.updated == [OTHER]
    assert (home / OTHER).read_text() == (tutorial / OTHER).read_text()
    assert sorted(changes.added) == ["notebooks/04_import_key_pair.ipynb",
                                     "notebooks/08_new.ipynb"]
    assert (home / "notebooks" / "my-notes.ipynb").read_text() == "{}"

    again = bring_up_to_date(tutorial, home, LATER.replace(minute=45))  # pressed twice
    assert not again, "a second update with nothing new changed something"


def test_a_reset_gives_the_tutorials_notebooks_back_and_keeps_the_attendees_beside(tutorial,
                                                                                 tmp_path):
    home = tmp_path / "home"
    bring_up_to_date(tutorial, home, NOW)
    (home / NOTEBOOK).write_text('{"cells": ["mine"]}')
    (home / OTHER).unlink()
    (home / "notebooks" / "my-notes.ipynb").write_text("{}")

    changes = reset(tutorial, home, LATER)
    kept = "notebooks/02_create_key_pair.yours-20261105-153000.ipynb"
    assert changes.kept_as == [kept]
    assert (home / kept).read_text() == '{"cells": ["mine"]}'
    for path in (NOTEBOOK, OTHER):
        assert (home / path).read_bytes() == (tutorial / path).read_bytes()
    assert (home / "notebooks" / "my-notes.ipynb").exists()
    # and a later update sees the reset notebooks as the tutorial's: it may replace them
    (tutorial / NOTEBOOK).write_text((tutorial / NOTEBOOK).read_text() + " ")
    assert bring_up_to_date(tutorial, home, LATER).updated == [NOTEBOOK]


def test_a_folder_copied_before_records_keeps_the_attendees_work_without_copies_beside(
        tutorial, tmp_path):
    """As the Hub copied before this record existed: the first start since changes nothing."""
    home = tmp_path / "home"
    shutil.copytree(tutorial / "notebooks", home / "notebooks")
    (home / NOTEBOOK).write_text('{"cells": ["mine"]}')
    (home / OTHER).unlink()
    changes = bring_up_to_date(tutorial, home, NOW)
    assert (home / NOTEBOOK).read_text() == '{"cells": ["mine"]}'
    assert changes.beside == [] and changes.updated == []
    assert set(changes.added) == {OTHER, *[p for p in files(tutorial) if
                                           not p.startswith("notebooks/")]}
