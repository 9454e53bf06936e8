"""Words people recognise, shared by every output: drift kinds as plain headings, how a call
was made, what kind of actor made it, and the state named as its owners name it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from tfdrift_gitops.models import ActorKind, Kind, Via

KIND_LABEL = {
    Kind.MODIFIED: "Changed by hand",
    Kind.UNMANAGED: "Created outside Terraform",
    Kind.DELETED: "Deleted outside Terraform",
}
VIA_LABEL = {
    Via.CONSOLE: "AWS Console",
    Via.CLI: "AWS CLI",
    Via.SDK: "AWS SDK",
    Via.TERRAFORM: "Terraform",
    Via.CLOUDFORMATION: "CloudFormation",
    Via.AWS_SERVICE: "AWS service",
    Via.UNKNOWN: "unknown",
}
ACTOR_KIND_LABEL = {
    ActorKind.PERSON: "person",
    ActorKind.CI_CD: "CI/CD",
    ActorKind.AUTOMATION: "AWS service or automation",
    ActorKind.AI_AGENT: "AI agent",
    ActorKind.UNKNOWN: "unknown kind",
}


def state_label(state: str, base: str | Path | None = None) -> str:
    """The state as its owners name it: a backend URL (``s3://bucket/key``) as it is; a file by
    its path relative to ``base`` (default: the working directory) or to the repository holding
    it; never the absolute path of the machine that ran ``detect``. Records carry that name
    from the start (``adapters.state_names``, where the file is): this keeps records written
    before then, which hold the absolute path, readable."""
    if not state or "://" in state:
        return state
    windows = PureWindowsPath(state)
    if windows.drive:
        # A Windows runner's path read elsewhere: only its last folders are meaningful here.
        return PurePosixPath(*windows.parts[1:][-3:]).as_posix()
    if not PurePosixPath(state).is_absolute():
        return state
    root = Path(base) if base is not None else Path.cwd()
    try:
        return PurePosixPath(Path(state).relative_to(root)).as_posix()
    except ValueError:
        pass
    for parent in Path(state).parents:
        if (parent / ".git").exists() or (parent / ".terraform").is_dir():
            return PurePosixPath(Path(state).relative_to(parent)).as_posix()
    # Outside any repository (a packaged example, a temporary checkout): the last folders say
    # enough and the machine's layout stays private.
    return PurePosixPath(*PurePosixPath(state).parts[-3:]).as_posix()
