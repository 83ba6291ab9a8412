"""The workshop Hub's login (jupyterhub_config.py): JupyterHub's shared-password login, plus one
name for one person, a sentence for each refusal the login page cannot work out by itself, and
one quiet line in the presenter's terminal for each attendee who logs in."""

from __future__ import annotations

from datetime import datetime
from hmac import compare_digest
from typing import Any

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

# Set in a browser when a name logs in (signed with the Hub's cookie secret, new at each start):
# the browser that holds it may log in under that name again while its server runs.
CLAIM = "tutorial-name"


class RoomAuthenticator(SharedPasswordAuthenticator):
    """Any name with the room's password, as SharedPasswordAuthenticator; but a name whose
    server runs is refused from another browser ("Bob" is "bob": the Hub ignores capitals), so
    two attendees never share one JupyterLab without knowing. The presenter may log in from
    several screens."""

    refusals: dict[str, str] = {}  # what the login page says, by the name as typed

    def refusal_for(self, typed: str | None) -> str:
        """Why the login under that name was just refused, if the page cannot tell (once)."""
        return self.refusals.pop(typed or "", "")

    def _refuse(self, typed: str, sentence: str) -> None:
        self.refusals[typed] = sentence

    async def authenticate(self, handler: Any, data: dict[str, str]) -> dict[str, Any] | None:
        typed, password = data["username"], data["password"]
        name = self.normalize_username(typed)
        if name in self.admin_users:
            if self.user_password and compare_digest(password, self.user_password):
                self._refuse(typed, f"“{name}” is the presenter's name: choose a name of your "
                                    "own (the room's password never opens it).")
            elif not (self.admin_password and compare_digest(password, self.admin_password)):
                self._refuse(typed, f"“{name}” is the presenter's name, and that is not the "
                                    "presenter's password.")
        user = await super().authenticate(handler, data)
        if user is None:
            return None
        known = handler.find_user(name)
        claim = handler.get_secure_cookie(CLAIM, max_age_days=2)
        if not user.get("admin") and known is not None and known.active \
                and claim != name.encode():
            self._refuse(typed, f"The name “{name}” is in use: someone logged in with it from "
                                "another browser (capitals make no difference). Choose another "
                                "name; if that was you, go back to that browser, or ask the "
                                "presenter.")
            print(f"{datetime.now():%H:%M:%S}  a second login as {name}, from another browser, "
                  "was refused: the name is in use", flush=True)
            return None
        handler.set_secure_cookie(CLAIM, name, expires_days=2, httponly=True,
                                  path=handler.hub.base_url)
        print(f"{datetime.now():%H:%M:%S}  {name} logged in"
              f"{'' if known else ' (new)'}{' as the presenter' if user.get('admin') else ''}",
              flush=True)
        return user
