"""IPython extension that every kernel of the tutorial's environment loads: sandbox first.

`python -m helpers.sandbox.kernel` installs it into this environment (the set-up does it for
you), so even a plain boto3.client("ec2") run before a notebook's set-up cell never reaches AWS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3

from helpers import sandbox
from helpers.backend import announce_live_changes, which_backend
from helpers.errors import TAUGHT, taught_error

KERNEL_CONFIG = Path(sys.prefix, "etc", "ipython", "ipython_kernel_config.py")
CONFIG_LINE = 'c.InteractiveShellApp.extensions.append("helpers.sandbox.kernel")\n'
OLD_CONFIG_LINES = ('c.InteractiveShellApp.extensions.append("helpers.kernel")\n',)


def load_ipython_extension(ipython) -> None:
    """Start the sandbox in this kernel unless an endpoint or live AWS was chosen; on an
    endpoint, default to the README's Region; on live AWS, announce the account first. Show
    the errors the lessons teach as a short block."""
    ipython.set_custom_exc(TAUGHT, _show_taught_error)
    kernel = getattr(ipython, "kernel", None)
    if kernel is not None:
        # The notebooks store the language without this machine's Python version; reporting the
        # same lets JupyterLab open one without marking it changed (no "Save your work?").
        kernel.language_info = {k: v for k, v in kernel.language_info.items() if k != "version"}
    try:
        backend = which_backend()
    except Exception:  # a conflicting opt-in: ec2_client() explains it in the notebook
        return
    if backend == "sandbox":
        sandbox.warm_up()
    elif backend == "endpoint":
        if boto3.session.Session().region_name is None:  # a plain boto3.client needs one
            os.environ["AWS_DEFAULT_REGION"] = sandbox.DEFAULT_REGION
    else:
        announce_live_changes(True)


def _show_taught_error(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's handler for the errors the lessons teach: a short block, the same live as in
    the stored outputs; %tb still shows the whole traceback."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    block = taught_error(value, tb)
    shell._showtraceback(etype, value, block)
    return block


def install() -> Path:
    """Make every IPython kernel of this environment load this extension; return the config."""
    KERNEL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    text = KERNEL_CONFIG.read_text() if KERNEL_CONFIG.exists() else ""
    for old in OLD_CONFIG_LINES:  # an environment set up before the sandbox had its own package
        text = text.replace(old, "")
    if CONFIG_LINE not in text:
        text += CONFIG_LINE
    KERNEL_CONFIG.write_text(text)
    return KERNEL_CONFIG


if __name__ == "__main__":
    print(f"Kernels of {sys.prefix} start on the sandbox: {install()}")
