"""A sandbox instance as its SSH server sees it (Machine): who logs in with which keys, and the
small pretend shell it answers. Plain Python over the instance's state: no command ever runs on
the learner's machine."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import asyncssh

PUSHED_FOR = 60.0  # seconds a key pushed with EC2 Instance Connect is accepted
clock = time.monotonic  # tests move it forward


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

    @property
    def environment(self) -> dict[str, str]:
        """What the login shell's $NAME expands to."""
        return {"HOME": self.home, "USER": self.user, "LOGNAME": self.user,
                "SHELL": "/bin/bash", "HOSTNAME": self.hostname, "PWD": self.home,
                "PATH": "/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin"}

    def answer(self, line: str) -> Answer:
        """What a command line prints, in order, and its exit status."""
        return _run_line(self, line)

    def run(self, line: str) -> tuple[str, str, int]:
        """(stdout, stderr, exit status) of a command line."""
        answer = _run_line(self, line)
        return answer.stream(1), answer.stream(2), answer.status


def _same_key(line: str, key: asyncssh.SSHKey) -> bool:
    try:
        return asyncssh.import_public_key(line.strip()).public_data == key.public_data
    except (asyncssh.KeyImportError, ValueError):  # sshd skips a line it cannot read
        return False


# The shell: a few commands, each a function of (machine, arguments) -> (stdout, stderr, status).

AUTHORIZED_KEYS = ".ssh/authorized_keys"


def _path(machine: Machine, word: str) -> str:
    """A path made absolute from the home folder, as the shell expands ~."""
    if word == "~" or word.startswith("~/"):
        word = machine.home + word[1:]
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
    "true": lambda machine, args: ("", "", 0),
    "false": lambda machine, args: ("", "", 1),
    "uname": _uname,
    "cat": _cat,
    "echo": _echo,
    "sed": _sed,
}
OPERATORS = (";", "&&", "||", ">>", ">", "|", "<", "&")


@dataclass
class Answer:
    """What a command line printed, in the order it printed it ((1, text) on stdout, (2, text) on
    stderr), its exit status, and whether it ended the session (exit, logout)."""

    printed: list[tuple[int, str]] = field(default_factory=list)
    status: int = 0
    exited: bool = False

    def stream(self, number: int) -> str:
        return "".join(text for where, text in self.printed if where == number)


def _words(line: str) -> list[list[tuple[str, str]] | str]:
    """The line as bash splits it: operators as strings, each word as its parts, ("text", ...)
    or ("var", NAME) for a $NAME or ${NAME} outside single quotes. ValueError for an unclosed
    quote."""
    words: list[list[tuple[str, str]] | str] = []
    word: list[tuple[str, str]] | None = None
    quote, i = "", 0

    def add(kind: str, text: str) -> None:
        nonlocal word
        word = [] if word is None else word
        word.append((kind, text))

    while i < len(line):
        char = line[i]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                add("text", char)
        elif char == "$" and (name := re.match(r"\$(?:\{(\w+|\?)\}|(\w+|\?))", line[i:])):
            add("var", name[1] or name[2])
            i += len(name[0])
            continue
        elif quote == '"':
            if char == '"':
                quote = ""
            elif char == "\\" and line[i + 1:i + 2] in ('"', "\\", "$"):
                add("text", line[i + 1])
                i += 1
            else:
                add("text", char)
        elif char in "'\"":
            quote = char
            add("text", "")
        elif char == "\\" and i + 1 < len(line):
            add("text", line[i + 1])
            i += 1
        elif char.isspace():
            if word is not None:
                words.append(word)
                word = None
        elif operator := next((o for o in OPERATORS if line.startswith(o, i)), None):
            if word is not None:
                words.append(word)
                word = None
            words.append(operator)
            i += len(operator)
            continue
        else:
            add("text", char)
        i += 1
    if quote:
        raise ValueError("unclosed quote")
    if word is not None:
        words.append(word)
    return words


def _expanded(word: list[tuple[str, str]], environment: dict[str, str]) -> str:
    return "".join(environment.get(text, "") if kind == "var" else text for kind, text in word)


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
    if any(w in (">", ">>") for w in words):
        return _redirect(machine, words)
    run = COMMANDS.get(words[0])
    if run is None:
        return "", f"bash: {words[0]}: command not found\n", 127
    return run(machine, words[1:])


def _run_line(machine: Machine, line: str) -> Answer:
    """Commands joined by ';', '&&' and '||', run in turn as bash runs them, with $NAME from the
    machine's environment and $? the last status; exit [N] ends the session."""
    answer = Answer()
    try:
        words = _words(line)
    except ValueError:
        answer.printed.append((2, "bash: unexpected EOF while looking for matching quote\n"))
        answer.status = 2
        return answer
    unsupported = next((w for w in words if w in ("|", "<", "&")), None)
    if unsupported:
        answer.printed.append((2, f"bash: this instance's shell has no {unsupported!r}: run "
                                  "one command at a time\n"))
        answer.status = 2
        return answer
    command: list[str] = []
    skip = False  # after && a failure, or after || a success: the next command is not run
    for word in [*words, ";"]:
        if not isinstance(word, str) or word in (">", ">>"):
            environment = {**machine.environment, "?": str(answer.status)}
            text = word if isinstance(word, str) else _expanded(word, environment)
            if text or isinstance(word, str) or any(kind == "text" for kind, _ in word):
                command.append(text)  # an unquoted $NAME that expands to nothing is no word
            continue
        if command and not skip:
            if command[0] in ("exit", "logout"):
                code = command[1] if len(command) > 1 else str(answer.status)
                answer.status = int(code) % 256 if code.lstrip("-").isdigit() else 2
                answer.exited = True
                return answer
            out, err, answer.status = _command(machine, command)
            answer.printed += [(where, text) for where, text in ((1, out), (2, err)) if text]
        skip = (word == "&&" and answer.status != 0) or (word == "||" and answer.status == 0)
        command = []
    return answer
