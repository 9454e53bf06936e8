"""Terraform and the real AWS provider, driven against a moto server.

One CLI configuration per session: the filesystem mirror when this machine has one
(``TFDRIFT_TF_PROVIDER_MIRROR`` or ``find / -maxdepth 3 -type d -name registry.terraform.io``),
otherwise the registry (GitHub Actions); a shared plugin cache so that every working directory
links the same provider binary instead of unpacking it again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tests.oracle.planfile import SchemaOf, read_plan
from tfdrift_gitops.core import provider_schema

PROVIDER_VERSION = "5.100.0"
MIRROR_ENV = "TFDRIFT_TF_PROVIDER_MIRROR"
REGION = "us-east-1"
ACCOUNT = "123456789012"
"""moto's default account: every ARN the provider reads back carries it."""

# Every endpoint the covered services need; STS answers the provider's account lookup. Each
# service's ``AWS_ENDPOINT_URL_<ID>`` (the SDK's service id, upper case, spaces as ``_``): the
# provider reads its configuration from the environment (see :func:`provider_env`).
SERVICES = {
    "ec2": "EC2",
    "s3": "S3",
    "iam": "IAM",
    "kms": "KMS",
    "rds": "RDS",
    "lambda": "LAMBDA",
    "cloudtrail": "CLOUDTRAIL",
    "sts": "STS",
    "sqs": "SQS",
    "logs": "CLOUDWATCH_LOGS",
    "ecr": "ECR",
    "ecs": "ECS",
    "eks": "EKS",
    "elbv2": "ELASTIC_LOAD_BALANCING_V2",
    "autoscaling": "AUTO_SCALING",
    "sns": "SNS",
    "events": "EVENTBRIDGE",
    "dynamodb": "DYNAMODB",
    "ssm": "SSM",
    "secretsmanager": "SECRETS_MANAGER",
    "cloudwatch": "CLOUDWATCH",
    "route53": "ROUTE_53",
    "acm": "ACM",
    "cloudfront": "CLOUDFRONT",
    "elasticache": "ELASTICACHE",
    "wafv2": "WAFV2",
    "apigateway": "API_GATEWAY",
    "apigatewayv2": "APIGATEWAYV2",
    "configservice": "CONFIG_SERVICE",
    "guardduty": "GUARDDUTY",
    "stepfunctions": "SFN",
    "kinesis": "KINESIS",
}


def find_mirror() -> Path | None:
    """The folder holding ``registry.terraform.io`` (a filesystem mirror root), if any."""
    configured = os.environ.get(MIRROR_ENV, "").strip()
    if configured:
        path = Path(configured)
        return path.parent if path.name == "registry.terraform.io" else path
    for top in Path("/").iterdir():
        try:
            if not top.is_dir() or top.is_symlink() or top.name in ("proc", "sys", "dev"):
                continue
            for child in top.iterdir():
                if (child / "registry.terraform.io").is_dir():
                    return child
                if child.name == "registry.terraform.io" and child.is_dir():
                    return top
        except OSError:
            continue
    return None


def cli_config(mirror: Path | None, cache: Path) -> str:
    """A CLI configuration: the mirror only (offline), or the registry when there is none."""
    lines = [f"plugin_cache_dir = {json.dumps(str(cache))}"]
    if mirror is not None:
        lines += [
            "provider_installation {",
            f"  filesystem_mirror {{ path = {json.dumps(str(mirror))} }}",
            '  direct { exclude = ["registry.terraform.io/*/*"] }',
            "}",
        ]
    return "\n".join(lines) + "\n"


PROVIDER_BLOCK = f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{PROVIDER_VERSION}"
    }}
  }}
}}

# Configured by the environment (the moto server's endpoints): see provider_env.
provider "aws" {{}}
"""
"""The configuration's provider: an empty ``provider "aws"`` block, its settings in
:func:`provider_env`. Terraform validates a provider block that sets anything
(``ValidateProviderConfig``) in every walk, and provider 5.100.0 answers that by checking its
whole schema (every resource type, ~1.5 s CPU each time: two per plan, three per apply); an
empty block is not validated. Same provider, same settings, same requests: half a plan's CPU."""


