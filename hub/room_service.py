"""The presenter's room view on the workshop Hub: which attendee has done which exercise, live,
and, per attendee, their notebooks reset to the tutorial's, or everyone's copy brought up to a
newer tutorial. A Hub service (jupyterhub_config.py starts it; hub/z2jh-values.yaml on Zero to
JupyterHub) whose page only the Hub's admins can open (the Hub asks for access:services, which
only the admin role has).

    python room_service.py --exercises 01.1,01.2,... --state FILE [--tutorial DIR --homes DIR]
                           [--ip 0.0.0.0]

Each exercise's check (helpers/exercises) sends its verdict from the attendee's kernel, with their
server's token: the service asks the Hub whose token it is, and records under that name whether
the exercise is done (once done, it stays done) and when it was last checked. Never an answer, a
key or any code: the view cannot show what it never receives. The verdicts are kept in --state, so
a restarted Hub still shows them. Reset and Update work on the attendees' folders (--homes), so
only where the service runs beside them (make hub); on Kubernetes each is a volume of its own.

Under the service's prefix (/services/room/):
  GET  ''          the page (hub/room_page.html)
  GET  progress    every attendee's verdicts, as JSON (the page asks every 2 s)
  POST verdicts    {"exercise": "02.1", "passed": true} from an attendee's kernel
  POST reset/NAME  NAME's notebooks back to the tutorial's, theirs kept beside them
  POST update      every attendee's copy brought up to the tutorial as it is now
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, ioloop, web

PAGE = Path(__file__).with_name("room_page.html")
EXERCISE = re.compile(r"\d\d\.\d{1,2}")
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")  # as the Hub's username_pattern
PREFIX = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/room/")


class Room:
    """The verdicts by attendee and exercise, kept in a file; where the attendees' folders are."""

    def __init__(self, exercises: list[str], state: Path, tutorial: Path | None,
                 homes: Path | None) -> None:
        self.exercises, self.state, self.tutorial, self.homes = exercises, state, tutorial, homes
        try:
            self.verdicts: dict[str, dict[str, dict[str, Any]]] = json.loads(state.read_text())
        except (OSError, ValueError):
            self.verdicts = {}
        self.attendees: list[str] = []
        self.asked_hub = 0.0

    def record(self, name: str, exercise: str, passed: bool) -> None:
        earlier = self.verdicts.setdefault(name, {}).get(exercise, {})
        self.verdicts[name][exercise] = {"done": passed or earlier.get("done", False),
                                         "at": time.time()}
        partial = self.state.with_name(f"{self.state.name}.partial")
        partial.write_text(json.dumps(self.verdicts))
        partial.replace(self.state)

    async def refresh_attendees(self) -> None:
        """Every user the Hub knows but its admins, asked at most every 2 s."""
        if time.monotonic() - self.asked_hub < 2:
            return
        self.asked_hub = time.monotonic()
        names, offset = [], 0
        while True:
            url = url_path_join(os.environ["JUPYTERHUB_API_URL"], f"users?offset={offset}")
            answer = await httpclient.AsyncHTTPClient().fetch(url, headers={
                "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"})
            users = json.loads(answer.body)
            names += [user["name"] for user in users if not user.get("admin")]
            if not users:
                break
            offset += len(users)
        self.attendees = sorted(set(names))

    def progress(self) -> dict[str, Any]:
        seen = {exercise for verdicts in self.verdicts.values() for exercise in verdicts}
        return {"exercises": sorted(set(self.exercises) | seen),
                "attendees": [{"name": name, "verdicts": self.verdicts.get(name, {})}
                              for name in self.attendees],
                "can_change": self.homes is not None and self.tutorial is not None}


class PresenterHandler(HubOAuthenticated, web.RequestHandler):
    """For the Hub's admins: the Hub lets only them through (access:services!service=room)."""

    @property
    def room(self) -> Room:
        room: Room = self.settings["room"]
        return room

    def folders(self) -> tuple[Path, Path]:
        if self.room.homes is None or self.room.tutorial is None:
            raise web.HTTPError(409, "Reset and Update need the attendees' folders (make hub)")
        return self.room.tutorial, self.room.homes


class PageHandler(PresenterHandler):
    @web.authenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.read_text().replace("{{xsrf}}", self.xsrf_token.decode()))


class ProgressHandler(PresenterHandler):
    @web.authenticated
    async def get(self) -> None:
        await self.room.refresh_attendees()
        self.set_header("Cache-Control", "no-store")
        self.finish(self.room.progress())


