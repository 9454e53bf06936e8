"""The comments tfdrift-gitops writes into code: the revert marker above a block to apply
back, and the header above a resource block it adopted.

Each names the drift, the call, who made it and when, so that a reviewer sees why the code is
there; a later run finds its own revert marker by its fixed start (``MARKER``) and replaces it
instead of stacking another.
"""

from __future__ import annotations

from tfdrift_gitops.models import Drift, format_time
from tfdrift_gitops.remediation import hcl_escape as esc

MARKER = "tfdrift-gitops: revert"
IMPORT_MARKER = "tfdrift-gitops: imported"


def marker_text(drift: Drift) -> str:
    event = drift.event
    return esc.comment_text(
        f"{MARKER} drift {drift.id}: {event.name} ({event.id}) by {_actor(drift)} at "
        f"{format_time(event.time)}; apply this code to undo the manual change",
        limit=400,
    )


def import_header(drift: Drift) -> str:
    return esc.comment_text(
        f"{IMPORT_MARKER} from drift {drift.id}: {drift.event.name} ({drift.event.id}) by "
        f"{_actor(drift)} at {format_time(drift.event.time)}",
        limit=300,
    )


def _actor(drift: Drift) -> str:
    actor = drift.actor
    name = actor.name or actor.principal_id or "an unknown actor"
    if actor.arn and actor.arn not in name:
        return f"{name} ({actor.arn})"
    return name
