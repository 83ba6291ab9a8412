"""IPython extension that every kernel of the tutorial's environment loads: sandbox first.

`python -m helpers.kernel` installs it into this environment (the set-up does it for
you), so even a plain boto3.client("ec2") run before a notebook's set-up cell never reaches AWS.
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

KERNEL_CONFIG = Path(sys.prefix, "etc", "ipython", "ipython_kernel_config.py")
CONFIG_LINE = 'c.InteractiveShellApp.extensions.append("helpers.kernel")\n'
# Where an environment set up earlier loads it from (the extension lived in the sandbox's package).
# A cell's !ssh cannot be answered (trust this host? the key's passphrase?): ssh asks a program
# instead, which says no, and ssh fails at once in its own words (OpenSSH 8.4 and newer).
NO_QUESTIONS = {"SSH_ASKPASS_REQUIRE": "force", "SSH_ASKPASS": shutil.which("false") or "false"}
OLD_CONFIG_LINES = ('c.InteractiveShellApp.extensions.append("helpers.sandbox.kernel")\n',)
# How long a cell's !command waits, once the command has exited, for output still on its way.
LAST_OUTPUT_WAIT = 0.5


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Set the kernel up in a thread, so that it answers at once, and hold its first cell until
    that is done: the sandbox then routes even a plain boto3.client("ec2") of that cell."""
    kernel = getattr(ipython, "kernel", None)
    if kernel is not None:
        # The notebooks store the language without this machine's Python version; reporting the
        # same lets JupyterLab open one without marking it changed (no "Save your work?").
        kernel.language_info = {k: v for k, v in kernel.language_info.items() if k != "version"}
    problems: list[BaseException] = []
    setting_up = threading.Thread(target=_keep_errors(set_up, problems), name="sandbox-start",
                                  daemon=True)
    setting_up.start()

    def before_the_first_cell(*_: Any) -> None:
        setting_up.join()
        ipython.events.unregister("pre_run_cell", before_the_first_cell)
        if problems:  # the cell runs, but says at once that it is not on the sandbox
            print(f"The sandbox did not start ({problems[0]!r}): this kernel is NOT sandboxed. "
                  "Restart the kernel; if this comes back, run make setup again.",
                  file=sys.stderr)
            return
        from helpers.errors import TAUGHT

        ipython.set_custom_exc(TAUGHT, _show_taught_error)

    ipython.events.register("pre_run_cell", before_the_first_cell)


def _keep_errors(function: Callable[[], None], problems: list[BaseException]
                 ) -> Callable[[], None]:
    def run() -> None:
        try:
            function()
        except BaseException as error:  # shown by the first cell, not lost in the kernel's log
            problems.append(error)

    return run


def set_up() -> None:
    """Start the sandbox unless an endpoint or live AWS was chosen; on an endpoint, default to
    the README's Region, and on one on this machine answer checkip.amazonaws.com as the sandbox
    does; on live AWS, announce the account first. On every backend, ssh run from a cell never
    waits for an answer nobody can type."""
    import boto3

    from helpers import sandbox
    from helpers.backend import announce_live_changes, which_backend
    from helpers.facts import endpoint_url

    for name, value in NO_QUESTIONS.items():
        os.environ.setdefault(name, value)
    keep_the_last_output()

    try:
        backend = which_backend()
    except Exception:  # a conflicting opt-in: ec2_client() explains it in the notebook
        return
    if backend == "sandbox":
        sandbox.warm_up()
    elif backend == "endpoint":
        if boto3.session.Session().region_name is None:  # a plain boto3.client needs one
            os.environ["AWS_DEFAULT_REGION"] = sandbox.DEFAULT_REGION
        if urlparse(endpoint_url() or "").hostname in ("127.0.0.1", "localhost", "::1"):
            from helpers.sandbox import network

            network.answer_checkip()  # the sandbox server's instances let in the same address
    else:
        announce_live_changes(True)


def keep_the_last_output() -> None:
    """A cell's !command shows all it printed, even what reaches the terminal after it exits.

    IPython reads a !command through pexpect, which gives up at once on a command that has
    exited: output Linux has not yet passed on from the terminal is lost (now and then an !ssh
    showed nothing). Here it waits up to LAST_OUTPUT_WAIT for it; Linux says at once when there
    is none left, so a command that is done costs no wait."""
    import pexpect

    read = pexpect.spawn.read_nonblocking
    if getattr(read, "keeps_the_last_output", False):
        return

    def read_nonblocking(child: pexpect.spawn, size: int = 1, timeout: float | None = -1) -> Any:
        try:
            return read(child, size, timeout)
        except pexpect.EOF:
            if child.closed or not select.select([child.child_fd], [], [], LAST_OUTPUT_WAIT)[0]:
                raise
            child.flag_eof = False
            return pexpect.spawnbase.SpawnBase.read_nonblocking(child, size)  # EOF if none

    read_nonblocking.keeps_the_last_output = True  # type: ignore[attr-defined]
    pexpect.spawn.read_nonblocking = read_nonblocking


def _show_taught_error(shell: InteractiveShell, etype: type[BaseException], value: BaseException,
                       tb: TracebackType | None, tb_offset: int | None = None) -> list[str]:
    """IPython's handler for the errors the lessons teach: a short block, the same live as in
    the stored outputs; %tb still shows the whole traceback."""
    from helpers.errors import taught_error

    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    block = taught_error(value, tb)
    shell._showtraceback(etype, value, block)  # a list of lines, as ipykernel's override takes
    return block


def install() -> Path:
    """Make every IPython kernel of this environment load this extension; return the config."""
    KERNEL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    text = KERNEL_CONFIG.read_text() if KERNEL_CONFIG.exists() else ""
    for old in OLD_CONFIG_LINES:
        text = text.replace(old, "")
    if CONFIG_LINE not in text:
        text += CONFIG_LINE
    KERNEL_CONFIG.write_text(text)
    return KERNEL_CONFIG


if __name__ == "__main__":
    print(f"Kernels of {sys.prefix} start on the sandbox: {install()}")
