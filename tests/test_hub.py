"""The workshop Hub (make hub) with a small room: three attendees log in through the login form at
once, each runs notebook 02 top to bottom on their own server and sandbox (scripts/load_test.py,
which make hub-load runs with twenty). What an attendee meets at the login page: which names are
allowed, and why a login was refused. What the presenter meets: no password, no start; no HTTPS
on an address the room reaches, no start; with a certificate (made by the README's command), HTTPS.
Idle kernels and servers are culled. The presenter's room view, open meanwhile, shows each
attendee's checks; one name is one person; attendees' work autosaves; the presenter's terminal
says where the room connects and who logged in, and no more. Every notebook runs on the Hub, and
the memory limit the z2jh guide gives holds an attendee who runs them all and keeps each kernel
running."""

from __future__ import annotations

import inspect
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import yaml
from bs4 import BeautifulSoup
from jupyterhub import metrics
from jupyterhub.handlers import base as base_handlers

from scripts.check_z2jh import VALUES
from scripts.load_test import (
    CONFIG,
    DAY,
    PRESENTER,
    Attendee,
    Hub,
    Report,
    run_room,
    running_hub,
)
from tests.test_z2jh import make_hub_setting

ROOT = Path(__file__).resolve().parents[1]
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
README = ROOT / "README.md"
ATTENDEES = 3
NOTEBOOK_NAME = "02_create_key_pair.ipynb"
PASSWORD = "room-password-for-tests"
PRESENTER_PASSWORD = "presenter-password-for-tests-32-chars"


def proxy() -> None:
    """The proxy make setup installs; skipped without it, except in CI, where it fails."""
    if not PROXY.exists():
        message = (f"the Hub's proxy is not installed at {PROXY}: install npm (apt-get install "
                   "npm), then run make setup")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def room(tmp_path_factory, idler) -> Iterator[tuple[Hub, Report]]:
    """The Hub, running, after three attendees ran the notebook on it at once (the idle
    attendee's session, on a Hub of its own, starts first and runs meanwhile)."""
    proxy()
    with running_hub(tmp_path_factory.mktemp("hub"), PASSWORD, HUB_ADMIN=PRESENTER,
                     HUB_ADMIN_PASSWORD=PRESENTER_PASSWORD) as hub:
        report = run_room(hub, ATTENDEES, PASSWORD, presenter_password=PRESENTER_PASSWORD)
        print("\n".join(report.lines()))
        yield hub, report


def mebibytes(size: str) -> float:
    """Kubernetes' memory sizes as z2jh takes them: 512M, 1G (powers of 1000) or 1Gi."""
    number, unit = re.fullmatch(r"([\d.]+)([KMG]i?)", size).groups()
    scale = {"K": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}[unit]
    return float(number) * scale / 2**20


def test_three_attendees_log_in_at_once_and_each_runs_notebook_02_without_a_failure(room):
    _, report = room
    assert report.failures == []
    assert report.all_ready_s is not None and report.all_done_s is not None
    assert sorted(report.peak_mib) == ["learner01", "learner02", "learner03"]


def test_each_sandbox_holds_its_own_attendees_key_pair_and_no_one_elses(room):
    _, report = room
    assert report.key_pairs == {name: [f"learner-{name}"] for name in report.peak_mib}


def test_each_attendee_gets_their_own_copy_of_the_tutorial_and_cannot_open_anothers(room):
    hub, report = room
    assert report.folders == {name: ["docs", "notebooks", "recipes"] for name in report.peak_mib}
    assert not [f for f in report.failures if "reached" in f]
    home = hub.state / "users"
    assert sorted(p.name for p in home.iterdir()) == sorted(report.peak_mib)
    assert not list(home.glob("*/notebooks/keys/[!s]*"))  # never the presenter's keys/
    assert {p.suffix for p in home.glob("*/notebooks/*") if p.is_file()} == {".ipynb"}


def test_the_room_view_open_meanwhile_shows_each_attendees_checks_of_notebook_02(room):
    _, report = room
    assert report.room_view_polls > 3
    assert sorted(report.room_view) == sorted(report.peak_mib)
    for verdicts in report.room_view.values():
        assert {"02.1", "02.2"} <= set(verdicts)


