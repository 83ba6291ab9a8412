# Generated from notebooks/05_key_pair_manager.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     paste it into a notebook cell: it is a form, and this environment's kernels
#     start on the sandbox

import os
import re
from pathlib import Path

import boto3
import ipywidgets as widgets
from botocore.exceptions import BotoCoreError, ClientError
from IPython.display import display

name = widgets.Text(description='Key name', placeholder='e.g. my-laptop')
button = widgets.Button(description='Create key pair', button_style='primary')
result = widgets.Label()
FOLDER = Path('keys')  # where the private keys go, mode 0600


def write_private(path: Path, text: str) -> None:
    """Write text to a new file that only its owner can read (mode 0600); on failure, no file.

    Raises FileExistsError if the file exists (it is never replaced) and OSError otherwise."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, 'w') as file:
            file.write(text)
    except BaseException:  # a full disk, Ctrl-C: no half-written key file
        path.unlink()
        raise


def create(button):
    """Create the key pair named in the box and save its private key in FOLDER, mode 0600."""
    path = Path(FOLDER, re.sub(r'[^A-Za-z0-9._-]', '_', name.value) + '.pem')
    if path.exists():  # checked first: a key pair whose private key cannot be saved is useless
        result.value = f'{path} already exists: choose another name.'
        return
    button.disabled = True  # a second click cannot create a second key pair meanwhile
    try:
        ec2 = boto3.client('ec2')  # made here: no Region or credentials is said below
        response = ec2.create_key_pair(KeyName=name.value)
    except ClientError as error:  # EC2 said no: a taken name, a bad one, no permission
        result.value = error.response['Error']['Message']
    except BotoCoreError as error:  # nothing reached EC2: no credentials, no network
        result.value = str(error)
    else:
        try:
            for level in reversed([path.parent, *path.parent.parents]):  # keys/ too: 0700
                level.mkdir(mode=0o700, exist_ok=True)
            write_private(path, response['KeyMaterial'])
            result.value = (f"Created {response['KeyName']}; private key saved to {path} "
                            '(mode 0600).')
        except OSError as error:  # a full disk, a file that appeared meanwhile: undo the create
            ec2.delete_key_pair(KeyPairId=response['KeyPairId'])
            result.value = f'Could not save the private key ({error}), so the key pair was deleted.'
    finally:
        button.disabled = False


button.on_click(create)
display(widgets.VBox([name, button, result]))
