"""Bad input and faults: one KeyPairError sentence each, and nothing created, sent or written.

Each kind of bad input below is a row of docs/bad-input.md (kind, call, what the user sees); a
test checks the two agree, so the table stays true. Run this file to print the table again:
    .venv/bin/python tests/test_bad_input.py > docs/bad-input.md
"""

from __future__ import annotations

import base64
import errno
import os
import re
import shutil
import stat
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (
    KeyPairError,
    audit,
    create_key_pair,
    delete_key_pair,
    describe_key_pairs,
    ec2_client,
    import_key_pair,
    key_pairs_table,
    redacted,
    sandbox,
    save_private_key,
)
from helpers import forms_model as model
from helpers.audit_actions import ensure_key_pair
from helpers.fingerprints import fingerprint_of_private_key, fingerprint_of_public_key
from helpers.rules import PPK_HEADER, key_name_problem, shows_private_key

DOC = Path(__file__).parents[1] / "docs" / "bad-input.md"
_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
# Made afresh on every run, never stored: the private-key cases need a real private key.
PRIVATE = _RSA.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
BODY_LINES = "\n".join(PRIVATE.strip().splitlines()[1:-1])
BODY = BODY_LINES.replace("\n", "")
DER = _RSA.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                         serialization.NoEncryption())
PUBLIC = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
ENCRYPTED = _RSA.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.BestAvailableEncryption(b"secret"))
_ECDSA = ec.generate_private_key(ec.SECP256R1())
ECDSA_PUBLIC = _ECDSA.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                serialization.PublicFormat.OpenSSH)
ECDSA_PRIVATE = _ECDSA.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
PPK = f"{PPK_HEADER}-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAA\n"

