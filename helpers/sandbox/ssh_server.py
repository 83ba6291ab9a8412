"""A sandbox instance's SSH server: asyncssh on 127.0.0.1, answering its pretend shell
(helpers/sandbox/shell.py), at a port that opens and closes as its security groups allow.

Every server runs on one event loop in its own thread, started with the first one: a Jupyter
kernel's own loop (in its main thread) is never used or blocked.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
from typing import Any

import asyncssh

from helpers.sandbox.shell import Answer, Machine

BACKLOG = 16  # connections an open port queues while the loop is busy
PACE = 0.01  # seconds between what one command printed and the next command's other stream
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()



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
    errors = process.stdout if process.get_terminal_type() else process.stderr  # one screen
    if process.command is not None:
        answer = machine.answer(process.command)
        await _write(process, answer, errors)
        process.exit(answer.status)
        return
    status = 0
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
        answer = machine.answer(line.strip())
        await _write(process, answer, errors)
        status = answer.status
        if answer.exited:
            break
    process.stdout.write("logout\n")
    process.exit(status)


async def _write(process: asyncssh.SSHServerProcess[str], answer: Answer, errors: Any) -> None:
    """What the command line printed, on stdout and errors, in the order it printed it. A real
    command takes a moment: without one, a client that reads stdout and stderr in one go may
    print all of one before the other."""
    last = None
    for where, text in answer.printed:
        if last is not None and where != last:
            await asyncio.sleep(PACE)
        (process.stdout if where == 1 else errors).write(text)
        last = where


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


class Port:
    """An instance's SSH port on 127.0.0.1. Open, it serves SSH; closed, it leaves every new
    connection unanswered, as a security group drops its packets, so that the client's connect
    times out in its own words: its listening queue is kept full (one connection of its own, never
    accepted), and the kernel drops whatever else knocks."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.setblocking(False)
        self.socket.listen(0)
        self.number: int = self.socket.getsockname()[1]
        self._plug: socket.socket | None = None
        self._serving: asyncio.Task[None] | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self.is_open = False
        self._close_the_door()

    def set_open(self, open_: bool) -> None:
        """Serve SSH (True) or drop new connections (False); what is connected stays."""
        if open_ != self.is_open:
            _wait(self._open() if open_ else self._close())

    async def _open(self) -> None:
        self.socket.listen(BACKLOG)
        if self._plug is not None:  # its connection, queued, is accepted and ends at once
            self._plug.close()
            self._plug = None
        self._serving = asyncio.get_running_loop().create_task(self._serve())
        self.is_open = True

    async def _close(self) -> None:
        if self._serving is not None:
            self._serving.cancel()
            self._serving = None
        self.socket.listen(0)
        self._close_the_door()
        self.is_open = False

    def _close_the_door(self) -> None:
        self._plug = socket.socket()
        self._plug.setblocking(False)
        try:
            self._plug.connect(("127.0.0.1", self.number))
        except BlockingIOError:  # connected, or queued: either way the queue is full
            pass

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            connection, _ = await loop.sock_accept(self.socket)
            loop.create_task(self._login(connection))

    async def _login(self, connection: socket.socket) -> None:
        try:
            ssh = await asyncssh.run_server(
                connection, server_factory=functools.partial(_Server, self.machine),
                server_host_keys=self.machine.host_keys,
                process_factory=functools.partial(_session, self.machine), encoding="utf-8",
                line_editor=True, allow_scp=False, agent_forwarding=False,
                x11_forwarding=False, allow_pty=True, login_timeout=60)
        except (OSError, asyncssh.Error):  # the door's own connection, or a client that left
            connection.close()
            return
        self._connections.add(ssh)
        await ssh.wait_closed()
        self._connections.discard(ssh)

    def close(self) -> None:
        """Stop listening, and end every session (the instance stopped)."""

        async def shut() -> None:
            await self._close()
            for ssh in list(self._connections):
                ssh.close()
            if self._plug is not None:
                self._plug.close()
            self.socket.close()

        _wait(shut())
