"""Logging in to sandbox instances with the real clients (OpenSSH's ssh, PuTTY's plink), in their
own words; the instance's pretend shell; and helpers.login."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import logins
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given
from hypothesis import strategies as st

from helpers import kernel, login
from helpers.errors import KeyPairError
from helpers.fingerprints import ssh_fingerprint
from helpers.sandbox import shell, ssh_server

PERMISSION_DENIED = "Permission denied (publickey)."


@pytest.fixture
def ssh(need):
    return need("ssh")


def key_file(folder: Path, name: str, text: str, mode: int = 0o600) -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(mode)
    return path


def ssh_run(ssh: str, key: Path, address: tuple[str, int], command: str = "whoami",
            user: str = "ec2-user", known_hosts: Path | None = None
            ) -> subprocess.CompletedProcess:
    """The learner's command line; the host key checked when known_hosts is given."""
    host, port = address
    check = ["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}"] \
        if known_hosts else ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
    return subprocess.run([ssh, "-i", str(key), "-p", str(port), *check, "-o", "BatchMode=yes",
                           "-o", "IdentitiesOnly=yes", "-F", "/dev/null", f"{user}@{host}",
                           command], capture_output=True, text=True, timeout=30)


@pytest.fixture
def web(ec2, tmp_path):
    """An Amazon Linux instance launched with ED25519 key pair web, its key file (0600) and
    the known_hosts its console output gives."""
    created = ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    instance = logins.launch(ec2, "web")
    address = login.ssh_address(ec2, instance)
    known = tmp_path / "known_hosts"
    known.write_text(login.known_hosts(login.console_output(ec2, instance), *address))
    return instance, key_file(tmp_path, "web.pem", created["KeyMaterial"]), address, known


@pytest.mark.tools
def test_ssh_logs_in_with_the_key_file_checking_the_host_key(ec2, web, ssh):
    instance, key, address, known = web
    done = ssh_run(ssh, key, address, "whoami; hostname", known_hosts=known)
    assert done.returncode == 0, done.stderr
    private_dns = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0][
        "Instances"][0]["PrivateDnsName"]
    assert done.stdout == f"ec2-user\n{private_dns}\n"
    again = ssh_run(ssh, key, address, "whoami", known_hosts=known)  # the second run
    assert again.stdout == "ec2-user\n"


@pytest.mark.tools
def test_ssh_prints_what_the_instance_printed_in_order_and_exits_with_its_status(web, ssh):
    _, key, address, known = web
    host, port = address
    command = [ssh, "-i", str(key), "-p", str(port), "-o", "BatchMode=yes", "-o",
               "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}", "-F", "/dev/null",
               f"ec2-user@{host}", "echo first; nope; echo $USER $SHELL; exit 3"]
    for terminal in ([], ["-tt"]):  # stderr apart, and on the terminal with stdout
        done = subprocess.run(command[:1] + terminal + command[1:], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=30)
        assert done.stdout.replace("\r\n", "\n").startswith(
            "first\nbash: nope: command not found\nec2-user /bin/bash\n")
        assert done.returncode == 3


