"""A sandbox instance's SSH server: asyncssh on 127.0.0.1, answering a small pretend shell.

Every server runs on one event loop in its own thread, started with the first one: a Jupyter
kernel's own loop (in its main thread) is never used or blocked. The shell is plain Python over
the instance's state (Machine): no command ever runs on the learner's machine.
"""

from __future__ import annotations

import asyncio
import functools
import re
import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import asyncssh

PUSHED_FOR = 60.0  # seconds a key pushed with EC2 Instance Connect is accepted
EXIT = -1  # the status run() gives for exit/logout
clock = time.monotonic  # tests move it forward
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


@dataclass
class Machine:
    """What an instance's SSH server knows: who logs in, with which keys, and how it answers."""

    user: str
    hostname: str
    uname: str
    authorized_keys: list[str]  # the lines of ~/.ssh/authorized_keys
    host_keys: list[asyncssh.SSHKey] = field(default_factory=list)
    pushed: list[tuple[str, str, float]] = field(default_factory=list)  # (user, key, until)

    @property
    def home(self) -> str:
        return f"/home/{self.user}"

    @property
    def prompt(self) -> str:
        short = self.hostname.split(".")[0]
        if self.user == "ec2-user":  # Amazon Linux's bash prompt; Debian's and Ubuntu's below
            return f"[{self.user}@{short} ~]$ "
        return f"{self.user}@{short}:~$ "

    def accepts(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Whether username may log in with key: listed in authorized_keys, or pushed for that
        user less than a minute ago. Only the image's user exists."""
        if username != self.user:
            return False
        now = clock()
        pushed = [line for user, line, until in self.pushed if user == username and now < until]
        return any(_same_key(line, key) for line in [*self.authorized_keys, *pushed])

    def push(self, username: str, public_key: str) -> None:
        """Accept public_key for username for the next 60 seconds (EC2 Instance Connect)."""
        now = clock()
        self.pushed = [p for p in self.pushed if now < p[2]] + [(username, public_key,
                                                                 now + PUSHED_FOR)]

    def run(self, command: str) -> tuple[str, str, int]:
        """(stdout, stderr, exit status) of a command line; status EXIT for exit or logout."""
        return _run_line(self, command)


def _same_key(line: str, key: asyncssh.SSHKey) -> bool:
    try:
        return asyncssh.import_public_key(line.strip()).public_data == key.public_data
    except (asyncssh.KeyImportError, ValueError):  # sshd skips a line it cannot read
        return False


# The shell: a few commands, each a function of (machine, arguments) -> (stdout, stderr, status).

AUTHORIZED_KEYS = ".ssh/authorized_keys"


def _path(machine: Machine, word: str) -> str:
    """A path as the shell would expand ~ and $HOME, made absolute from the home folder."""
    for prefix in ("~/", "$HOME/", "${HOME}/"):
        if word.startswith(prefix):
            return f"{machine.home}/{word[len(prefix):]}"
    return word if word.startswith("/") else f"{machine.home}/{word}"


def _is_authorized_keys(machine: Machine, word: str) -> bool:
    return _path(machine, word) == f"{machine.home}/{AUTHORIZED_KEYS}"


def _no_such_file(command: str, word: str) -> tuple[str, str, int]:
    return "", f"{command}: {word}: No such file or directory\n", 1


def _cat(machine: Machine, args: list[str]) -> tuple[str, str, int]:
    if not args:
        return "", "", 0
    if not all(_is_authorized_keys(machine, a) for a in args):
        bad = next(a for a in args if not _is_authorized_keys(machine, a))
        return _no_such_file("cat", bad)
    return "".join(line + "\n" for line in machine.authorized_keys) * len(args), "", 0


def _sed(machine: Machine, args: list[str]) -> tuple[str, str, int]:
    """Only sed -i '/TEXT/d' ~/.ssh/authorized_keys: delete the lines matching TEXT."""
    usage = ("", "sed: this instance's sed only deletes lines: "
                 "sed -i '/TEXT/d' ~/.ssh/authorized_keys\n", 1)
    if len(args) != 3 or args[0] != "-i":
        return usage
    match = re.fullmatch(r"/(.+)/d", args[1])
    if not match:
        return usage
    if not _is_authorized_keys(machine, args[2]):
        return _no_such_file("sed: can't read", args[2])
    try:
        pattern = re.compile(match[1])
    except re.error:
        return "", f"sed: -e expression #1, char {len(args[1])}: unterminated address regex\n", 1
    machine.authorized_keys = [line for line in machine.authorized_keys
                               if not pattern.search(line)]
    return "", "", 0


def _echo(machine: Machine, args: list[str]) -> tuple[str, str, int]:
    return " ".join(args) + "\n", "", 0


def _uname(machine: Machine, args: list[str]) -> tuple[str, str, int]:
    return (machine.uname if "-a" in args else "Linux") + "\n", "", 0


COMMANDS = {
    "whoami": lambda machine, args: (machine.user + "\n", "", 0),
    "hostname": lambda machine, args: (machine.hostname + "\n", "", 0),
    "pwd": lambda machine, args: (machine.home + "\n", "", 0),
    "uname": _uname,
    "cat": _cat,
    "echo": _echo,
    "sed": _sed,
}


def _redirect(machine: Machine, words: list[str]) -> tuple[str, str, int]:
    """A command whose output goes to authorized_keys: '>>' adds its lines, '>' replaces them."""
    operator = next(w for w in words if w in (">", ">>"))
    at = words.index(operator)
    if at != len(words) - 2:
        return "", "bash: syntax error near unexpected token `newline'\n", 2
    out, err, status = _command(machine, words[:at])
    if not _is_authorized_keys(machine, words[-1]):
        return "", f"bash: {words[-1]}: Permission denied\n", 1
    lines = [line for line in out.splitlines() if line]
    machine.authorized_keys = (machine.authorized_keys if operator == ">>" else []) + lines
    return "", err, status


def _command(machine: Machine, words: list[str]) -> tuple[str, str, int]:
    if not words:
        return "", "", 0
    if words[0] in ("exit", "logout"):
        return "", "", EXIT
    if any(w in (">", ">>") for w in words):
        return _redirect(machine, words)
    run = COMMANDS.get(words[0])
    if run is None:
        return "", f"bash: {words[0]}: command not found\n", 127
    return run(machine, words[1:])


def _run_line(machine: Machine, line: str) -> tuple[str, str, int]:
    """Commands joined by ';' and '&&', as bash runs them."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&<>|")
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        return "", "bash: unexpected EOF while looking for matching quote\n", 2
    out, err, status = "", "", 0
    command: list[str] = []
    for word in [*words, ";"]:
        if word not in (";", "&&"):
            command.append(word)
            continue
        if status == 0 or word == ";" or not command:
            o, e, status = _command(machine, command)
            out, err = out + o, err + e
            if status == EXIT:
                break
        command = []
        if word == "&&" and status != 0:
            break
    return out, err, status


# The server.


def _verify_rsa_as_sshd(self: asyncssh.rsa.RSAKey, data: bytes, sig_algorithm: bytes,
                        packet: asyncssh.packet.SSHPacket) -> bool:
    """asyncssh's RSA signature check, as OpenSSH's sshd makes it: a signature shorter than the
    modulus is padded back with zero bytes first. PuTTY leaves out the first byte of a signature
    when it is zero (about one login in 256), which sshd accepts and asyncssh alone refuses."""
    signature = packet.get_string()
    packet.check_end()
    size = (self._key.n.bit_length() + 7) // 8
    return len(signature) <= size and self._key.verify(
        data, signature.rjust(size, b"\0"), asyncssh.rsa._hash_algs[sig_algorithm])


# Patched for the whole process: this process's SSH servers are the sandbox's.
asyncssh.rsa.RSAKey.verify_ssh = _verify_rsa_as_sshd  # type: ignore[method-assign]


class _Server(asyncssh.SSHServer):
    """Public key authentication only, so a refusal reads 'Permission denied (publickey)'."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return self.machine.accepts(username, key)


async def _session(machine: Machine, process: asyncssh.SSHServerProcess[str]) -> None:
    """One login: a command (ssh host CMD), or a shell to type into until exit or Ctrl-D."""
    if process.command is not None:
        out, err, status = machine.run(process.command)
        process.stdout.write(out)
        process.stderr.write(err)
        process.exit(0 if status == EXIT else status)
        return
    status = 0
    errors = process.stdout if process.get_terminal_type() else process.stderr  # one screen
    while True:
        process.stdout.write(machine.prompt)
        try:
            line = await process.stdin.readline()
        except asyncssh.TerminalSizeChanged:
            continue
        except asyncssh.BreakReceived:
            break
        if not line:  # Ctrl-D
            break
        out, err, status = machine.run(line.strip())
        if status == EXIT:
            status = 0
            break
        process.stdout.write(out)
        errors.write(err)
    process.stdout.write("logout\n")
    process.exit(status)


def _the_loop() -> asyncio.AbstractEventLoop:
    """The servers' event loop, running in a daemon thread (started on first use)."""
    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="sandbox-ssh", daemon=True).start()
            _loop = loop
    return _loop


