"""JupyterHub for a workshop room (make hub): every attendee logs in with any name and the shared
password the presenter chose, and gets their own JupyterLab, their own copy of the notebooks, and
in every kernel their own sandbox (moto inside the kernel, as with make lab).

All attendees run as the OS user who started the Hub, each in their own folder under the state
folder: fine for a workshop on one machine, not a security boundary (code in one attendee's kernel
can read another's folder). The login page (hub/templates/login.html) says which names the Hub
takes, and why a login was refused. docs/workshop-hub.md says how to serve a bigger room.

Set by the environment (the Makefile passes them on):
  HUB_PASSWORD        the attendees' shared password, 8 characters or more (required)
  HUB_ADMIN           the presenter's name, an admin (optional); needs HUB_ADMIN_PASSWORD,
  HUB_ADMIN_PASSWORD  32 characters or more, and not the attendees' password
  HUB_IP, HUB_PORT    where the room connects: 127.0.0.1:8000 unless asked (HUB_IP=0.0.0.0)
  HUB_SSL_CERT,       a certificate and its key (PEM; a relative path is from the repository's
  HUB_SSL_KEY         folder): the room connects with HTTPS. Required on an address other than
                      loopback, where the room password would cross the network in plain text.
  HUB_STATE           the Hub's database and the attendees' folders: hub/state (ignored by git)
  HUB_SERVER_IDLE     seconds before an idle attendee's server is stopped (3600; files stay)
  HUB_KERNEL_IDLE     seconds before a kernel that ran nothing is shut down (1200)
  HUB_TUTORIAL        the folder whose notebooks attendees get (the repository's, unless given:
                      the tests give a copy they change)

The presenter's room view (hub/room_service.py, a Hub service for admins) shows each attendee's
exercises live, resets one attendee's notebooks, and brings every copy up to the tutorial as it
is now (hub/tutorial_copy.py says how, without overwriting an attendee's work).
"""

import atexit
import ipaddress
import logging
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config for its config files)

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("HUB_STATE") or ROOT / "hub" / "state").resolve()
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
TUTORIAL = Path(os.environ.get("HUB_TUTORIAL") or ROOT).resolve()
sys.path.insert(0, str(ROOT / "hub"))
import tutorial_copy  # noqa: E402 (beside this file: what each attendee's copy holds, and how)
from room_login import RoomAuthenticator  # noqa: E402 (one name, one person)

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


def taken(ip: str, port: int) -> bool:
    """Whether something already listens on ip:port (another Hub, make lab, make demo)."""
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as probe:
        try:
            probe.bind((ip, port))
        except OSError:
            return True
    return False


def room_address(ip: str) -> str:
    """The address to give the room: ip itself, or, for every address of this machine (0.0.0.0,
    ::), the one its network route uses (a UDP socket's connect sends nothing)."""
    if ip not in ("0.0.0.0", "::", ""):
        return f"[{ip}]" if ":" in ip else ip
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a route is looked up, nothing sent
            return str(probe.getsockname()[0])
        except OSError:  # no network: the machine's name, for a room on the same network
            return socket.gethostname()


def from_repository(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return (ROOT / Path(value).expanduser()).resolve() if value else None


def on_loopback(ip: str) -> bool:
    """Whether only this machine can reach the address."""
    try:
        return ip == "localhost" or ipaddress.ip_address(ip).is_loopback
    except ValueError:  # a host name: it may well be reached from the room
        return False


ip = os.environ.get("HUB_IP") or "127.0.0.1"
ssl_cert, ssl_key = from_repository("HUB_SSL_CERT"), from_repository("HUB_SSL_KEY")
if bool(ssl_cert) != bool(ssl_key):
    sys.exit("Refusing to start: HTTPS needs both HUB_SSL_CERT and HUB_SSL_KEY (README.md, "
             "A room of learners, says how to make them)")
for path in (ssl_cert, ssl_key):
    if path and not path.is_file():
        sys.exit(f"Refusing to start: no certificate or key file at {path}")
# Refused rather than warned: a warning scrolls away while the room logs in, and whoever reads
# the network then has the password that opens every attendee's name (and the admin's, if set).
if not ssl_cert and not on_loopback(ip):
    sys.exit(f"Refusing to start on {ip} without HTTPS: the room password "
             "would cross the network in plain text. Give a certificate with HUB_SSL_CERT=... "
             "HUB_SSL_KEY=... (README.md, A room of learners, says how to make one), or leave "
             "HUB_IP out to serve this machine only")

# Where the room connects (the proxy), and the Hub's own state. The cookie secret is new at each
# start: nothing secret is stored, and a restarted Hub asks everyone to log in again.
STATE.mkdir(parents=True, exist_ok=True)
c.JupyterHub.ip = ip
if ssl_cert:
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = str(ssl_cert), str(ssl_key)
port = int(os.environ.get("HUB_PORT") or 8000)
if taken(ip, port):  # as make lab and make demo: the address asked for, or a sentence
    sys.exit(f"Refusing to start: port {port} on {ip} is taken (another Hub, make lab or make "
             "demo?): stop it, or choose another port with make hub PORT=...")
c.JupyterHub.port = port
c.JupyterHub.cookie_secret = secrets.token_bytes(32)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# Login: any name (up to 32 letters, digits, '.', '_' or '-'; it names their folder) with the
# shared password; the presenter logs in as HUB_ADMIN with the admin password. A name whose
# server runs is refused from another browser (hub/room_login.py).
c.JupyterHub.authenticator_class = RoomAuthenticator
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,31}$"
# The login page says so (hub/templates/login.html), and after a refused login, why.
c.JupyterHub.template_paths = [str(ROOT / "hub" / "templates")]
c.JupyterHub.template_vars = {
    "name_rule": "Any name of your choice (it names your folder): up to 32 letters, digits, "
                 "“.”, “_” or “-”, no spaces, starting with a letter or digit; with the room's "
                 "password, from the presenter.",
    "name_characters": "abcdefghijklmnopqrstuvwxyz0123456789._-",
}
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


