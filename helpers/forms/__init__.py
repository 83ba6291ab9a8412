"""ipywidgets forms to create, import, list and delete key pairs, and a manager with tabs.

The forms only draw widgets and call helpers.forms_model; no AWS logic lives here. Each takes an
EC2 client (default ec2_client()), so the same code serves the sandbox, an endpoint and live AWS.

CSS classes (a contract: the browser tests select on them, keep them exactly):
  create: kp-create-name kp-create-type kp-create-format kp-create-folder kp-tag-key kp-tag-value
          kp-add-tag kp-create-button kp-create-result
  import: kp-import-name kp-import-text kp-import-upload kp-import-button kp-import-result
  list:   kp-list-filter kp-list-refresh kp-list-table
  delete: kp-delete-select kp-delete-safety kp-delete-button kp-delete-confirm kp-delete-cancel
          kp-delete-result
  manager (the Tab): kp-manager
Also, for scoping: kp-create-form kp-import-form kp-list-form kp-delete-form on each form,
kp-create-tags kp-import-tags on the tag rows, kp-remove-tag on a row's remove button, and
kp-name-problem on the line under a key name field.
"""

from __future__ import annotations

from helpers.forms.create import CreateForm
from helpers.forms.delete import DeleteForm
from helpers.forms.import_form import ImportForm
from helpers.forms.listing import KeyPairList
from helpers.forms.manager import KeyPairManager
from helpers.forms.widgets import TagRows

__all__ = ["CreateForm", "DeleteForm", "ImportForm", "KeyPairList", "KeyPairManager", "TagRows"]