# (kind, the call a user makes, set-up run before it, or "")
CASES = [
    ("empty key name", "create_key_pair(ec2, '')", ""),
    ("key name not text", "create_key_pair(ec2, 42)", ""),
    ("key name None", "create_key_pair(ec2, None)", ""),
    ("key name over 255 characters", "create_key_pair(ec2, 'k' * 256)", ""),
    ("non-ASCII key name", "create_key_pair(ec2, 'clé')", ""),
    ("space at the end of a name", "create_key_pair(ec2, 'laptop ')", ""),
    ("tab before a name", "create_key_pair(ec2, '\\tlaptop')", ""),
    ("NUL in a name", "create_key_pair(ec2, 'a\\x00b')", ""),
    ("escape character in a name", "create_key_pair(ec2, 'a\\x1bb')", ""),
    ("name taken", "create_key_pair(ec2, 'laptop')", "create_key_pair(ec2, 'laptop')"),
    ("name taken, on import", "import_key_pair(ec2, 'laptop', PUBLIC)",
     "create_key_pair(ec2, 'laptop')"),
    ("dry run of an import that would succeed", "import_key_pair(ec2, 'k', PUBLIC, dry_run=True)",
     ""),
    ("unknown key type", "create_key_pair(ec2, 'k', key_type='dsa')", ""),
    ("key type in capitals", "create_key_pair(ec2, 'k', key_type='RSA')", ""),
    ("unknown key format", "create_key_pair(ec2, 'k', key_format='pub')", ""),
    ("dry_run not a bool", "create_key_pair(ec2, 'k', dry_run='yes')", ""),
    ("dry run that would succeed", "create_key_pair(ec2, 'k', dry_run=True)", ""),
    ("tags as a list of keys", "create_key_pair(ec2, 'k', tags=['Project'])", ""),
    ("tag value None", "create_key_pair(ec2, 'k', tags={'Project': None})", ""),
    ("tag with an empty key", "create_key_pair(ec2, 'k', tags={'': 'x'})", ""),
    ("tag key with aws: prefix", "create_key_pair(ec2, 'k', tags={'aws:owner': 'me'})", ""),
    ("tag key over 128 characters", "create_key_pair(ec2, 'k', tags={'k' * 129: 'v'})", ""),
    ("tag value over 256 characters", "create_key_pair(ec2, 'k', tags={'P': 'v' * 257})", ""),
    ("51 tags", "create_key_pair(ec2, 'k', tags={f't{i}': '' for i in range(51)})", ""),
    ("line break in a tag", "create_key_pair(ec2, 'k', tags={'Note': 'a\\nb'})", ""),
    ("boto3 tag list with a key twice",
     "create_key_pair(ec2, 'k', tags=[{'Key': 'a', 'Value': '1'}, {'Key': 'a', 'Value': '2'}])",
     ""),
    ("names not text", "describe_key_pairs(ec2, names=[1])", ""),
    ("name that does not exist", "describe_key_pairs(ec2, names='nope')", ""),
    ("malformed key pair id", "describe_key_pairs(ec2, ids=['nope'])", ""),
    ("id that does not exist", "describe_key_pairs(ec2, ids='key-0123456789abcdef0')", ""),
    ("filters as a list of names", "describe_key_pairs(ec2, filters=['key-name'])", ""),
    ("filter value None", "describe_key_pairs(ec2, filters={'key-name': None})", ""),
    ("unknown filter", "describe_key_pairs(ec2, filters={'colour': 'blue'})", ""),
    ("include_public_key not a bool", "describe_key_pairs(ec2, include_public_key='no')", ""),
    ("delete with neither name nor id", "delete_key_pair(ec2)", ""),
    ("delete with both name and id",
     "delete_key_pair(ec2, name='k', key_pair_id='key-0123456789abcdef0')", ""),
    ("delete an empty name", "delete_key_pair(ec2, name='')", ""),
    ("delete a name that is a number", "delete_key_pair(ec2, name=42)", ""),
    ("delete a malformed id", "delete_key_pair(ec2, key_pair_id='laptop')", ""),
    ("public key None", "import_key_pair(ec2, 'k', None)", ""),
    ("public key a dict", "import_key_pair(ec2, 'k', {'PublicKey': PUBLIC})", ""),
    ("a PEM private key to import", "import_key_pair(ec2, 'k', PRIVATE)", ""),
    ("a private key's body, no BEGIN/END, one line", "import_key_pair(ec2, 'k', BODY)", ""),
    ("a private key's body, no BEGIN/END, many lines",
     "import_key_pair(ec2, 'k', BODY_LINES)", ""),
    ("a DER private key's bytes", "import_key_pair(ec2, 'k', DER)", ""),
    ("a PuTTY private key", "import_key_pair(ec2, 'k', PPK)", ""),
    ("public key base64-encoded twice",
     "import_key_pair(ec2, 'k', base64.b64encode(PUBLIC.encode()))", ""),
    ("a .pub path that does not exist", "import_key_pair(ec2, 'k', 'keys/nothing.pub')", ""),
    ("text that is no key", "import_key_pair(ec2, 'k', 'hello')", ""),
    ("binary that is no key", "import_key_pair(ec2, 'k', bytes(range(256)))", ""),
    ("fingerprint of None", "fingerprint_of_private_key(None)", ""),
    ("fingerprint of an encrypted private key", "fingerprint_of_private_key(ENCRYPTED)", ""),
    ("fingerprint of an ECDSA public key", "fingerprint_of_public_key(ECDSA_PUBLIC)", ""),
    ("fingerprint of a cut public key", "fingerprint_of_public_key('ssh-rsa AAAA')", ""),
    ("fingerprint of an ECDSA private key", "fingerprint_of_private_key(ECDSA_PRIVATE)", ""),
    ("save a response that is None", "save_private_key(None)", ""),
    ("save a response without KeyName", "save_private_key({'KeyMaterial': PRIVATE})", ""),
    ("save a key that is not text", "save_private_key({'KeyName': 'k', 'KeyMaterial': 42})", ""),
    ("overwrite not a bool", "save_private_key(create_key_pair(ec2, 'k'), overwrite='yes')", ""),
    ("save a describe response", "save_private_key(describe_key_pairs(ec2))", ""),
    ("save into a folder that is a file",
     "save_private_key(create_key_pair(ec2, 'k'), 'taken')", "Path('taken').write_text('')"),
    ("save over an existing key file",
     "save_private_key(create_key_pair(ec2, 'k'), 'mine')",
     "Path('mine').mkdir(mode=0o700); Path('mine/k.pem').write_text('')"),
    ("save into a folder others can read",
     "save_private_key(create_key_pair(ec2, 'k'), 'open')", "Path('open').mkdir(mode=0o755)"),
    ("folder not a path", "save_private_key(create_key_pair(ec2, 'k'), 42)", ""),
    ("redact text", "redacted('KeyMaterial')", ""),
    ("table of None", "key_pairs_table(None)", ""),
    ("table of a response without key pairs", "key_pairs_table({'KeyPairs': None})", ""),
    ("Region that does not exist", "ec2_client(region='moon-1')", ""),
    ("Region not text", "ec2_client(region=5)", ""),
    ("live not a bool", "ec2_client(live='yes')", ""),
    ("form: tag value without a key", "model.create_and_save(ec2, 'k', rows=[('', 'v')])", ""),
    ("form: the forms' own tag",
     "model.create_and_save(ec2, 'k', rows=[('CreatedBy', 'me')])", ""),
    ("form: tag rows as a dict", "model.create_and_save(ec2, 'k', rows={'Project': 'x'})", ""),
    ("form: name None", "model.import_public_key(ec2, None, PUBLIC)", ""),
    ("form: delete a number", "model.delete_key_pairs(ec2, 5)", ""),
    ("form: a folder ending with a space", "model.create_and_save(ec2, 'k', folder='keys ')", ""),
    ("audit: Regions as a number", "audit.inventory(ec2, 42)", ""),
    ("audit: findings of nothing", "audit.findings(None, None)", ""),
    ("audit: findings of one Region's table",
     "audit.findings(key_pairs_table(describe_key_pairs(ec2)), None)", ""),
    ("audit: a report of lists", "audit.report([], [])", ""),
    ("audit: a Region name that is not one", "audit.inventory(ec2, ['us-east-1', 'moon-1'])", ""),
    ("one key everywhere: a Region name that is not one",
     "ensure_key_pair('laptop', PUBLIC, ['moon-1'])", ""),
    ("audit: days as text", "audit.findings(audit.inventory(ec2, ['us-east-1']), "
     "audit.usage(ec2, ['us-east-1']), older_than_days='90')", ""),
]
# (kind, the test that injects it, what the user sees)
FAULTS = [
    ("the endpoint stops answering mid-session", "test_the_endpoint_dying_mid_session",
     "Nothing answers at http://127.0.0.1:PORT/: start the server (make sandbox-server), or fix "
     "or unset AWS_ENDPOINT_URL_EC2."),
    ("throttled past botocore's retries", "test_throttling_past_the_retries",
     "AWS is throttling your requests: wait a few seconds and try again, with fewer calls per "
     "second."),
    ("expired credentials", "test_expired_credentials",
     "Your AWS credentials have expired or are not valid: refresh them (for example aws sso "
     "login) and try again."),
    ("a full disk while saving a key", "test_a_full_disk_or_read_only_folder_while_saving",
     "The file system refused: No space left on device: free space or fix the permissions "
     "there, or choose another folder."),
    ("a read-only folder while saving a key", "test_a_full_disk_or_read_only_folder_while_saving",
     "The file system refused: Read-only file system (keys/k.pem): free space or fix the "
     "permissions there, or choose another folder."),
    ("a read-only folder where the key folder would be made",
     "test_a_full_disk_or_read_only_folder_while_saving",
     "The file system refused: Read-only file system (keys): free space or fix the permissions "
     "there, or choose another folder."),
    ("a full disk while the form saves a new key", "test_a_full_disk_in_the_form",
     "The private key could not be saved (The file system refused: No space left on device: "
     "free space or fix the permissions there, or choose another folder.), so the key pair 'k' "
     "was deleted again: choose another folder."),
]
SEES = {kind: sentence for kind, _, sentence in FAULTS}


