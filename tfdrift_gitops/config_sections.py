"""Config sections owned by parts outside the core; imported lazily by ``config.parse_config``.

Each part registers its own section here (additive: one line per section).
"""

from __future__ import annotations

from tfdrift_gitops.config import register_section
from tfdrift_gitops.github.settings import parse_github_section

register_section("github", parse_github_section)
from tfdrift_gitops.notify.settings import parse_notify_section  # noqa: E402

register_section("notify", parse_notify_section)
from tfdrift_gitops.remediation.policy import parse_remediation_section  # noqa: E402

register_section("remediation", parse_remediation_section)