def test_attendees_work_is_saved_as_they_go(room):
    """JupyterLab's autosave is on for attendees (make lab keeps it off for a git clone)."""
    hub, _ = room
    attendee = Attendee("saver", hub)
    attendee.start(PASSWORD, time.monotonic())
    settings = requests.get(f"{hub.url}/user/saver/lab/api/settings/"
                            "@jupyterlab/docmanager-extension:plugin", headers=attendee.auth,
                            timeout=60).json()
    # What the attendee's JupyterLab starts with (overrides come in as the setting's default).
    assert settings["schema"]["properties"]["autosave"]["default"] is True
    assert "autosave" not in settings["settings"]  # not a setting the attendee made


def test_a_second_login_under_a_name_in_use_is_refused_in_a_sentence(room):
    hub, _ = room
    page = login_page(hub, "Learner02", PASSWORD)  # another browser; capitals make no difference
    assert shown(page.select_one("#why-refused")) == (
        "The name “learner02” is in use: someone logged in with it from another browser "
        "(capitals make no difference). Choose another name; if that was you, go back to that "
        "browser, or ask the presenter.")


def test_the_presenters_terminal_says_where_the_room_connects_and_who_logged_in_and_no_more(
        room):
    hub, _ = room
    lines = hub.log.read_text().splitlines()
    assert lines[0] == (f"The Hub serves the room on {hub.url}/ (Ctrl-C stops it); the room "
                        f"view, for {PRESENTER}: {hub.url}/services/room/")
    after = lines[next(i for i, line in enumerate(lines) if "logged in" in line):]
    logins = [line.split(maxsplit=1)[1] for line in after if "logged in" in line]
    assert {"learner01 logged in (new)", "learner02 logged in (new)",
            "learner03 logged in (new)", "presenter logged in as the presenter"} <= set(
        logins)
    # What is left is what went wrong: here, the load test's attendees reaching for each other's
    # Hub records (refused), as an attendee trying it would be seen.
    noise = [line for line in after if re.search(r"GET |POST |XSRF|\[[IW] |Warning", line)
             and not re.search(r"Not authorizing access|No access to resources", line)]
    assert noise == []


def test_the_presenters_terminal_leaves_out_a_server_slow_to_start_answer_or_stop():
    """Each warning JupyterHub gives for a slow server, and for its own event loop held up for a
    second, as a room logging in at once on a small machine makes them (its page waits; a server
    that fails is an error, and shown)."""
    quiet = make_hub_setting("QUIET")
    slow = re.findall(r'"(User [^"]*is slow to [^"]*)"', inspect.getsource(base_handlers))
    assert len(slow) >= 4, "JupyterHub's warnings for a slow server are no longer where they were"
    for warning in slow:
        said = warning % (*["learner02"] * (warning.count("%s") - 1), 10)  # the timeout last
        assert re.search(quiet, said), f"the presenter's terminal would show: {said}"
    (stalled,) = re.findall(r'"(Event loop was unresponsive[^"]*)"', inspect.getsource(metrics))
    assert re.search(quiet, stalled % 1.09), f"the presenter's terminal would show: {stalled}"


def test_a_wrong_password_is_refused_at_the_login_form(room):
    hub, _ = room
    assert Attendee("learner01", hub).log_in("not-the-room-password").status_code == 403
    assert Attendee("learner99", hub).log_in(PASSWORD).status_code == 302