def _namespace(ec2) -> dict:
    """What the cases' calls and set-ups may use."""
    return {"ec2": ec2, "base64": base64, "Path": Path, "model": model, "audit": audit,
            "ensure_key_pair": ensure_key_pair,
            "PRIVATE": PRIVATE,
            "BODY": BODY, "BODY_LINES": BODY_LINES, "DER": DER, "PPK": PPK, "PUBLIC": PUBLIC,
            "ENCRYPTED": ENCRYPTED, "ECDSA_PUBLIC": ECDSA_PUBLIC, "ECDSA_PRIVATE": ECDSA_PRIVATE,
            **{f.__name__: f for f in (create_key_pair, delete_key_pair, describe_key_pairs,
                                       ec2_client, import_key_pair, key_pairs_table, redacted,
                                       save_private_key, fingerprint_of_private_key,
                                       fingerprint_of_public_key)}}


def what_the_user_sees(ec2, call: str, setup: str) -> str:
    """Run the set-up and the call; return the KeyPairError's sentence."""
    namespace = _namespace(ec2)
    if setup:
        exec(setup, namespace)
    with pytest.raises(KeyPairError) as raised:
        eval(call, namespace)
    return str(raised.value)


def doc_rows() -> dict[str, tuple[str, str]]:
    """kind -> (call, sentence), read from docs/bad-input.md."""
    rows = {}
    for line in DOC.read_text().splitlines():
        cells = re.findall(r"(?<!\\)\|\s*((?:[^|\\]|\\.)*?)\s*(?=(?<!\\)\|)", line)
        if len(cells) == 3 and cells[1].startswith("`"):
            rows[cells[0]] = tuple(c.replace("\\|", "|").strip("`") for c in cells[1:])
    return rows


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("kind, call, setup", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_its_sentence_and_changes_nothing(ec2, here, kind, call, setup):
    if setup:
        exec(setup, _namespace(ec2))
    before_keys, before_files = describe_key_pairs(ec2)["KeyPairs"], files(here)
    namespace = _namespace(ec2)
    with pytest.raises(KeyPairError) as raised:
        eval(call, namespace)
    sentence = str(raised.value)
    assert doc_rows()[kind] == (call, sentence)
    assert sentence.count("\n") == 0 and sentence.endswith(".")
    assert "Traceback" not in sentence and ".venv" not in sentence
    after = describe_key_pairs(ec2)["KeyPairs"]  # the sandbox still answers
    if "save_private_key(create_key_pair" not in call:  # there the create itself is fine
        assert after == before_keys, "something was created"
    assert files(here) == before_files, "a file was written"


def test_the_table_in_the_docs_has_a_row_for_each_case_and_fault():
    rows = doc_rows()
    assert set(rows) == {kind for kind, _, _ in CASES} | {kind for kind, _, _ in FAULTS}
    for kind, test, sentence in FAULTS:
        assert rows[kind] == (test, sentence) and test in globals(), kind


def test_the_endpoint_dying_mid_session(monkeypatch):
    server, url = sandbox.start_server()
    sandbox.stop()  # stopping restores the environment moto found: set ours after it
    for name, value in [("AWS_ENDPOINT_URL_EC2", url), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_MAX_ATTEMPTS", "2")]:
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    try:
        ec2 = ec2_client()
        create_key_pair(ec2, "laptop", key_type="ed25519")
    finally:
        server.stop()
    with pytest.raises(KeyPairError) as raised:
        describe_key_pairs(ec2)
    port = url.rsplit(":", 1)[1]
    assert str(raised.value) == SEES["the endpoint stops answering mid-session"].replace(
        "PORT", port)


def _answering(ec2, status: int, code: str) -> list[str]:
    """Make each request of the client get this AWS error; the list records the attempts."""
    body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{code}</Message></Error>"
            "</Errors><RequestID>r</RequestID></Response>").encode()
    attempts: list[str] = []

    class Raw:
        def stream(self, **_):
            yield body

    def answer(request, **_):
        attempts.append(request.url)
        return AWSResponse(request.url, status, {}, Raw())

    ec2.meta.events.register_first("before-send.ec2", answer)
    return attempts


def test_throttling_past_the_retries(ec2, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", waits.append)  # retry without waiting
    client = boto3.client("ec2", region_name="us-east-1",
                          config=Config(retries={"mode": "standard", "total_max_attempts": 4}))
    attempts = _answering(client, 503, "RequestLimitExceeded")
    with pytest.raises(KeyPairError) as raised:
        describe_key_pairs(client)
    assert str(raised.value) == SEES["throttled past botocore's retries"]
    assert len(attempts) == 4 and len(waits) == 3, "botocore retried, backing off, then gave up"


def test_expired_credentials(ec2):
    attempts = _answering(ec2, 400, "ExpiredToken")
    with pytest.raises(KeyPairError) as raised:
        create_key_pair(ec2, "laptop")
    assert str(raised.value) == SEES["expired credentials"]
    assert len(attempts) == 1


@pytest.mark.parametrize("kind, where, failure", [
    ("a full disk while saving a key", "fsync", OSError(errno.ENOSPC, "No space left on device")),
    ("a read-only folder while saving a key", "open",
     OSError(errno.EROFS, "Read-only file system", "keys/k.pem")),
    ("a read-only folder where the key folder would be made", "mkdir",
     OSError(errno.EROFS, "Read-only file system", "keys")),
])
def test_a_full_disk_or_read_only_folder_while_saving(ec2, here, monkeypatch, kind, where,
                                                       failure):
    response = create_key_pair(ec2, "k")
    if where != "mkdir":
        (here / "keys").mkdir(mode=0o700)

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(os, where, fail)  # root (as in CI) writes into read-only folders
    with pytest.raises(KeyPairError) as raised:
        save_private_key(response, "keys")
    monkeypatch.undo()
    assert str(raised.value) == SEES[kind]
    assert [p.name for p in here.rglob("*") if p.is_file()] == [], "no file, not even a part"


def test_a_full_disk_in_the_form(ec2, here, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(KeyPairError) as raised:
        model.create_and_save(ec2, "k", folder="keys")
    monkeypatch.undo()
    assert str(raised.value) == SEES["a full disk while the form saves a new key"]
    assert describe_key_pairs(ec2)["KeyPairs"] == []
    assert list((here / "keys").iterdir()) == []


# Property-based: generated input through every public helper, and through plain boto3.
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.binary(max_size=8), st.lists(st.text(max_size=3), max_size=2),
                     st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))
texts = st.text(max_size=10) | st.text(st.characters(max_codepoint=127), max_size=10)
names = texts | anything
tag_sets = st.one_of(
    st.dictionaries(texts, texts, max_size=3),
    st.lists(st.fixed_dictionaries({"Key": texts, "Value": texts}), max_size=3),
    st.dictionaries(texts, anything, max_size=2), anything)
filter_sets = st.one_of(
    st.dictionaries(st.sampled_from(["key-name", "key-pair-id", "fingerprint", "tag-key",
                                     "tag:Project", "colour"]) | texts,
                    texts | st.lists(texts, max_size=3) | anything, max_size=3),
    st.lists(st.fixed_dictionaries({"Name": texts, "Values": st.lists(texts, max_size=2)}),
             max_size=2),
    anything)
private_keys = st.sampled_from([PRIVATE, BODY, BODY_LINES, DER, PPK, PRIVATE.encode()])
public_keys = st.one_of(
    st.binary(max_size=120), texts, anything, private_keys,
    st.builds(lambda key, comment: f"{key} {comment}", st.just(PUBLIC.rsplit(" ", 1)[0]), texts),
    st.builds(lambda key, pad: pad + key + pad, private_keys.filter(lambda k: isinstance(k, str)),
              st.sampled_from(["", " ", "\n", "\r\n"])))


def sent_params(ec2) -> list[dict]:
    """Every request's parameters, as the client is about to send them."""
    sent: list[dict] = []
    ec2.meta.events.register("before-parameter-build.ec2",
                             lambda params, **_: sent.append(dict(params)))
    return sent


def carries_private_key(params: dict) -> bool:
    return any(isinstance(value, (str, bytes)) and shows_private_key(value)
               for value in params.values())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, tags=tag_sets, filters=filter_sets, public_key=public_keys,
       dry_run=st.booleans() | anything)
