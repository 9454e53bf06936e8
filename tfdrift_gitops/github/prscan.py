"""Resources a pull request changes, read through the API (files, then file texts at head/base).

Costs one request per page of files plus up to two per changed ``.tf`` file (its text before
and after), cached per run.
"""

from __future__ import annotations

import logging
from typing import Any

from tfdrift_gitops.github.client import GitHubClient
from tfdrift_gitops.github.tfblocks import ModuleMap, resources_touched

log = logging.getLogger(__name__)


def is_terraform_file(path: str) -> bool:
    return path.endswith(".tf")


def resources_in_pull(client: GitHubClient, pull: dict[str, Any], modules: ModuleMap) -> set[str]:
    """Addresses (module prefixes resolved) of blocks in the changed hunks of ``.tf`` files."""
    number = int(pull["number"])
    head_sha = str(pull["head"]["sha"])
    base_sha = str(pull["base"]["sha"])
    touched: set[str] = set()
    for item in client.pull_files(number):
        path = str(item.get("filename") or "")
        previous = str(item.get("previous_filename") or path)
        status = str(item.get("status") or "modified")
        if not (is_terraform_file(path) or is_terraform_file(previous)):
            continue
        patch = item.get("patch")
        new_text = None if status == "removed" else client.get_contents(path, head_sha)
        old_text = None if status == "added" else client.get_contents(previous, base_sha)
        if not patch:
            # GitHub omits the patch of very large diffs: every block in the file counts.
            patch = _whole_file_patch(old_text, new_text)
        touched |= resources_touched(path, old_text, new_text, str(patch), modules)
        if previous != path and old_text is not None:
            touched |= resources_touched(previous, old_text, None, str(patch), modules)
    log.debug("pull #%d touches %s", number, sorted(touched))
    return touched


def _whole_file_patch(old_text: str | None, new_text: str | None) -> str:
    old_n = len((old_text or "").splitlines())
    new_n = len((new_text or "").splitlines())
    lines = [f"@@ -1,{old_n} +1,{new_n} @@"]
    lines += ["-"] * old_n
    lines += ["+"] * new_n
    return "\n".join(lines)


def is_human_pull(pull: dict[str, Any], branch_prefix: str = "tfdrift/") -> bool:
    """Not one of ours (branch prefix) and not opened by a bot account."""
    head_ref = str(pull.get("head", {}).get("ref") or "")
    user = pull.get("user") or {}
    return not head_ref.startswith(branch_prefix) and str(user.get("type") or "User") != "Bot"