class ResetHandler(PresenterHandler):
    @web.authenticated
    async def post(self, name: str) -> None:
        tutorial, homes = self.folders()
        if not NAME.fullmatch(name) or not (homes / name).is_dir():
            raise web.HTTPError(404, f"{name} has no folder on this Hub yet")
        import tutorial_copy  # beside this file; only where the folders are (make hub)

        changes = await asyncio.to_thread(tutorial_copy.reset, tutorial, homes / name,
                                          datetime.now())
        kept = [Path(path).name for path in changes.kept_as]
        if len(kept) == 1:
            said = (f"{name}'s notebooks are the tutorial's again; their own version of one is "
                    f"kept beside it: {kept[0]}.")
        elif kept:
            said = (f"{name}'s notebooks are the tutorial's again; their own versions of "
                    f"{len(kept)} are kept beside them: {_listed(kept)}.")
        else:
            said = (f"{name}'s notebooks are the tutorial's"
                    f"{' again' if changes.added else ''}: none of theirs differed, so none was "
                    "kept.")
        if kept:  # JupyterLab notices a file changed on disk when it next saves it
            said += (f" If {name} has one open, JupyterLab asks at its next save: Revert shows "
                     "the tutorial's.")
        self.finish({"said": said})


class UpdateHandler(PresenterHandler):
    @web.authenticated
    async def post(self) -> None:
        tutorial, homes = self.folders()
        import tutorial_copy

        now = datetime.now()
        homes_now = sorted(path for path in homes.iterdir() if path.is_dir())
        results = {home.name: await asyncio.to_thread(tutorial_copy.bring_up_to_date, tutorial,
                                                      home, now) for home in homes_now}
        changed = {name: c for name, c in results.items() if c}
        if not changed:
            said = f"All {_count(len(results), 'copy')} already hold the tutorial as it is: " \
                   "nothing changed."
        else:
            said = (f"Brought the copies of {_count(len(changed), 'attendee')} up to date: "
                    f"{_count(sum(len(c.updated) for c in changed.values()), 'file')} replaced "
                    "(unchanged by their attendee), "
                    f"{sum(len(c.added) for c in changed.values())} added")
            beside = [f"{name}: {Path(path).name}" for name, c in changed.items()
                      for path in c.beside]
            said += (f"; {_count(len(beside), 'file')} an attendee changed kept as it is, the "
                     f"new version beside it ({_listed(beside)})." if beside else
                     "; nothing an attendee changed was touched.")
        self.finish({"said": said})


class VerdictHandler(web.RequestHandler):
    """From an attendee's kernel: the token is their server's, whose owner the Hub names."""

    def check_xsrf_cookie(self) -> None:  # a token, not a cookie: nothing to forge
        pass

    async def post(self) -> None:
        hub_auth: HubOAuth = self.settings["hub_auth"]
        token = hub_auth.get_token(self, in_cookie=False)
        user = await hub_auth.user_for_token(token, sync=False) if token else None
        if not user or user.get("kind", "user") != "user":
            raise web.HTTPError(403, "not an attendee's token")
        try:
            verdict = json.loads(self.request.body)
            exercise, passed = verdict["exercise"], verdict["passed"]
        except (ValueError, KeyError, TypeError) as error:
            raise web.HTTPError(400, "expected {\"exercise\": \"02.1\", \"passed\": true}") \
                from error
        if not isinstance(exercise, str) or not EXERCISE.fullmatch(exercise) \
                or not isinstance(passed, bool):
            raise web.HTTPError(400, "expected {\"exercise\": \"02.1\", \"passed\": true}")
        self.settings["room"].record(user["name"], exercise, passed)
        self.set_status(204)


def _count(number: int, what: str) -> str:
    plural = f"{what[:-1]}ies" if what.endswith("y") else f"{what}s"
    return f"{number} {what if number == 1 else plural}"


def _listed(items: list[str], most: int = 3) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercises", required=True, help="the exercises' ids, comma-separated")
    parser.add_argument("--state", type=Path, required=True, help="where verdicts are kept")
    parser.add_argument("--tutorial", type=Path, help="the tutorial's folder (Update, Reset)")
    parser.add_argument("--homes", type=Path, help="the attendees' folders (Update, Reset)")
    parser.add_argument("--ip", help="the address to listen on (default: the service URL's)")
    args = parser.parse_args()
    # The presenter's terminal hears only what goes wrong, not each request's XSRF notes.
    logging.basicConfig(level=logging.ERROR, format="room view: %(message)s")
    if args.homes:
        sys.path.insert(0, str(Path(__file__).parent))  # tutorial_copy
    room = Room(args.exercises.split(","), args.state, args.tutorial, args.homes)
    app = web.Application([
        (PREFIX, PageHandler),
        (url_path_join(PREFIX, "progress"), ProgressHandler),
        (url_path_join(PREFIX, "verdicts"), VerdictHandler),
        (url_path_join(PREFIX, r"reset/([^/]+)"), ResetHandler),
        (url_path_join(PREFIX, "update"), UpdateHandler),
        (url_path_join(PREFIX, "oauth_callback"), HubOAuthCallbackHandler),
    ], room=room, hub_auth=HubOAuth(), cookie_secret=os.urandom(32), xsrf_cookies=True,
        log_function=_log_errors)
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port or 80, args.ip or url.hostname or "")
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # the Hub stops: nothing to say
        pass


def _log_errors(handler: web.RequestHandler) -> None:
    """Only what went wrong reaches the presenter's terminal, not every request."""
    if handler.get_status() >= 500:
        print(f"room view: {handler.get_status()} {handler.request.method} "
              f"{handler.request.path}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