def refusal(tmp_path: Path, **settings: str) -> str:
    """The last line the Hub printed when it refused to start with these HUB_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    result = subprocess.run([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                            env={**env, "HUB_STATE": str(tmp_path), **settings}, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    return result.stderr.strip().splitlines()[-1]


def test_a_port_that_is_taken_is_refused_as_make_lab_refuses_it(room, tmp_path):
    hub, _ = room
    proxy()
    port = hub.url.rsplit(":", 1)[1]
    assert refusal(tmp_path, HUB_PASSWORD=PASSWORD, HUB_PORT=port) == (
        f"Refusing to start: port {port} on 127.0.0.1 is taken (another Hub, make lab or make "
        "demo?): stop it, or choose another port with make hub PORT=...")


def test_without_a_password_the_hub_refuses_to_start_and_says_why(tmp_path):
    assert refusal(tmp_path) == (
        "Refusing to start: set the attendees' shared password, 8 characters or more, "
        "with HUB_PASSWORD=... make hub")


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20", "workshop.example.org", "::"])
def test_on_an_address_the_room_reaches_the_hub_refuses_plain_http_and_says_what_to_do(
        tmp_path, ip):
    proxy()
    line = refusal(tmp_path, HUB_PASSWORD=PASSWORD, HUB_IP=ip)
    assert line.startswith(f"Refusing to start on {ip} without HTTPS: the room "
                           "password would cross the network in plain text.")
    assert "HUB_SSL_CERT=... HUB_SSL_KEY=..." in line and "README.md" in line


def test_half_a_certificate_or_a_missing_file_is_refused_with_its_path(tmp_path):
    proxy()
    assert "needs both HUB_SSL_CERT and HUB_SSL_KEY" in refusal(
        tmp_path, HUB_PASSWORD=PASSWORD, HUB_SSL_CERT="cert.pem")
    # A relative path is from the repository's folder, where make hub is typed.
    assert refusal(tmp_path, HUB_PASSWORD=PASSWORD, HUB_SSL_CERT="hub/no-such-cert.pem",
                   HUB_SSL_KEY="hub/no-such-key.pem") == (
        f"Refusing to start: no certificate or key file at {ROOT / 'hub' / 'no-such-cert.pem'}")


def readme_certificate_command() -> str:
    """The openssl command the README gives for the Hub's certificate, as written there."""
    section = README.read_text().split("## A room of learners", 1)[1].split("\n## ", 1)[0]
    return next(line for block in re.findall(r"```bash\n(.*?)```", section, re.S)
                for line in block.splitlines() if "openssl req" in line).split("  #")[0]


@pytest.fixture(scope="module")
def https_hub(tmp_path_factory) -> Iterator[tuple[Hub, Path]]:
    """The Hub serving HTTPS with a certificate the README's command made; and that folder."""
    proxy()
    folder = tmp_path_factory.mktemp("https")
    subprocess.run(["bash", "-c", readme_certificate_command()], cwd=folder, check=True,
                   capture_output=True, timeout=120)
    cert, key = folder / "hub" / "state" / "hub-cert.pem", folder / "hub" / "state" / "hub-key.pem"
    with running_hub(folder / "state", PASSWORD, HUB_SSL_CERT=str(cert),
                     HUB_SSL_KEY=str(key)) as hub:
        yield hub, folder


def test_the_readmes_command_makes_a_certificate_and_a_key_only_its_owner_reads(https_hub):
    _, folder = https_hub
    key = folder / "hub" / "state" / "hub-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE KEY" in key.read_text()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_with_a_certificate_the_hub_serves_https_with_it_and_no_plain_http(https_hub):
    hub, folder = https_hub
    assert hub.url.startswith("https://")
    host, port = hub.url.removeprefix("https://").split(":")
    served = ssl.get_server_certificate((host, int(port)))
    made = (folder / "hub" / "state" / "hub-cert.pem").read_text()
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(made)
    page = requests.get(f"{hub.url}/hub/login", verify=False, timeout=30)  # self-signed
    assert page.status_code == 200 and "name-rule" in page.text
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{host}:{port}/hub/login", timeout=30)


def login_page(hub: Hub, name: str | None = None, password: str = PASSWORD) -> BeautifulSoup:
    """The login page as a browser shows it: fresh, or after logging in with name and password."""
    attendee = Attendee(name or "learner50", hub)
    if name is None:
        return BeautifulSoup(attendee.http.get(f"{hub.url}/hub/login", timeout=60).content,
                             "html.parser")
    answer = attendee.log_in(password)
    assert answer.status_code == 403
    return BeautifulSoup(answer.content, "html.parser")


def shown(element) -> str:
    """An element's text as a browser lays it out: words separated by single spaces."""
    return " ".join(element.get_text(" ").split())


def test_the_login_page_says_which_names_are_allowed(room):
    hub, _ = room
    rule = shown(login_page(hub).select_one("#name-rule"))
    assert "up to 32 letters, digits, “.”, “_” or “-”, no spaces" in rule
    assert "room's password" in rule