def provider_env(endpoint: str) -> dict[str, str]:
    """What the provider block used to set, as the provider reads it from the environment:
    region and keys; every covered service at ``endpoint`` (an IP address: S3 requests are
    path-style, as ``s3_use_path_style`` made them); no instance metadata lookup
    (``skip_metadata_api_check``). The credential check asks STS, which is moto: it answers."""
    env = {f"AWS_ENDPOINT_URL_{name}": endpoint for name in SERVICES.values()}
    env.update(
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


class TerraformError(AssertionError):
    """A terraform command failed: its output is the message."""


@dataclass(frozen=True)
class Terraform:
    binary: str
    config_file: Path
    provider: Mapping[str, str] = field(default_factory=dict)
    """The provider's configuration (:func:`provider_env`); empty: none (fmt, init)."""
    reattach: str = ""
    """``TF_REATTACH_PROVIDERS`` for a provider already running (:func:`serving_provider`);
    empty: each command starts its own."""

    def against(self, endpoint: str) -> Terraform:
        """This terraform with the provider configured for the moto server at ``endpoint``."""
        return replace(self, provider=provider_env(endpoint))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_", "TFDRIFT_"))}
        env.update(self.provider)
        env.update(
            TF_CLI_CONFIG_FILE=str(self.config_file),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
            # The provider's Go heap is collected far less often: the oracle is CPU-bound on
            # 2 cores and the provider's GC was a fifth of it (KMS module: 56 -> 39 s CPU,
            # peak 633 MB a process; GOGC=200: 49 s; off with GOMEMLIMIT=1GiB: 40 s, 1.3 GB).
            GOGC="400",
        )
        if self.reattach:
            env["TF_REATTACH_PROVIDERS"] = self.reattach
        return env

    def run(self, workdir: Path, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [self.binary, *args],
            cwd=workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise TerraformError(
                f"terraform {' '.join(args)} failed in {workdir} ({done.returncode}):\n"
                f"{done.stderr[-6000:]}\n{done.stdout[-3000:]}"
            )
        return done.stdout

    def init(self, workdir: Path) -> None:
        self.run(workdir, "init", "-input=false", "-no-color", "-backend=false")

    def apply(self, workdir: Path, *extra: str) -> None:
        self.run(workdir, "apply", "-auto-approve", "-input=false", "-no-color", *extra)

    def validate(self, workdir: Path) -> None:
        self.run(workdir, "validate", "-no-color")

    def plan_json(self, workdir: Path, *extra: str) -> dict[str, Any]:
        """``plan -out``, then what ``show -json`` prints of the plan's changes, read from the
        plan file (tests/oracle/planfile.py) instead of another terraform run."""
        self.run(workdir, "plan", "-input=false", "-no-color", "-out=oracle.plan", *extra)
        return read_plan(workdir / "oracle.plan", self.schemas(workdir))

    def show_json(self, workdir: Path, plan: str = "oracle.plan") -> dict[str, Any]:
        """``terraform show -json`` of a saved plan: what :meth:`plan_json` is held to."""
        shown = json.loads(self.run(workdir, "show", "-json", plan))
        assert isinstance(shown, dict)
        return shown

    def schemas(self, workdir: Path) -> SchemaOf:
        """Resource schemas for decoding plan values: the committed dump
        (tfdrift_gitops/data, the same provider version) for the types it covers; for
        others (data sources, types no catalog row names) ``providers schema -json`` run in
        ``workdir`` once per process."""

        def schema_of(provider: str, mode: str, rtype: str) -> Mapping[str, Any]:
            if (
                mode == "managed"
                and provider == provider_schema.PROVIDER
                and provider_schema.provider_version() == PROVIDER_VERSION
            ):
                block = provider_schema.block_of(rtype)
                if block is not None:
                    return block
            kind = "resource_schemas" if mode == "managed" else "data_source_schemas"
            with _SCHEMAS_LOCK:
                if provider not in _SCHEMAS:
                    for source, entry in self.schema(workdir)["provider_schemas"].items():
                        # Types only: the whole document holds ~100 MB as Python objects.
                        _SCHEMAS[source] = {
                            k: {t: _types_only(v["block"]) for t, v in entry.get(k, {}).items()}
                            for k in ("resource_schemas", "data_source_schemas")
                        }
            found = _SCHEMAS[provider][kind][rtype]
            assert isinstance(found, Mapping)
            return found

        return schema_of

    def settle(self, workdir: Path) -> dict[str, Any]:
        """``apply -refresh-only`` for the cost of a plan: see :meth:`adopt_refreshed`."""
        self.run(workdir, "plan", "-input=false", "-no-color", "-out=oracle.plan", "-refresh-only")
        return self.adopt_refreshed(workdir)

    @staticmethod
    def adopt_refreshed(workdir: Path) -> dict[str, Any]:
        """Write the refreshed state a saved refresh-only plan holds (``tfstate`` in its zip) as
        the working directory's state, and return it. Applying such a plan writes just that
        state; doing it here spares a terraform run, which would start the provider again."""
        with zipfile.ZipFile(workdir / "oracle.plan") as plan:
            refreshed = plan.read("tfstate")
        (workdir / "terraform.tfstate").write_bytes(refreshed)
        return state_of(workdir)

    def plan_text(self, workdir: Path, *extra: str) -> str:
        return self.run(workdir, "plan", "-input=false", "-no-color", *extra)

    def schema(self, workdir: Path) -> dict[str, Any]:
        shown = json.loads(self.run(workdir, "providers", "schema", "-json"))
        assert isinstance(shown, dict)
        return shown


_SCHEMAS: dict[str, dict[str, dict[str, Mapping[str, Any]]]] = {}
"""Provider source -> schema kind -> type -> block (types only), fetched once
(``Terraform.schemas``)."""
_SCHEMAS_LOCK = threading.Lock()


def _types_only(block: Mapping[str, Any]) -> dict[str, Any]:
    """A schema block with what decoding a value needs: attribute types, block nesting."""
    return {
        "attributes": {
            name: {k: v for k, v in attr.items() if k == "type"}
            | ({"nested_type": _nested(attr["nested_type"])} if "nested_type" in attr else {})
            for name, attr in (block.get("attributes") or {}).items()
        },
        "block_types": {
            name: {"nesting_mode": nested["nesting_mode"], "block": _types_only(nested["block"])}
            for name, nested in (block.get("block_types") or {}).items()
        },
    }


def _nested(nested: Mapping[str, Any]) -> dict[str, Any]:
    return {**_types_only(nested), "nesting_mode": nested["nesting_mode"]}


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def state_of(workdir: Path) -> dict[str, Any]:
    doc = json.loads((workdir / "terraform.tfstate").read_text())
    assert isinstance(doc, dict)
    return doc


def attributes(state: Mapping[str, Any], address: str) -> dict[str, Any]:
    """Attributes of the one instance at ``address`` (root module, no index)."""
    kind, name = address.split(".", 1)
    for res in state["resources"]:
        if res["type"] == kind and res["name"] == name and res.get("mode") == "managed":
            attrs = res["instances"][0]["attributes"]
            assert isinstance(attrs, dict)
            return attrs
    raise KeyError(address)


def drift_by_address(plan: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``resource_drift`` of a refresh-only plan, keyed by address."""
    found: dict[str, dict[str, Any]] = {}
    for entry in plan.get("resource_drift") or ():
        found[entry["address"]] = entry["change"]
    return found


def changes_by_address(plan: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["address"]: entry["change"] for entry in plan.get("resource_changes") or ()}


def copy_workdir(source: Path, target: Path, files: Sequence[str] = ()) -> Path:
    """A sibling working directory sharing ``.terraform`` (providers) with ``source``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("main.tf", ".terraform.lock.hcl", "terraform.tfstate", *files):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    if not (target / ".terraform").exists():
        (target / ".terraform").symlink_to(source / ".terraform")
    return target


_REATTACH = "TF_REATTACH_PROVIDERS='"
# A served provider waits to be stopped: if the test process is killed before it stops it,
# coreutils' timeout ends it within the half hour instead of leaving it serving for ever.
_BOUNDED = ("timeout", "--kill-after=10", "1800") if shutil.which("timeout") else ()


@contextmanager
def serving_provider(terraform: Terraform, workdir: Path) -> Iterator[Terraform]:
    """``terraform`` attached to one AWS provider process for every command run with it.

    Each command otherwise starts the provider, whose start-up (loading and building the
    schema of every resource type) is about 1.6 s of the 2.7 s of CPU a command costs on
    this machine; an estate runs several commands. The provider runs as itself, only served
    in its debug mode (``-debug``: it prints the reattach configuration and serves until it
    is stopped), with this terraform's environment, so its configuration (the moto endpoint)
    is fixed for its life, and in ``workdir`` (the configuration's files are read relative to
    the provider's directory), so it serves commands run there, one at a time."""
    found = sorted(
        (workdir / ".terraform" / "providers").glob(
            "registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"
        )
    )
    if not found:
        raise TerraformError(f"no AWS provider installed in {workdir} (terraform init first)")
    out = workdir / f".provider-{os.getpid()}-{time.monotonic_ns()}.out"
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [*_BOUNDED, str(found[-1]), "-debug"],
            cwd=workdir,  # as terraform starts it: files a configuration names are relative
            env=replace(terraform, reattach="").env(),  # not another provider's address
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield replace(terraform, reattach=_reattach_of(process, out))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.unlink(missing_ok=True)


def _reattach_of(process: subprocess.Popen[bytes], out: Path, timeout: float = 120) -> str:
    """The reattach configuration the provider prints once it serves."""
    deadline = time.monotonic() + timeout
    while True:
        text = out.read_text(errors="replace")
        start = text.find(_REATTACH)
        if start >= 0:
            end = text.find("'", start + len(_REATTACH))
            if end >= 0:
                return text[start + len(_REATTACH) : end]
        if process.poll() is not None or time.monotonic() > deadline:
            raise TerraformError(f"the provider did not start ({process.returncode}):\n{text}")
        time.sleep(0.05)