def test_every_helper_succeeds_or_says_why_and_the_sandbox_still_answers(
        ec2, tmp_path, name, tags, filters, public_key, dry_run):
    sandbox.forget_key_pairs()
    folder = tmp_path / "keys"
    shutil.rmtree(folder, ignore_errors=True)
    sent = sent_params(ec2)
    calls = [
        lambda: create_key_pair(ec2, name, key_type="ed25519", tags=tags, dry_run=dry_run),
        lambda: import_key_pair(ec2, name, public_key, tags=tags),
        lambda: describe_key_pairs(ec2, names=name, filters=filters, dry_run=dry_run),
        lambda: describe_key_pairs(ec2, ids=name, include_public_key=dry_run),
        lambda: key_pairs_table(describe_key_pairs(ec2, filters=filters)),
        lambda: delete_key_pair(ec2, name=name, dry_run=dry_run),
        lambda: delete_key_pair(ec2, key_pair_id=name),
        lambda: model.import_public_key(ec2, name, public_key, rows=[("Owner", name)]),
        lambda: model.create_and_save(ec2, name, key_type="ed25519", rows=tags, folder=folder),
        lambda: model.delete_key_pairs(ec2, name, safety=dry_run),
    ]
    for call in calls:
        try:
            call()
        except KeyPairError as error:
            assert "\n" not in str(error) and str(error).endswith(".")
    assert not any(map(carries_private_key, sent)), "a private key was sent"
    ec2.describe_key_pairs(IncludePublicKey=True)  # the sandbox still answers


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=texts, tags=st.dictionaries(texts, texts, max_size=2), public_key=public_keys)
def test_plain_boto3_input_never_leaves_the_sandbox_unable_to_answer(ec2, name, tags,
                                                                     public_key):
    sandbox.forget_key_pairs()
    tag_specifications = [{"ResourceType": "key-pair",
                           "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    calls = [
        lambda: ec2.create_key_pair(KeyName=name, KeyType="ed25519",
                                    TagSpecifications=tag_specifications),
        lambda: ec2.import_key_pair(KeyName=name, PublicKeyMaterial=public_key),
        lambda: ec2.describe_key_pairs(KeyNames=[name]),
        lambda: ec2.describe_key_pairs(Filters=[{"Name": name, "Values": [name]}]),
        lambda: ec2.delete_key_pair(KeyName=name),
        lambda: ec2.create_tags(Resources=[k["KeyPairId"] for k in
                                           ec2.describe_key_pairs()["KeyPairs"]] or ["key-0"],
                                Tags=[{"Key": k, "Value": v} for k, v in tags.items()]),
    ]
    for call in calls:
        try:
            call()
        except (ClientError, ParamValidationError):
            pass  # AWS refused it, in words botocore could read
    ec2.describe_key_pairs(IncludePublicKey=True)  # answers, whatever came before


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=texts.filter(lambda n: key_name_problem(n) is None),
       fail_at=st.sampled_from([None, "open", "fsync", "link"]))