@pytest.mark.parametrize(("name", "why"), [
    ("bob smith", "“bob smith” is not a name the Hub takes: it has a space. Use letters, digits, "
                  "“.”, “_” or “-”, as in “bob-smith”."),
    ("Bob Smith!", "“Bob Smith!” is not a name the Hub takes: it has a space, “!”. Use letters, "
                   "digits, “.”, “_” or “-”."),
    ("b" * 40, "That name is too long: a name has 32 characters at most."),
    ("-bob", "A name starts with a letter or a digit."),
    ("bob", "The name is fine: the password is not this room's. Ask the presenter for it."),
    (PRESENTER, "“presenter” is the presenter's name: choose a name of your own (the room's "
                "password never opens it)."),
])
def test_a_refused_login_says_why(room, name, why):
    hub, _ = room
    password = "not-the-room-password" if name == "bob" else PASSWORD
    page = login_page(hub, name, password)
    assert shown(page.select_one("#why-refused")) == why
    assert page.select_one("#name-rule") is not None  # and the rule, to try again


def wait_for(what: str, check, seconds: float) -> float:
    """Seconds until check() is true; fails, naming what did not happen, after `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"{what} did not happen within {seconds} s"
        time.sleep(1)
    return time.monotonic() - started


def an_idle_attendee(hub: Hub) -> tuple[float, float]:
    """An attendee runs a cell, then nothing: the seconds until the culler stopped their kernel
    (their notebook still open), then their server."""
    attendee = Attendee("idler", hub)
    attendee.start(PASSWORD, time.monotonic())
    base = f"{hub.url}/user/idler"
    attendee.open_notebook()
    assert attendee.execute("print(6 * 7)") == ("42\n", None)

    def kernels() -> list:
        return requests.get(f"{base}/api/kernels", headers=attendee.auth, timeout=60).json()

    assert len(kernels()) == 1
    kernel_culled = wait_for("the kernel cull", lambda: not kernels(), 60)
    attendee.close()

    def server_stopped() -> bool:
        user = requests.get(f"{hub.url}/hub/api/users/idler", headers=attendee.auth,
                            timeout=60).json()
        return not user.get("servers")

    return kernel_culled, wait_for("the server cull", server_stopped, 120)


@pytest.fixture(scope="module")
def idler(tmp_path_factory) -> Iterator[tuple[Hub, Future]]:
    """A Hub with idle times of seconds instead of an hour and twenty minutes, where an idle
    attendee's session runs in a thread: its waits for the culler pass while other tests run."""
    proxy()
    with running_hub(tmp_path_factory.mktemp("idle"), PASSWORD, HUB_SERVER_IDLE="20",
                     HUB_KERNEL_IDLE="6") as hub, ThreadPoolExecutor(1) as thread:
        yield hub, thread.submit(an_idle_attendee, hub)


def test_an_idle_attendees_kernel_then_server_are_stopped_and_their_work_stays(idler):
    hub, session = idler
    kernel_culled, server_culled = session.result(timeout=300)
    print(f"kernel culled after {kernel_culled:.0f} s, the server {server_culled:.0f} s later")
    assert (hub.state / "users" / "idler" / "notebooks" / NOTEBOOK_NAME).is_file()


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Report:
    """One attendee's day: every notebook, each in its own kernel, all kept running."""
    proxy()
    with running_hub(tmp_path_factory.mktemp("day"), PASSWORD) as hub:
        report = run_room(hub, 1, PASSWORD, DAY)
    print("\n".join(report.lines()))
    return report


def test_every_notebook_runs_on_the_hub_in_an_attendees_copy(day):
    assert day.notebooks == DAY and day.failures == []


def test_the_z2jh_memory_limit_holds_a_whole_day_with_a_tenth_to_spare(day):
    """The limit comes from this measurement; Kubernetes enforces it."""
    peak = max(day.peak_mib.values())
    memory = yaml.safe_load(VALUES.read_text())["singleuser"]["memory"]
    assert peak * 1.1 < mebibytes(memory["limit"])


def test_the_z2jh_guarantee_holds_a_server_with_two_notebooks(room):
    _, report = room
    memory = yaml.safe_load(VALUES.read_text())["singleuser"]["memory"]
    two_notebooks = max(report.peak_mib.values()) + report.kernel_peak_mib
    assert two_notebooks < mebibytes(memory["guarantee"]) <= mebibytes(memory["limit"])
