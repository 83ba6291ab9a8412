"""JupyterHub for a workshop room (make hub): every attendee logs in with any name and the shared
password the presenter chose, and gets their own JupyterLab, their own copy of the notebooks, and
in every kernel their own sandbox (moto inside the kernel, as with make lab).

All attendees run as the OS user who started the Hub, each in their own folder under the state
folder: fine for a workshop on one machine, not a security boundary (code in one attendee's kernel
can read another's folder). docs/workshop-hub.md says how to serve a bigger room.

Set by the environment (the Makefile passes them on):
  HUB_PASSWORD        the attendees' shared password, 8 characters or more (required)
  HUB_ADMIN           the presenter's name, an admin (optional); needs HUB_ADMIN_PASSWORD,
  HUB_ADMIN_PASSWORD  32 characters or more, and not the attendees' password
  HUB_IP, HUB_PORT    where the room connects: 127.0.0.1:8000 unless asked (HUB_IP=0.0.0.0)
  HUB_STATE           the Hub's database and the attendees' folders: hub/state (ignored by git)
"""

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config for its config files)

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("HUB_STATE") or ROOT / "hub" / "state").resolve()
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
# What each attendee gets a copy of: the notebooks, and what their links open. Never keys/.
COPIED = ("notebooks", "recipes", "docs/sandbox-fidelity.md")

password = os.environ.get("HUB_PASSWORD", "")
admin = os.environ.get("HUB_ADMIN", "")
admin_password = os.environ.get("HUB_ADMIN_PASSWORD", "")
if len(password) < 8:
    sys.exit("Refusing to start: set the attendees' shared password, 8 characters or more, "
             "with HUB_PASSWORD=... make hub")
if admin and (len(admin_password) < 32 or admin_password == password):
    sys.exit("Refusing to start: HUB_ADMIN needs its own HUB_ADMIN_PASSWORD of 32 characters or "
             "more (python3 -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)")
if not PROXY.exists():
    sys.exit(f"Refusing to start: the proxy is not installed at {PROXY}: run make hub")

# Where the room connects (the proxy), and the Hub's own state. The cookie secret is new at each
# start: nothing secret is stored, and a restarted Hub asks everyone to log in again.
STATE.mkdir(parents=True, exist_ok=True)
c.JupyterHub.ip = os.environ.get("HUB_IP") or "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("HUB_PORT") or 8000)
c.JupyterHub.cookie_secret = secrets.token_bytes(32)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# Login: any name (up to 32 letters, digits, '.', '_' or '-'; it names their folder) with the
# shared password; the presenter logs in as HUB_ADMIN with the admin password.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,31}$"
if admin:
    c.Authenticator.admin_users = {admin}
    c.SharedPasswordAuthenticator.admin_password = admin_password

# Each attendee's JupyterLab runs in this environment (so its kernels start on the sandbox), from
# their own folder. Only PATH, LANG and the like reach it: not AWS_ENDPOINT_URL, not
# EC2_KEYPAIRS_LIVE, so every attendee is on the sandbox whatever the presenter's shell holds.
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab/tree/notebooks/00_setup.ipynb"
# No extension catalogue, as make lab; Jupyter refuses root without --allow-root (CI runs as root).
c.Spawner.args = ["--LabApp.extension_manager=readonly", *(["--allow-root"] * (os.getuid() == 0))]
# Kernels talk to their server over Unix sockets, not TCP ports: with a room starting kernels at
# once, a port picked free for one kernel can be taken before it binds it, and that kernel dies
# at start. The sockets live in a short private folder per attendee (a socket's path holds 107
# bytes), removed when the Hub stops.
RUNTIME = Path(tempfile.mkdtemp(prefix="hub-"))
atexit.register(shutil.rmtree, RUNTIME, ignore_errors=True)
c.Spawner.args.append("--KernelManager.transport=ipc")
c.Spawner.environment = {"JUPYTER_RUNTIME_DIR": lambda spawner: str(RUNTIME / spawner.user.name)}
# A room logs in at once: on a small machine, twenty servers take a minute or two to start.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300


def copy_the_tutorial(spawner) -> None:
    """Before an attendee's first start, copy the tutorial into their folder; a later start keeps
    what they changed."""
    home = Path(spawner.home_dir)
    for name in COPIED:
        source, target = ROOT / name, home / name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(
                "keys", ".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(source, target)


c.Spawner.pre_spawn_hook = copy_the_tutorial