@pytest.mark.tools
def test_ssh_to_an_instance_no_security_group_opens_times_out_in_ssh_s_own_words(ec2, ssh,
                                                                                  tmp_path):
    created = ec2.create_key_pair(KeyName="shut", KeyType="ed25519")
    instance = logins.launch(ec2, "shut", reachable=False)  # its VPC's default group
    key = key_file(tmp_path, "shut.pem", created["KeyMaterial"])
    host, port = login.ssh_address(ec2, instance)
    done = subprocess.run([ssh, "-i", str(key), "-p", str(port), "-o", "ConnectTimeout=1",
                           "-o", "BatchMode=yes", "-F", "/dev/null", f"ec2-user@{host}", "whoami"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 255
    assert done.stderr == f"ssh: connect to host 127.0.0.1 port {port}: Connection timed out\n"


@pytest.mark.tools
def test_ssh_in_a_cell_never_waits_for_an_answer_about_an_unknown_host(web, ssh, tmp_path):
    """As a cell's !ssh runs it (on a terminal of its own, which no one can type into), with
    the kernel's environment: refused at once in ssh's words, instead of asking yes/no."""
    import pexpect

    _, key, (host, port), _ = web
    command = pexpect.spawn(ssh, ["-i", str(key), "-p", str(port), "-F", "/dev/null", "-o",
                                  f"UserKnownHostsFile={tmp_path / 'empty'}", f"ec2-user@{host}",
                                  "whoami"], env={**os.environ, **kernel.NO_QUESTIONS}, timeout=10)
    command.expect(pexpect.EOF)
    assert command.before.decode().strip() == "Host key verification failed."


@pytest.mark.tools
def test_ssh_refuses_a_key_file_others_can_read(web, ssh):
    _, key, address, _ = web
    key.chmod(0o644)
    done = ssh_run(ssh, key, address)
    assert "WARNING: UNPROTECTED PRIVATE KEY FILE!" in done.stderr
    assert f"Permissions 0644 for '{key}' are too open." in done.stderr
    assert PERMISSION_DENIED in done.stderr and done.returncode == 255
    key.chmod(0o400)  # what the user guide says to do
    assert ssh_run(ssh, key, address).stdout == "ec2-user\n"


@pytest.mark.tools
def test_a_wrong_key_or_a_wrong_user_is_permission_denied(ec2, web, ssh, tmp_path):
    _, key, address, _ = web
    other = ec2.create_key_pair(KeyName="other", KeyType="ed25519")
    wrong = ssh_run(ssh, key_file(tmp_path, "other.pem", other["KeyMaterial"]), address)
    assert wrong.returncode == 255 and f"ec2-user@127.0.0.1: {PERMISSION_DENIED}" in wrong.stderr
    for user in ("ubuntu", "admin", "root"):
        denied = ssh_run(ssh, key, address, user=user)
        assert f"{user}@127.0.0.1: {PERMISSION_DENIED}" in denied.stderr


@pytest.mark.tools
def test_ubuntu_logs_in_as_ubuntu(ec2, ssh, tmp_path):
    created = ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    instance = logins.launch(ec2, "web", logins.UBUNTU_IMAGE)
    assert login.default_user(ec2, instance) == "ubuntu"
    key = key_file(tmp_path, "web.pem", created["KeyMaterial"])
    address = login.ssh_address(ec2, instance)
    assert ssh_run(ssh, key, address, user="ubuntu").stdout == "ubuntu\n"
    assert PERMISSION_DENIED in ssh_run(ssh, key, address).stderr  # as ec2-user


@pytest.mark.tools
def test_a_host_key_that_is_not_the_consoles_is_refused(ec2, web, ssh, tmp_path):
    _, key, address, _ = web
    other = logins.launch(ec2, "web")  # its own host keys
    wrong = tmp_path / "wrong_known_hosts"
    wrong.write_text(login.known_hosts(login.console_output(ec2, other), *address))
    done = ssh_run(ssh, key, address, known_hosts=wrong)
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED!" in done.stderr
    assert "Host key verification failed." in done.stderr and done.stdout == ""
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    unknown = ssh_run(ssh, key, address, known_hosts=empty)
    assert "Host key verification failed." in unknown.stderr and unknown.returncode == 255


@pytest.mark.tools
def test_the_fingerprint_ssh_shows_is_in_the_console_output(ec2, web, ssh):
    instance, key, address, _ = web
    done = ssh_run(ssh, key, address)  # StrictHostKeyChecking=no: ssh says what it added
    assert "Warning: Permanently added '[127.0.0.1]:" in done.stderr
    shown = subprocess.run(["ssh-keyscan", "-p", str(address[1]), "-t", "ed25519", address[0]],
                           capture_output=True, text=True, timeout=30).stdout.split()
    assert ssh_fingerprint(" ".join(shown[1:3])) in login.host_key_fingerprints(
        login.console_output(ec2, instance))


@pytest.mark.tools
def test_plink_logs_in_with_the_ppk_create_key_pair_returned(ec2, need, tmp_path):
    plink = need("plink")
    created = ec2.create_key_pair(KeyName="putty", KeyType="rsa", KeyFormat="ppk")
    ppk = key_file(tmp_path, "putty.ppk", created["KeyMaterial"])
    instance = logins.launch(ec2, "putty")
    host, port = login.ssh_address(ec2, instance)
    fingerprints = login.host_key_fingerprints(login.console_output(ec2, instance))
    pinned = [arg for fingerprint in fingerprints for arg in ("-hostkey", fingerprint)]
    done = subprocess.run([plink, "-batch", "-ssh", "-i", str(ppk), "-P", str(port), *pinned,
                           f"ec2-user@{host}", "whoami"], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout == "ec2-user\n", done.stderr
    denied = subprocess.run([plink, "-batch", "-ssh", "-i", str(ppk), "-P", str(port), *pinned,
                             f"admin@{host}", "whoami"], capture_output=True, text=True,
                            timeout=30)
    assert denied.returncode != 0 and denied.stderr == (
        "Server refused our key\nFATAL ERROR: No supported authentication methods available "
        "(server sent: publickey)\n")


def test_an_rsa_signature_that_lost_its_leading_zero_byte_is_accepted_as_sshd_does():
    """PuTTY sends an RSA signature whose first byte is zero without it (one login in 256 or
    so: plink then said 'Server refused public-key signature despite accepting key!'); OpenSSH's
    sshd pads it back to the modulus' length before checking it, and so does the sandbox."""
    import asyncssh
    from asyncssh.packet import SSHPacket, String

    key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    public = asyncssh.import_public_key(key.export_public_key())
    signed = (SSHPacket(key.sign_ssh(n.to_bytes(4, "big"), b"rsa-sha2-512")).get_string()
              for n in range(5000))
    data, signature = next((n.to_bytes(4, "big"), s) for n, s in enumerate(signed) if s[0] == 0)
    assert len(signature) == 256 and ssh_server.BACKLOG  # the sandbox's server is loaded
    for sent in (signature, signature[1:]):  # as asyncssh and OpenSSH send it, as PuTTY does
        assert public.verify_ssh(data, b"rsa-sha2-512", SSHPacket(String(sent)))
        assert not public.verify_ssh(b"other", b"rsa-sha2-512", SSHPacket(String(sent)))


@pytest.mark.tools
def test_a_key_pair_deleted_after_launch_still_logs_in(ec2, web, ssh):
    _, key, address, known = web
    ec2.delete_key_pair(KeyName="web")
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ssh_run(ssh, key, address, known_hosts=known).stdout == "ec2-user\n"


@pytest.mark.tools
def test_a_lost_key_is_replaced_on_the_running_instance(ec2, web, ssh, tmp_path, monkeypatch):
    """Lost web.pem: push a new key with EC2 Instance Connect, then, within its minute, add the
    new key to authorized_keys and remove the old one."""
    instance, old_key, address, known = web
    new = ed25519.Ed25519PrivateKey.generate()
    new_key = key_file(tmp_path, "new.pem", new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()).decode())
    new_public = new.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    assert PERMISSION_DENIED in ssh_run(ssh, new_key, address, known_hosts=known).stderr
    logins.instance_connect(ec2).send_ssh_public_key(
        InstanceId=instance, InstanceOSUser="ec2-user", SSHPublicKey=new_public)
    rotate = (f"echo '{new_public} new-laptop' >> ~/.ssh/authorized_keys && "
              "sed -i '/ web$/d' ~/.ssh/authorized_keys && cat ~/.ssh/authorized_keys")
    done = ssh_run(ssh, new_key, address, rotate, known_hosts=known)
    assert done.stdout == f"{new_public} new-laptop\n", done.stderr
    later = shell.clock() + 61
    monkeypatch.setattr(shell, "clock", lambda: later)  # the pushed key has expired
    assert ssh_run(ssh, new_key, address, known_hosts=known).stdout == "ec2-user\n"
    assert PERMISSION_DENIED in ssh_run(ssh, old_key, address, known_hosts=known).stderr


@pytest.mark.tools
def test_an_interactive_session_answers_until_exit(web, ssh):
    _, key, address, _ = web
    done = subprocess.run([ssh, "-tt", "-i", str(key), "-p", str(address[1]), "-F", "/dev/null",
                           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                           f"ec2-user@{address[0]}"], input="whoami\nls\nexit\n",
                          capture_output=True, text=True, timeout=30)
    # The typed lines echo whenever they arrive (they were piped in at once): without them, the
    # screen is what a person sees, answer after answer.
    screen = re.sub(r"^(whoami|ls|exit)\n|(?<=\$ )(whoami|ls|exit)\n", "",
                    done.stdout.replace("\r", ""), flags=re.M)
    prompt = re.escape(screen.split(" ", 1)[0]) + r" ~\]\$ "
    assert done.returncode == 0
    assert re.fullmatch(f"{prompt}ec2-user\n{prompt}bash: ls: command not found\n{prompt}logout\n",
                        screen), screen


@pytest.mark.process
def test_a_kernel_that_launches_no_instance_with_a_key_pair_opens_no_port():
    script = """
import sys
from helpers import sandbox
sandbox.start()
import boto3
ec2 = boto3.client('ec2')
ec2.create_key_pair(KeyName='k', KeyType='ed25519')
ec2.run_instances(ImageId='ami-760aaa0f', MinCount=1, MaxCount=1)
ec2.get_console_output(InstanceId=ec2.describe_instances()['Reservations'][0]['Instances'][0]['InstanceId'])
print('asyncssh' in sys.modules, [t.name for t in __import__('threading').enumerate()])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=clean_env())
    assert done.stdout.strip() == "False ['MainThread']", done.stderr


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL",
                                                                       "EC2_KEYPAIRS_LIVE"))}


@pytest.mark.process
def test_an_instances_ssh_server_goes_away_with_the_kernel():
    script = """
from helpers import sandbox, login
sandbox.start()
import boto3
ec2 = boto3.client('ec2')
ec2.create_key_pair(KeyName='k', KeyType='ed25519')
i = ec2.run_instances(ImageId='ami-760aaa0f', MinCount=1, MaxCount=1, KeyName='k')
print(login.ssh_address(ec2, i['Instances'][0]['InstanceId'])[1])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=clean_env())
    port = int(done.stdout.split()[-1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_the_server_binds_loopback_only(ec2, web):
    _, _, (host, port), _ = web
    assert host == "127.0.0.1"
    table = Path("/proc/net/tcp")
    if not table.exists():
        pytest.skip("no /proc/net/tcp on this system to read listening sockets from")
    listening = [line.split()[1] for line in table.read_text().splitlines()[1:]
                 if line.split()[3] == "0A" and line.split()[1].endswith(f":{port:04X}")]
    assert listening == [f"0100007F:{port:04X}"], "listening on 127.0.0.1 only"
    assert not Path("/proc/net/tcp6").exists() or f":{port:04X} " not in Path(
        "/proc/net/tcp6").read_text(), "and not on any IPv6 address"


# helpers.login -----------------------------------------------------------------------------


def test_the_user_follows_the_image():
    cases = {("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server", None, None): "ubuntu",
             ("debian-12-amd64-20240717-1811", "Debian 12", None): "admin",
             ("al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64", None, None): "ec2-user",
             ("RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3", None, None): "ec2-user",
             ("suse-sles-15-sp6-v20240808-hvm-ssd-x86_64", None, None): "ec2-user",
             ("Windows_Server-2022-English-Full-Base", None, "windows"): "Administrator",
             (None, None, None): "ec2-user"}
    for image, user in cases.items():
        assert login.user_for_image(*image) == user, image


def test_default_user_reads_the_instances_image(ec2):
    ec2.create_key_pair(KeyName="k")
    debian = ec2.register_image(Name="debian-12-amd64-20240717-1811",
                                Description="Debian 12 (20240717-1811)")["ImageId"]
    assert login.default_user(ec2, logins.launch(ec2, "k", debian)) == "admin"
    assert login.default_user(ec2, logins.launch(ec2, "k", "ami-12345678")) == "ec2-user"
    assert login.default_user(ec2, logins.launch(ec2, "k", logins.WINDOWS_IMAGE)) == (
        "Administrator")


def test_a_debian_instance_answers_as_admin(ec2):
    key = ec2.create_key_pair(KeyName="k", KeyType="ed25519")
    debian = ec2.register_image(Name="debian-12-amd64-20240717-1811")["ImageId"]
    instance = logins.launch(ec2, "k", debian)
    assert logins.run(ec2, instance, key["KeyMaterial"], "whoami; uname -a", user="admin") \
        .startswith("admin\nLinux ip-")


def test_ssh_address_says_what_to_do_in_each_state(ec2, web):
    instance = web[0]
    ec2.stop_instances(InstanceIds=[instance])
    with pytest.raises(KeyPairError, match=rf"^{instance} is stopped: start it \(ec2\."
                                           rf"start_instances\(InstanceIds=\['{instance}'\]\)\)"):
        login.ssh_address(ec2, instance)
    ec2.start_instances(InstanceIds=[instance])
    host, port = login.ssh_address(ec2, instance)
    assert host == "127.0.0.1" and port != web[2][1], "a started instance has a new port"
    ec2.terminate_instances(InstanceIds=[instance])
    with pytest.raises(KeyPairError, match=f"^{instance} is terminated: a terminated instance "
                                           "cannot be started again. Launch a new one"):
        login.ssh_address(ec2, instance)
    windows = logins.launch(ec2, None, logins.WINDOWS_IMAGE)
    with pytest.raises(KeyPairError, match=f"^{windows} runs Windows: connect with RDP"):
        login.ssh_address(ec2, windows)
    bare = logins.launch(ec2, None)
    with pytest.raises(KeyPairError, match=f"^{bare} has no SSH server: on the sandbox only a "
                                           "Linux instance launched with a key pair"):
        login.ssh_address(ec2, bare)


class Console:
    """A client whose instances print a given console output (as real AWS would)."""

    def __init__(self, output: str, endpoint: str = "https://ec2.us-east-1.amazonaws.com",
                 **instance: object) -> None:
        self.output, self.instance = output, {"State": {"Name": "running"}, **instance}
        self.meta = SimpleNamespace(endpoint_url=endpoint)

    def describe_instances(self, InstanceIds):  # noqa: N803 (boto3's names)
        return {"Reservations": [{"Instances": [self.instance]}]}

    def get_console_output(self, InstanceId):  # noqa: N803
        return {"Output": self.output}


def test_on_an_endpoint_whose_instances_answer_nothing_there_is_no_address():
    moto_sample = "[    0.000000] Linux version 2.6.16-xenU (builder@patchbat.amazonsa)\n"
    endpoint = Console(moto_sample, endpoint="http://127.0.0.1:5000",
                       PublicDnsName="ec2-54-1-2-3.compute-1.amazonaws.com")
    with pytest.raises(KeyPairError, match=f"^{re.escape(login.NO_SSH)}$"):
        login.ssh_address(endpoint, "i-0123")


def test_on_aws_the_address_is_the_public_one_and_port_22(monkeypatch):
    monkeypatch.setattr(login, "client_backend", lambda ec2: "live")  # whatever this process runs
    real = "[   12.1] sshd[812]: Server listening on 0.0.0.0 port 22.\n"
    aws = Console(real, PublicDnsName="ec2-3-80-1-2.compute-1.amazonaws.com",
                  PublicIpAddress="3.80.1.2")
    assert login.ssh_address(aws, "i-0123") == ("ec2-3-80-1-2.compute-1.amazonaws.com", 22)
    assert login.ssh_address(Console("", PublicDnsName="", PublicIpAddress="3.80.1.2"),
                             "i-0123") == ("3.80.1.2", 22)
    with pytest.raises(KeyPairError, match="has no public address"):
        login.ssh_address(Console("", PrivateIpAddress="10.0.0.5"), "i-0123")


def test_known_hosts_needs_the_consoles_host_keys():
    with pytest.raises(KeyPairError, match="no host keys yet"):
        login.known_hosts("", "127.0.0.1", 2222)
    key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    unlisted = f"{login.KEYS[0]}\n{key} root@ip\n{login.KEYS[1]}\n"
    with pytest.raises(KeyPairError):  # a key whose fingerprint the console does not list
        login.known_hosts(unlisted, "127.0.0.1")
    listed = (f"ec2: {login.FINGERPRINTS[0]}\nec2: 256 {ssh_fingerprint(key)} root@ip "
              f"(ED25519)\nec2: {login.FINGERPRINTS[1]}\n{unlisted}")
    assert login.known_hosts(listed, "203.0.113.9") == f"203.0.113.9 {key}\n"


# The instance's shell, without SSH ------------------------------------------------------------


def machine() -> shell.Machine:
    return shell.Machine("ec2-user", "ip-10-0-0-1.ec2.internal", "Linux ip-10-0-0-1",
                              ["ssh-ed25519 AAAAold old-key"])


def test_the_shell_answers_its_commands_and_no_others():
    m = machine()
    assert m.run("whoami") == ("ec2-user\n", "", 0)
    assert m.run("pwd; hostname") == ("/home/ec2-user\nip-10-0-0-1.ec2.internal\n", "", 0)
    assert m.run("rm -rf /") == ("", "bash: rm: command not found\n", 127)
    assert m.run("sudo whoami")[1] == "bash: sudo: command not found\n"
    assert m.run("cat /etc/passwd") == ("", "cat: /etc/passwd: No such file or directory\n", 1)
    assert m.answer("exit").exited and m.answer("exit 3").status == 3
    assert m.run("nope && whoami") == ("", "bash: nope: command not found\n", 127)
    assert m.run("nope; whoami")[0] == "ec2-user\n"


def test_the_shell_expands_its_variables_exits_with_a_status_and_prints_in_order():
    m = machine()
    assert m.run('echo $HOME "${USER}" $NOPE') == ("/home/ec2-user ec2-user\n", "", 0)
    assert m.run("echo '$HOME' \\$HOME")[0] == "$HOME $HOME\n", "quoted: as typed"
    assert m.run("nope; echo $?")[0] == "127\n" and m.run("false || echo no")[0] == "no\n"
    answer = m.answer("echo a; nope; echo b; exit 4; echo never")
    assert answer.printed == [(1, "a\n"), (2, "bash: nope: command not found\n"), (1, "b\n")]
    assert answer.exited and answer.status == 4
    assert m.answer("nope; exit").status == 127, "exit: the last command's status"
    assert m.run("echo a | cat")[2] == 2 and "run one command at a time" in m.run("ls | cat")[1]


def test_the_shell_adds_and_removes_authorized_keys_lines():
    m = machine()
    for path in ("~/.ssh/authorized_keys", ".ssh/authorized_keys",
                 "/home/ec2-user/.ssh/authorized_keys", "$HOME/.ssh/authorized_keys"):
        m.run(f"echo 'ssh-ed25519 AAAAnew new-key' >> {path}")
        assert m.authorized_keys[-1] == "ssh-ed25519 AAAAnew new-key"
        m.run(f"sed -i '/new-key/d' {path}")
        assert m.authorized_keys == ["ssh-ed25519 AAAAold old-key"]
    assert m.run("echo x >> /etc/ssh/sshd_config")[1] == (
        "bash: /etc/ssh/sshd_config: Permission denied\n")
    assert "only deletes lines" in m.run("sed -i 's/a/b/' ~/.ssh/authorized_keys")[1]
    m.run("echo 'ssh-ed25519 AAAAonly only' > ~/.ssh/authorized_keys")
    assert m.authorized_keys == ["ssh-ed25519 AAAAonly only"]


@given(st.text(max_size=80))
def test_the_shell_answers_any_line_without_raising_or_touching_keys_unasked(line):
    m = machine()
    out, err, status = m.run(line)
    assert isinstance(out, str) and isinstance(err, str) and isinstance(status, int)
    if "authorized_keys" not in line:
        assert m.authorized_keys == ["ssh-ed25519 AAAAold old-key"]