def _wait(awaitable: Any) -> Any:
    """Run awaitable on the servers' loop and wait for its result."""

    async def wait() -> Any:
        return await awaitable

    return asyncio.run_coroutine_threadsafe(wait(), _the_loop()).result(timeout=30)


def new_host_keys() -> list[asyncssh.SSHKey]:
    """An instance's own host keys, as a new Amazon Linux makes them (ECDSA and ED25519)."""
    return [asyncssh.generate_private_key("ecdsa-sha2-nistp256"),
            asyncssh.generate_private_key("ssh-ed25519")]


def listen(machine: Machine) -> tuple[asyncssh.SSHAcceptor, int]:
    """Start machine's SSH server on 127.0.0.1 at a free port; return it and the port."""
    server = _wait(asyncssh.create_server(
        functools.partial(_Server, machine), "127.0.0.1", 0, server_host_keys=machine.host_keys,
        process_factory=functools.partial(_session, machine), encoding="utf-8",
        line_editor=True, allow_scp=False, agent_forwarding=False, x11_forwarding=False,
        allow_pty=True, login_timeout=60))
    return server, server.sockets[0].getsockname()[1]


def close(server: asyncssh.SSHAcceptor) -> None:
    """Stop listening and end the server's sessions."""

    async def shut() -> None:
        server.close()
        await server.wait_closed()

    _wait(shut())