LOGS = STATE / "logs"


def before_a_start(spawner) -> None:
    """Before each start of an attendee's server: their copy of the tutorial, made the first
    time, then brought up to the tutorial as it is now (never overwriting what they changed);
    and what their server prints goes to their own log, hub/state/logs/NAME.log, not to the
    presenter's terminal."""
    tutorial_copy.bring_up_to_date(TUTORIAL, Path(spawner.home_dir), datetime.now())
    LOGS.mkdir(exist_ok=True)
    log = (LOGS / f"{spawner.user.name}.log").open("ab")  # the server holds its own copy
    spawner.popen_kwargs = {"stdout": log, "stderr": subprocess.STDOUT}


c.Spawner.pre_spawn_hook = before_a_start


# Idle attendees give their memory back. A kernel that ran nothing for HUB_KERNEL_IDLE seconds is
# shut down by their server (jupyter-server's own culling), even with its notebook still open: a
# learner moving from 00 to 06 keeps every earlier notebook's kernel, about 220 MiB each. Its
# outputs stay on the page; Run All brings it back. A server idle for HUB_SERVER_IDLE seconds (no
# kernel running, no request) is stopped by jupyterhub-idle-culler, as z2jh's cull: does; the
# attendee's files stay, and logging in again starts it.
SERVER_IDLE = int(os.environ.get("HUB_SERVER_IDLE") or 3600)
KERNEL_IDLE = int(os.environ.get("HUB_KERNEL_IDLE") or 1200)
c.Spawner.args += [f"--MappingKernelManager.cull_idle_timeout={KERNEL_IDLE}",
                   f"--MappingKernelManager.cull_interval={max(1, min(60, KERNEL_IDLE // 4))}",
                   "--MappingKernelManager.cull_connected=True"]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={SERVER_IDLE}",
                f"--cull-every={max(1, min(300, SERVER_IDLE // 6))}"]}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler", "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# The presenter's room view (hub/room_service.py), at /services/room/ for the Hub's admins. The
# exercises are those helpers/exercises marks with @recorded, read from its source: importing
# the helpers would put moto and pandas in the Hub's memory. Each attendee's kernels send their
# checks' verdicts to it directly, on loopback (TUTORIAL_ROOM_URL), with their server's token.
EXERCISES = sorted({exercise for path in (ROOT / "helpers" / "exercises").glob("*.py")
                    for exercise in re.findall(r'^@recorded\("([\d.]+)"\)$',
                                               path.read_text(), re.M)})
ROOM_URL = f"http://127.0.0.1:{free_port()}"
c.JupyterHub.services.append({
    "name": "room", "url": ROOM_URL, "display": True, "oauth_no_confirm": True,
    "command": [sys.executable, str(ROOT / "hub" / "room_service.py"),
                f"--exercises={','.join(EXERCISES)}", f"--state={STATE / 'room-verdicts.json'}",
                f"--tutorial={TUTORIAL}", f"--homes={STATE / 'users'}"]})
c.JupyterHub.load_roles.append({"name": "room", "services": ["room"],
                                "scopes": ["list:users", "read:users"]})
c.Spawner.environment["TUTORIAL_ROOM_URL"] = f"{ROOM_URL}/services/room/"
# Attendees' work is saved as they go (JupyterLab's autosave, every 2 minutes), unlike make lab's
# git clone, where autosave stays off so that reading a notebook never rewrites it: this layer of
# settings (hub/lab-config/labconfig) comes after the environment's overrides.json.
c.Spawner.environment["JUPYTER_CONFIG_PATH"] = str(ROOT / "hub" / "lab-config")

# No memory limit per attendee: the local process spawner cannot enforce Spawner.mem_limit (only
# spawners that run each server in a container or a cgroup can). The culling above is what keeps
# an attendee's memory down; docs/workshop-hub.md gives the measured figures to plan a machine by.

# The presenter's terminal: the room's address, then one line per login (hub/room_login.py) and
# what goes wrong; not every request, nor the warnings that say nothing to a presenter (no HTTPS
# on loopback, a service let through without a consent page, its route added at the start,
# jupyter-events' note on its own schema, an attendee's mistyped password: the login page tells
# them; a server slow to start, answer or stop, or the Hub itself slow to answer for a second, as
# a room logging in at once on a small machine makes them: the attendee's page waits for it, and
# one that fails is an error, shown).
QUIET = re.compile(r"Running JupyterHub without SSL|without confirmation|Adding missing route|"
                   r"Failed login for|^\d{3} (GET|POST|PUT|PATCH|DELETE|HEAD) |is slow to |"
                   r"Event loop was unresponsive")
for logger in ("JupyterHub", "tornado.access"):
    logging.getLogger(logger).addFilter(
        lambda record: record.levelno >= logging.ERROR or not QUIET.search(record.getMessage()))
c.JupyterHub.log_level = "WARN"
warnings.filterwarnings("ignore", "The `version` property of an event schema")
c.ConfigurableHTTPProxy.log_level = "error"
c.JupyterHub.services[0]["command"].append("--IdleCuller.log_level=ERROR")
scheme = "https" if ssl_cert else "http"
print(f"The Hub serves the room on {scheme}://{room_address(ip)}:{port}/ (Ctrl-C stops it)"
      + (f"; the room view, for {admin}: {scheme}://{room_address(ip)}:{port}/services/room/"
         if admin else ""), flush=True)
