"""A room of simulated attendees on the workshop Hub (make hub-load N=20; tests/test_hub.py runs 3).

    python -m scripts.load_test --attendees 20
    python -m scripts.load_test --attendees 1 --day   # one learner's day: notebooks 00 to 06

Starts the Hub of hub/jupyterhub_config.py (as make hub does) on free loopback ports with a
throwaway state folder. Then N attendees at once, each in their own thread: log in through the
Hub's login form, start their server, open notebook 02_create_key_pair and run its code cells top
to bottom over the kernel's websocket, through the proxy, as JupyterLab does; then create a key
pair named after themselves. With --day, each runs every notebook, 00 to 06, in order, each in
its own kernel, and keeps them all running, as a learner who moves on without closing a tab:
what one attendee holds at most (the memory share make hub gives). Once everyone has, each lists
the key pairs their sandbox holds and tries another attendee's server.

Prints the failures (goal: none, each with its reason), the time until every server was ready and
until every notebook had run, the peak memory per attendee (RSS of their server and its kernels,
sampled from /proc), and what isolation held. Exits with 1 on any failure. Stops the Hub, every
server and every kernel it started, whatever happens.

The presenter keeps the room view open meanwhile (hub/room_service.py), asking it for the room's
progress every 2 s as its page does; at the end it must show each attendee's checks of the
notebooks they ran (02: exercises 02.1 and 02.2).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn

import nbformat
import requests
import urllib3
import websocket

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
NOTEBOOK = "notebooks/02_create_key_pair.ipynb"  # inside each attendee's folder
DAY = sorted(f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HUB_START_SECONDS = 60
SERVER_READY_SECONDS = 600  # twenty servers on two busy cores take minutes
CELL_SECONDS = 300
STOP_SECONDS = 10  # a Hub stops in 1 to 5 s; on a loaded machine its services' stops took 20 s
MIB = 1024 * 1024


class Failed(Exception):
    """One attendee's step went wrong; the message says which and why."""


@dataclass
class Hub:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    state: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    """A port nothing listens on right now: bind port 0, read it, release it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- processes, from /proc -------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[19])


def process_tree() -> dict[int, tuple[int, int]]:
    """Every process: its parent pid and start time."""
    tree = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat:
            tree[int(entry.name)] = stat
    return tree


def descendants(pid: int, tree: dict[int, tuple[int, int]] | None = None) -> dict[int, int]:
    """pid's children, their children and so on, each with its start time (kernels run in their
    own sessions, so a process group misses them; their parent links do not)."""
    tree = process_tree() if tree is None else tree
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, started) in tree.items():
            if ppid == parent and child not in found:
                found[child] = started
                todo.append(child)
    return found


def rss_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) * 1024 if match else 0


def hub_user(pid: int) -> str | None:
    """The attendee a single-user server serves (JUPYTERHUB_USER in its environment); None for
    the proxy and the Hub's services (the idle culler), which are the Hub's own."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    if any(item.startswith(b"JUPYTERHUB_SERVICE_NAME=") for item in environ):
        return None
    for item in environ:
        if item.startswith(b"JUPYTERHUB_USER="):
            return item.split(b"=", 1)[1].decode()
    return None


class MemorySampler(threading.Thread):
    """Every half second, the RSS of each attendee's server plus its kernels; keeps the peaks."""

    def __init__(self, hub_pid: int) -> None:
        super().__init__(daemon=True)
        self.hub_pid = hub_pid
        self.peaks: dict[str, int] = {}
        self.kernel_peaks: dict[str, int] = {}  # their largest kernel alone
        self.hub_peak = 0  # the Hub and its proxy
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            tree = process_tree()
            hub_total = rss_bytes(self.hub_pid)
            for child in (pid for pid, (ppid, _) in tree.items() if ppid == self.hub_pid):
                user = hub_user(child)
                if user is None:  # the proxy, the idle culler
                    hub_total += rss_bytes(child)
                    continue
                kernels = [rss_bytes(pid) for pid in descendants(child, tree)]
                total = rss_bytes(child) + sum(kernels)
                self.peaks[user] = max(self.peaks.get(user, 0), total)
                self.kernel_peaks[user] = max(self.kernel_peaks.get(user, 0), *kernels, 0)
            self.hub_peak = max(self.hub_peak, hub_total)