def test_a_saved_key_file_is_whole_private_or_absent(ec2, tmp_path, name, fail_at):
    sandbox.forget_key_pairs()
    folder = tmp_path / "keys"
    shutil.rmtree(folder, ignore_errors=True)
    response = create_key_pair(ec2, name, key_type="ed25519")
    failure = OSError(errno.ENOSPC, "No space left on device")
    with pytest.MonkeyPatch.context() as patch:
        if fail_at:
            patch.setattr(os, fail_at, lambda *a, **k: (_ for _ in ()).throw(failure))
        try:
            path = save_private_key(response, folder)
        except KeyPairError:
            path = None
    saved = list(folder.iterdir())
    if path is None:
        assert fail_at and saved == [], "a failed save leaves no file, not even a part of one"
    else:
        assert saved == [path] and path.read_text() == response["KeyMaterial"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def markdown() -> str:
    """docs/bad-input.md, from running every case on a fresh sandbox."""
    import tempfile

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# Bad input and faults: what the user sees",
        "",
        "Every kind of bad input below raises `KeyPairError` with one sentence, and nothing is",
        "created, sent or written. `tests/test_bad_input.py` runs each row and checks that the",
        "sentence here is the one a user gets (print the table again with",
        "`.venv/bin/python tests/test_bad_input.py > docs/bad-input.md`). `PRIVATE`, `BODY`,",
        "`BODY_LINES`, `DER`, `PPK` and `ENCRYPTED` are private keys in PEM, their base64 body",
        "without the BEGIN/END lines (one line, many lines), DER bytes, PuTTY's format and an",
        "encrypted PEM; `PUBLIC` and `ECDSA_PUBLIC` are OpenSSH public key lines, and",
        "`ECDSA_PRIVATE` an ECDSA private key (a type EC2 key pairs never have).",
        "",
        "| kind | call | what the user sees |",
        "|---|---|---|",
    ]
    sandbox.start()
    for kind, call, setup in CASES:
        sandbox.forget_key_pairs()
        with tempfile.TemporaryDirectory() as folder:
            os.chdir(folder)
            sentence = what_the_user_sees(ec2_client(), call, setup)
        lines.append(f"| {kind} | `{cell(call)}` | {cell(sentence)} |")
    lines += ["", "## Faults", "",
              "Each is injected by the test named in the middle column; PORT is the endpoint's.",
              "",
              "| kind | call | what the user sees |", "|---|---|---|"]
    lines += [f"| {kind} | `{test}` | {cell(sentence)} |" for kind, test, sentence in FAULTS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import contextlib
    import io
    
    with contextlib.redirect_stdout(io.StringIO()):
        text = markdown()
    print(text, end="")
