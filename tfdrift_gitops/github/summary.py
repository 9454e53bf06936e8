"""GitHub Actions plumbing: job summary, annotations, step outputs.

* The job summary (``$GITHUB_STEP_SUMMARY``) is Markdown; drift values are escaped like issue
  bodies, and the text is kept under the 1 MiB a step may write.
* Annotations are workflow commands on stdout (``::error title=…::message``); GitHub shows about
  ten per type per step, so we print at most ``MAX_ANNOTATIONS`` (critical as errors, high as
  warnings, worst first). Data is escaped (``%``, CR, LF) and properties also (``:``, ``,``),
  so a hostile value cannot end the command and inject another one.
* Outputs (``$GITHUB_OUTPUT``) use the ``name<<DELIMITER`` form with a random delimiter.

Runnable as ``python -m tfdrift_gitops.github.summary --ledger L`` (used by the Action after
``detect``, which does not write a summary itself).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from tfdrift_gitops.github import markdown as md
from tfdrift_gitops.models import Drift, Severity
from tfdrift_gitops.render.changes import describe
from tfdrift_gitops.render.labels import ACTOR_KIND_LABEL, KIND_LABEL
from tfdrift_gitops.render.text import safe

MAX_ANNOTATIONS = 10
SUMMARY_LIMIT = 1024 * 1024 - 1024


def escape_data(value: str) -> str:
    """Workflow command data: ``%``, CR and LF as the runner unescapes them; then every other
    control (an ANSI colour would paint the log) and hidden character (a bidi override, a word
    joiner would disguise the actor in the annotation) in its visible ``\\xNN``/``\\uXXXX``
    form (``render.text.safe``)."""
    return safe(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_annotations(drifts: Iterable[Drift], limit: int = MAX_ANNOTATIONS) -> list[str]:
    """Workflow commands for the worst ``limit`` critical/high drifts."""
    serious = [d for d in drifts if d.severity in (Severity.CRITICAL, Severity.HIGH)]
    serious.sort(key=lambda d: (-d.severity.rank, -d.event.time.timestamp(), d.id))
    lines = []
    for drift in serious[:limit]:
        command = "error" if drift.severity is Severity.CRITICAL else "warning"
        address = drift.resource.address or f"{drift.resource.type}.{drift.resource.id}"
        title = f"{drift.severity.value} drift on {address}"
        actor = drift.actor
        message = (
            f"{KIND_LABEL[drift.kind].lower()} by {actor.name} ({ACTOR_KIND_LABEL[actor.kind]})"
            f" via {actor.via.value}"
            f" from {actor.source_ip or 'unknown IP'}: {drift.event.name}"
            f" at {drift.event.time:%Y-%m-%dT%H:%M:%SZ} (drift {drift.id})"
        )
        lines.append(f"::{command} title={escape_property(title)}::{escape_data(message)}")
    return lines


def summary_markdown(
    title: str,
    counts: Mapping[str, int | str],
    drifts: Sequence[Drift],
    *,
    errors: Sequence[tuple[str, str]] = (),
    notes: Sequence[str] = (),
    links: Mapping[str, str] | None = None,
) -> str:
    links = links or {}
    lines = [f"## {title}", "", "| | |", "|---|---|"]  # the title is ours
    lines += [f"| {md.text(k)} | {md.cell(v)} |" for k, v in counts.items()]
    if drifts:
        lines += ["", "| Severity | Resource | What | Change | Who | Actor kind | When | Issue |"]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for drift in sorted(drifts, key=lambda d: (-d.severity.rank, d.id)):
            address = drift.resource.address or f"{drift.resource.type}.{drift.resource.id}"
            link = links.get(drift.id, "")
            issue = f"[issue]({link})" if link.startswith("https://") and ")" not in link else ""
            change = "; ".join(f"{c.path}: {describe(c).summary}" for c in drift.changes[:3])
            if len(drift.changes) > 3:
                change += f"; …and {len(drift.changes) - 3} more"
            lines.append(
                f"| {drift.severity.value} | {md.cell(address)} | {KIND_LABEL[drift.kind]} "
                f"| {md.cell(change, limit=200) if change else '—'} "
                f"| {md.cell(drift.actor.name)} | {ACTOR_KIND_LABEL[drift.actor.kind]} "
                f"| {md.cell(f'{drift.event.time:%Y-%m-%d %H:%M}')} | {issue} |"
            )
    if errors:
        lines += ["", "### Errors", ""]
        lines += [f"- {md.code_span(where)}: {md.text(message)}" for where, message in errors]
    if notes:
        lines += ["", "### Notes", ""]
        lines += [f"- {md.text(note)}" for note in notes]
    return md.truncate("\n".join(lines) + "\n", SUMMARY_LIMIT)


def append_file(path: str | os.PathLike[str], text: str) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(text)


def outputs_text(values: Mapping[str, object]) -> str:
    parts = []
    for name, value in values.items():
        text = str(value)
        delimiter = f"TFDRIFT_{secrets.token_hex(8)}"
        while delimiter in text:
            delimiter = f"TFDRIFT_{secrets.token_hex(8)}"
        parts.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    return "".join(parts)


def publish(
    *,
    summary: str,
    outputs: Mapping[str, object],
    annotation_lines: Sequence[str],
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Write to the files GitHub Actions names in the environment (when it does); returns the
    annotation lines the caller should print on stdout (none outside Actions)."""
    env = os.environ if env is None else env
    if env.get("GITHUB_STEP_SUMMARY"):
        append_file(env["GITHUB_STEP_SUMMARY"], summary)
    if env.get("GITHUB_OUTPUT"):
        append_file(env["GITHUB_OUTPUT"], outputs_text(outputs))
    return list(annotation_lines) if env.get("GITHUB_ACTIONS") == "true" else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tfdrift_gitops.github.summary")
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--s3-endpoint-url", default=None)
    args = parser.parse_args(argv)
    from tfdrift_gitops.github.reconcile import drifts_of
    from tfdrift_gitops.ledger import open_ledger

    drifts, corrupt = drifts_of(
        open_ledger(args.ledger, s3_endpoint_url=args.s3_endpoint_url).list_open()
    )
    counts = {"open drifts": len(drifts)}
    lines = publish(
        summary=summary_markdown(
            "tfdrift-gitops: open drift", counts, drifts, errors=[("ledger", c) for c in corrupt]
        ),
        outputs={"drift-count": len(drifts)},
        annotation_lines=workflow_annotations(drifts),
    )
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