# --- the Hub -----------------------------------------------------------------------------------

def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the Hub to stop (it stops every server, and they their kernels); then kill whatever
    it had started that is still there (the same pid and start time: never a stranger)."""
    children = descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid, started in children.items():
        stat = _stat(pid)
        if stat and stat[1] == started:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@contextmanager
def running_hub(state: Path, password: str, **settings: str) -> Iterator[Hub]:
    """The workshop Hub on free loopback ports, with its state in `state` and any other HUB_
    settings given (HUB_SSL_CERT=...: on https); stopped on exit."""
    port, hub_port, api_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_PASSWORD=password, HUB_STATE=str(state), HUB_IP="127.0.0.1",
               HUB_PORT=str(port), **settings)
    scheme = "https" if "HUB_SSL_CERT" in settings else "http"
    if scheme == "https":  # a self-made certificate: a test compares it with what is served
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    log = state / "jupyterhub.log"
    state.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG),
             f"--JupyterHub.hub_port={hub_port}",
             f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}"],
            cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"{scheme}://127.0.0.1:{port}", process, log, state)
    try:
        deadline = time.monotonic() + HUB_START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the Hub exited with code {process.returncode}:\n"
                                   f"{hub.log_tail()}")
            try:
                if requests.get(f"{hub.url}/hub/login", timeout=2,
                                verify=scheme == "http").status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Hub did not answer within {HUB_START_SECONDS} s:\n"
                                   f"{hub.log_tail()}")
            time.sleep(0.3)
        yield hub
    finally:
        _stop(process)


# --- one attendee ------------------------------------------------------------------------------

@dataclass
class Attendee:
    name: str
    hub: Hub
    http: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    notebooks: list[str] = field(default_factory=lambda: [NOTEBOOK])
    kernel: websocket.WebSocket | None = None  # the last notebook's; the others stay open
    earlier_kernels: list[websocket.WebSocket] = field(default_factory=list)
    ready_after: float | None = None  # seconds from the room's first login
    done_after: float | None = None
    failures: list[str] = field(default_factory=list)
    key_pairs: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def log_in(self, password: str) -> requests.Response:
        """Through the login form, as a browser: its _xsrf field, then the POST."""
        page = self.http.get(f"{self.hub.url}/hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf"[^>]*value="([^"]+)"', page.text)
        return self.http.post(f"{self.hub.url}/hub/login", allow_redirects=False, timeout=120,
                              data={"username": self.name, "password": password,
                                    "_xsrf": xsrf.group(1) if xsrf else ""})

    def start(self, password: str, started: float) -> None:
        """Log in, get an API token as the logged-in page would, start the server, wait for it."""
        answer = self.log_in(password)
        if answer.status_code != 302 or "/hub/login" in answer.headers.get("Location", ""):
            raise Failed(f"login refused: HTTP {answer.status_code}")
        answer = self.http.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=120,
                                headers={"X-XSRFToken": self.http.cookies.get("_xsrf") or ""},
                                json={"note": "load test", "expires_in": 3600})
        if answer.status_code != 201:
            raise Failed(f"no API token: HTTP {answer.status_code} {answer.text[:200]}")
        self.token = answer.json()["token"]
        answer = requests.post(f"{self.hub.url}/hub/api/users/{self.name}/server",
                               headers=self.auth, timeout=120)
        if answer.status_code not in (201, 202):
            raise Failed(f"server not started: HTTP {answer.status_code} {answer.text[:200]}; "
                         f"the end of its log:\n{self.log_tail()}")
        deadline = time.monotonic() + SERVER_READY_SECONDS
        while time.monotonic() < deadline:
            user = requests.get(f"{self.hub.url}/hub/api/users/{self.name}", headers=self.auth,
                                timeout=120).json()
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                self.ready_after = time.monotonic() - started
                return
            if not server:
                raise Failed(f"the server stopped while starting; the end of its log:\n"
                             f"{self.log_tail()}")
            time.sleep(1)
        raise Failed(f"the server was not ready within {SERVER_READY_SECONDS} s")

    def log_tail(self, lines: int = 15) -> str:
        """The end of what this attendee's server printed (the Hub keeps it in logs/NAME.log)."""
        log = self.hub.state / "logs" / f"{self.name}.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if (
            log.exists()) else "(none)"

    def open_notebook(self, notebook: str = NOTEBOOK) -> None:
        """A session for the notebook, as JupyterLab opens it (the kernel starts in its folder),
        and the kernel's websocket, through the proxy. A notebook opened before stays open."""
        if self.kernel is not None:
            self.earlier_kernels.append(self.kernel)
        base = f"{self.hub.url}/user/{self.name}"
        answer = requests.post(f"{base}/api/sessions", headers=self.auth, timeout=300, json={
            "path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}})
        if answer.status_code != 201:
            raise Failed(f"no kernel: HTTP {answer.status_code} {answer.text[:200]}")
        kernel_id = answer.json()["kernel"]["id"]
        url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
        self.kernel = websocket.create_connection(
            f"{url}?session_id={uuid.uuid4().hex}", header=[f"Authorization: token {self.token}"],
            timeout=CELL_SECONDS)

    def execute(self, code: str) -> tuple[str, str | None]:
        """Run code in the kernel; return what it printed and the error it raised, if any."""
        kernel = self.kernel
        if kernel is None:
            raise Failed("no notebook open: open_notebook() first")
        msg_id = uuid.uuid4().hex
        kernel.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                       "session": msg_id, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        printed, error, idle, replied = [], None, False, False
        while not (idle and replied):
            message = json.loads(kernel.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        return "".join(printed), error

    def run_notebook(self, started: float) -> None:
        """Every code cell of each notebook, top to bottom, each notebook in its own kernel; an
        error in a cell not tagged raises-exception is a failure, and the run goes on, as Run All
        would not."""
        for notebook in self.notebooks:
            cells = [c for c in nbformat.read(ROOT / notebook, as_version=4).cells
                     if c.cell_type == "code"]
            self.open_notebook(notebook)
            for index, cell in enumerate(cells):
                _, error = self.execute(cell.source)
                if error and "raises-exception" not in cell.metadata.get("tags", []):
                    self.failures.append(f"{self.name}: {Path(notebook).stem} code cell "
                                         f"{index}: {error}")
        _, error = self.execute(f"import boto3\nboto3.client('ec2').create_key_pair("
                                f"KeyName='learner-{self.name}')")
        if error:
            self.failures.append(f"{self.name}: creating learner-{self.name}: {error}")
        self.done_after = time.monotonic() - started

    def list_key_pairs(self) -> None:
        printed, error = self.execute(
            "import boto3, json\nprint(json.dumps(sorted(k['KeyName'] for k in "
            "boto3.client('ec2').describe_key_pairs()['KeyPairs'])))")
        if error:
            raise Failed(f"listing key pairs: {error}")
        self.key_pairs = json.loads(printed)

    def reaches(self, other: Attendee) -> list[str]:
        """What this attendee reaches of another's: their server's files, their Hub record."""
        reached = []
        files = requests.get(f"{self.hub.url}/user/{other.name}/api/contents/notebooks",
                             headers=self.auth, timeout=60, allow_redirects=False)
        if files.status_code == 200:
            reached.append(f"{other.name}'s files")
        record = requests.get(f"{self.hub.url}/hub/api/users/{other.name}", headers=self.auth,
                              timeout=60)
        if record.status_code == 200:
            reached.append(f"{other.name}'s Hub record")
        return reached

    def own_folder(self) -> list[str]:
        """What this attendee's file browser shows at the top of their folder."""
        answer = requests.get(f"{self.hub.url}/user/{self.name}/api/contents", timeout=60,
                              headers=self.auth)
        return sorted(item["name"] for item in answer.json()["content"])

    def close(self) -> None:
        for kernel in [*self.earlier_kernels, self.kernel]:
            if kernel is not None:
                kernel.close()


# --- the presenter's room view -------------------------------------------------------------------

PRESENTER = "presenter"
POLL_SECONDS = 2  # as hub/room_page.html asks


class RoomView(threading.Thread):
    """The presenter, logged in, with the room view open: its progress every POLL_SECONDS."""

    def __init__(self, hub: Hub, password: str) -> None:
        super().__init__(daemon=True)
        self.presenter = Attendee(PRESENTER, hub)
        self.password = password
        self.polls, self.failures = 0, []  # type: int, list[str]
        self.last: dict[str, object] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            answer = self.presenter.log_in(self.password)
            if answer.status_code != 302:
                raise Failed(f"the presenter's login was refused: HTTP {answer.status_code}")
            view = f"{self.presenter.hub.url}/services/room/"
            if 'id="attendees"' not in self.presenter.http.get(view, timeout=60).text:
                raise Failed("the room view's page did not open")
            while not self.stopped.wait(POLL_SECONDS):
                answer = self.presenter.http.get(f"{view}progress", timeout=60)
                answer.raise_for_status()
                self.last = answer.json()
                self.polls += 1
        except (Failed, requests.RequestException, ValueError) as error:
            self.failures.append(f"the room view: {type(error).__name__}: {error}")

    def shown(self) -> dict[str, dict[str, bool]]:
        """What the view showed last: for each attendee, each exercise checked, done or not."""
        attendees = self.last.get("attendees", [])
        assert isinstance(attendees, list)
        return {a["name"]: {e: v["done"] for e, v in a["verdicts"].items()} for a in attendees}


# --- the room ----------------------------------------------------------------------------------

@dataclass
class Report:
    attendees: int
    notebooks: list[str]
    failures: list[str]
    all_ready_s: float | None
    all_done_s: float | None
    peak_mib: dict[str, float]  # per attendee: their server and its kernels
    kernel_peak_mib: float  # the largest kernel alone: what each more open notebook adds
    hub_peak_mib: float
    key_pairs: dict[str, list[str]]  # what each attendee's sandbox held at the end
    folders: dict[str, list[str]]  # what each attendee's file browser showed
    room_view: dict[str, dict[str, bool]] = field(default_factory=dict)  # its last answer
    room_view_polls: int = 0

    def lines(self) -> list[str]:
        peaks = sorted(self.peak_mib.values())
        ready = f"{self.all_ready_s:.1f} s" if self.all_ready_s is not None else "never"
        done = f"{self.all_done_s:.1f} s" if self.all_done_s is not None else "never"
        names = ", ".join(Path(notebook).stem for notebook in self.notebooks)
        lines = [f"{self.attendees} attendees, notebooks {names} (each in its own kernel, all "
                 "kept running)" if len(self.notebooks) > 1
                 else f"{self.attendees} attendees, notebook {names}",
                 f"failures: {len(self.failures)}", *(f"  {f}" for f in self.failures),
                 f"time until every server was ready: {ready} after the first login",
                 f"time until every attendee had run the notebook{'s' * (len(self.notebooks) > 1)}"
                 f": {done}"]
        if peaks:
            lines.append(f"peak memory per attendee (server + kernels, RSS): max {peaks[-1]:.0f} "
                         f"MiB, median {statistics.median(peaks):.0f} MiB, min {peaks[0]:.0f} "
                         f"MiB, of which one kernel: {self.kernel_peak_mib:.0f} MiB; the Hub "
                         f"and its proxy: {self.hub_peak_mib:.0f} MiB")
        own = sum(keys == [f"learner-{name}"] for name, keys in self.key_pairs.items())
        reached = sum("reached" in f for f in self.failures)
        lines += [f"isolation: {own} of {self.attendees} sandboxes held their own attendee's key "
                  "pair and no one else's",
                  f"isolation: {reached} attempts reached another attendee's files or Hub record; "
                  "each file browser showed: "
                  f"{sorted({', '.join(names) for names in self.folders.values()})}"]
        if self.room_view_polls:
            checked = sorted({e for verdicts in self.room_view.values() for e in verdicts})
            lines.append(f"room view: open throughout, asked {self.room_view_polls} times; at the "
                         f"end it showed {len(self.room_view)} attendees, their checks of "
                         f"{', '.join(checked) or 'nothing'}")
        return lines


def run_room(hub: Hub, attendees: int, password: str, notebooks: list[str] | None = None,
             presenter_password: str | None = None) -> Report:
    """N attendees at once on a running Hub, each running the notebooks (02 unless given); the
    figures and every failure. With the presenter's password, the room view is open meanwhile."""
    notebooks = notebooks or [NOTEBOOK]
    room = [Attendee(f"learner{i:02d}", hub, notebooks=notebooks)
            for i in range(1, attendees + 1)]
    sampler = MemorySampler(hub.process.pid)
    sampler.start()
    view = RoomView(hub, presenter_password) if presenter_password else None
    if view:
        view.start()
    failures: list[str] = []
    try:
        started = time.monotonic()

        def attend(attendee: Attendee) -> None:
            try:
                attendee.start(password, started)
                attendee.run_notebook(started)
            except (Failed, requests.RequestException, websocket.WebSocketException,
                    OSError) as error:
                attendee.failures.append(f"{attendee.name}: {type(error).__name__}: {error}")

        with ThreadPoolExecutor(attendees) as pool:
            list(pool.map(attend, room))
        # After everyone's run: each sandbox holds its own attendee's key pair, not another's;
        # each file browser shows its own copy; nobody reaches the next attendee's server.
        for attendee, other in zip(room, room[1:] + room[:1], strict=True):
            if attendee.kernel is None:
                continue
            try:
                attendee.list_key_pairs()
                if attendee.key_pairs != [f"learner-{attendee.name}"]:
                    attendee.failures.append(f"{attendee.name}: the sandbox held "
                                             f"{attendee.key_pairs}, not only its own key pair")
                if other is not attendee:
                    for what in attendee.reaches(other):
                        attendee.failures.append(f"{attendee.name}: reached {what}")
            except (Failed, requests.RequestException, websocket.WebSocketException,
                    OSError) as error:
                attendee.failures.append(f"{attendee.name}: {type(error).__name__}: {error}")
        folders = {}
        for attendee in room:
            if attendee.token:
                try:
                    folders[attendee.name] = attendee.own_folder()
                except (requests.RequestException, ValueError, KeyError) as error:
                    attendee.failures.append(f"{attendee.name}: own folder: {error}")
        if view:  # once its next answer has every verdict sent
            time.sleep(2 * POLL_SECONDS)
            view.stopped.set()
            view.join()
            for attendee in room:  # notebook 02's two checks ran in each attendee's kernel
                shown = view.shown().get(attendee.name, {})
                if NOTEBOOK in notebooks and attendee.done_after and not {"02.1", "02.2"} <= set(
                        shown):
                    attendee.failures.append(f"{attendee.name}: the room view showed {shown}, "
                                             "not their checks of 02")
        failures = [f for attendee in room for f in attendee.failures] + (
            view.failures if view else [])
        ready = [a.ready_after for a in room]
        done = [a.done_after for a in room]
    finally:
        if view:
            view.stopped.set()
        sampler.stopped.set()
        sampler.join()
        for attendee in room:
            attendee.close()
    return Report(
        attendees, notebooks, failures,
        _slowest(ready), _slowest(done),
        {user: peak / MIB for user, peak in sampler.peaks.items()},
        max(sampler.kernel_peaks.values(), default=0) / MIB, sampler.hub_peak / MIB,
        {a.name: a.key_pairs for a in room}, folders,
        view.shown() if view else {}, view.polls if view else 0)


def _slowest(times: list[float | None]) -> float | None:
    """The longest of the attendees' times, or None if one has none (did not get that far)."""
    known = [seconds for seconds in times if seconds is not None]
    return max(known) if len(known) == len(times) else None


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    # Terminated (kill, a CI timeout), unwind as on Ctrl-C: the Hub and its servers are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=20, help="how many (default 20)")
    parser.add_argument("--day", action="store_true",
                        help="each runs every notebook, keeping each kernel running")
    args = parser.parse_args()
    password, presenter_password = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    state = Path(tempfile.mkdtemp(prefix="hub-load-"))
    try:
        with running_hub(state, password, HUB_ADMIN=PRESENTER,
                         HUB_ADMIN_PASSWORD=presenter_password) as hub:
            print(f"The Hub answers on {hub.url}; {args.attendees} attendees log in at once, "
                  "the presenter's room view open", flush=True)
            report = run_room(hub, args.attendees, password, DAY if args.day else None,
                              presenter_password)
        print("\n".join(report.lines()))
        if report.failures:
            print(f"The end of the Hub's log:\n{hub.log_tail()}")
        return 1 if report.failures else 0
    finally:
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
