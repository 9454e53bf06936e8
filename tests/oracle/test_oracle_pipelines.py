"""Step Functions activities and Kinesis Data Streams rows judged by Terraform.

One estate for both services. Requests are written as CloudTrail logs these JSON APIs: the
members' names with the first letter lower-cased (``activityArn``, ``streamName``,
``retentionPeriodHours``); the envelopes are the two developer guides' published records.

No state machine here: provider 5.100.0 reads an ``aws_sfn_state_machine`` with
ListStateMachineVersions and validates a definition with ValidateStateMachineDefinition before
create and update, and moto 5.2.6 implements neither (500 ``NotImplementedError``, which the
provider retries until terraform's timeout), so none can be applied or imported (docs/oracle.md
lists those rows).
"""

from __future__ import annotations

from typing import Any

from tests.oracle.checks import (  # noqa: F401
    test_changes_agree_with_terraform,
    test_deletion_agrees_with_terraform,
    test_every_written_file_validates,
    test_import_plan_summary,
    test_import_plans_no_change,
    test_no_drift_outside_the_cases,
    test_removed_block_plans_cleanly,
    test_revert_plans_the_drift_back,
    test_unmanaged_import_plans_as_import_only,
    test_unmanaged_is_outside_terraform,
)
from tests.oracle.harness import Call, World, case_rows
from tests.oracle.terraform import ACCOUNT, REGION

SFN = "states.amazonaws.com"
KINESIS = "kinesis.amazonaws.com"
FIXTURES = {SFN: "sfn-create-state-machine.json", KINESIS: "kinesis-create-stream.json"}
TAGS = '  tags = {\n    team = "core"\n  }\n'


def _activity(name: str, extra: str = "") -> str:
    return f"""
resource "aws_sfn_activity" "{name}" {{
  name = "{name}"
{extra}}}
"""


def _stream(name: str, extra: str = "") -> str:
    return f"""
resource "aws_kinesis_stream" "{name}" {{
  name        = "{name}"
  shard_count = 1
{extra}}}
"""


def _activity_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"


def _stream_arn(name: str) -> str:
    return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


def _sfn(world: World) -> Any:
    return world.client("stepfunctions")


def _kinesis(world: World) -> Any:
    return world.client("kinesis")


# --------------------------------------------------------------------------- Step Functions


def activity_tagged(world: World) -> Call:
    arn = _activity_arn("activity_tagged")
    _sfn(world).tag_resource(resourceArn=arn, tags=[{"key": "owner", "value": "alan"}])
    return Call({"resourceArn": arn, "tags": [{"key": "owner", "value": "alan"}]})


def activity_untagged(world: World) -> Call:
    arn = _activity_arn("activity_untagged")
    _sfn(world).untag_resource(resourceArn=arn, tagKeys=["team"])
    return Call({"resourceArn": arn, "tagKeys": ["team"]})


def activity_deleted(world: World) -> Call:
    arn = _activity_arn("activity_deleted")
    _sfn(world).delete_activity(activityArn=arn)
    return Call({"activityArn": arn})


def activity_by_hand(world: World) -> Call:
    made = _sfn(world).create_activity(name="worker-by-hand")
    return Call(
        {"name": "worker-by-hand"},
        {"activityArn": made["activityArn"], "creationDate": "Dec 7, 2026 9:00:00 PM"},
    )


# --------------------------------------------------------------------------- Kinesis


def stream_retention_up(world: World) -> Call:
    _kinesis(world).increase_stream_retention_period(
        StreamName="stream_retention_up", RetentionPeriodHours=48
    )
    return Call({"streamName": "stream_retention_up", "retentionPeriodHours": 48})


def stream_retention_down(world: World) -> Call:
    arn = _stream_arn("stream_retention_down")
    _kinesis(world).decrease_stream_retention_period(StreamARN=arn, RetentionPeriodHours=24)
    return Call({"streamARN": arn, "retentionPeriodHours": 24})


def stream_resharded(world: World) -> Call:
    _kinesis(world).update_shard_count(
        StreamName="stream_resharded", TargetShardCount=2, ScalingType="UNIFORM_SCALING"
    )
    return Call(
        {"streamName": "stream_resharded", "targetShardCount": 2, "scalingType": "UNIFORM_SCALING"},
        {"streamName": "stream_resharded", "currentShardCount": 1, "targetShardCount": 2},
    )


def stream_encrypted(world: World) -> Call:
    request = {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    _kinesis(world).start_stream_encryption(StreamName="stream_encrypted", **request)
    return Call(
        {"streamName": "stream_encrypted", "encryptionType": "KMS", "keyId": request["KeyId"]}
    )


def stream_unencrypted(world: World) -> Call:
    arn = _stream_arn("stream_unencrypted")
    _kinesis(world).stop_stream_encryption(
        StreamARN=arn, EncryptionType="KMS", KeyId="alias/aws/kinesis"
    )
    return Call({"streamARN": arn, "encryptionType": "KMS", "keyId": "alias/aws/kinesis"})


def stream_on_demand(world: World) -> Call:
    arn = _stream_arn("stream_on_demand")
    mode = {"StreamMode": "ON_DEMAND"}
    _kinesis(world).update_stream_mode(StreamARN=arn, StreamModeDetails=mode)
    return Call({"streamARN": arn, "streamModeDetails": {"streamMode": "ON_DEMAND"}})


def stream_tagged(world: World) -> Call:
    _kinesis(world).add_tags_to_stream(StreamName="stream_tagged", Tags={"owner": "alan"})
    return Call({"streamName": "stream_tagged", "tags": {"owner": "alan"}})


def stream_untagged(world: World) -> Call:
    arn = _stream_arn("stream_untagged")
    _kinesis(world).remove_tags_from_stream(StreamARN=arn, TagKeys=["team"])
    return Call({"streamARN": arn, "tagKeys": ["team"]})


def tagged_stream(world: World) -> None:
    # moto 5.2.6's CreateStream drops Tags (the provider sends them there): the stream whose tag
    # is removed is made and tagged by boto3, and the configuration imports it.
    _kinesis(world).create_stream(StreamName="stream_untagged", ShardCount=1)
    _kinesis(world).add_tags_to_stream(StreamName="stream_untagged", Tags={"team": "core"})


def stream_deleted(world: World) -> Call:
    _kinesis(world).delete_stream(StreamName="stream_deleted")
    return Call({"streamName": "stream_deleted"})


def stream_by_hand(world: World) -> Call:
    _kinesis(world).create_stream(StreamName="stream-by-hand", ShardCount=1)
    return Call({"streamName": "stream-by-hand", "shardCount": 1})


# --------------------------------------------------------------------------- the table


_case = case_rows(lambda _event, source: FIXTURES[source])
DELETED: dict[str, Any] = {"kind": "deleted", "strategies": ("import",)}
UNMANAGED: dict[str, Any] = {"kind": "unmanaged", "strategies": ("import",)}
STREAM = "aws_kinesis_stream"
IMPORTED_STREAM = """
import {
  to = aws_kinesis_stream.stream_untagged
  id = "stream_untagged"
}
"""
IMPORTED_NOISE = (
    "the stream is imported (moto drops CreateStream's tags), and provider 5.100.0 neither reads "
    "nor imports enforce_consumer_deletion: it stays null in state, so the revert plan also "
    "writes its default false beside the tags it puts back"
)
ENCRYPTED = '  encryption_type = "KMS"\n  kms_key_id      = "alias/aws/kinesis"\n'

CASES = (
    _case(
        "activity_tagged",
        "TagResource",
        SFN,
        activity_tagged,
        "aws_sfn_activity.activity_tagged",
        _activity("activity_tagged", TAGS),
    ),
    _case(
        "activity_untagged",
        "UntagResource",
        SFN,
        activity_untagged,
        "aws_sfn_activity.activity_untagged",
        _activity("activity_untagged", TAGS),
    ),
    _case(
        "activity_deleted",
        "DeleteActivity",
        SFN,
        activity_deleted,
        "aws_sfn_activity.activity_deleted",
        _activity("activity_deleted"),
        **DELETED,
    ),
    _case(
        "activity_by_hand",
        "CreateActivity",
        SFN,
        activity_by_hand,
        "aws_sfn_activity",
        "",
        **UNMANAGED,
    ),
    _case(
        "stream_retention_up",
        "IncreaseStreamRetentionPeriod",
        KINESIS,
        stream_retention_up,
        f"{STREAM}.stream_retention_up",
        _stream("stream_retention_up"),
    ),
    _case(
        "stream_retention_down",
        "DecreaseStreamRetentionPeriod",
        KINESIS,
        stream_retention_down,
        f"{STREAM}.stream_retention_down",
        _stream("stream_retention_down", "  retention_period = 72\n"),
    ),
    _case(
        "stream_resharded",
        "UpdateShardCount",
        KINESIS,
        stream_resharded,
        f"{STREAM}.stream_resharded",
        _stream("stream_resharded"),
    ),
    _case(
        "stream_encrypted",
        "StartStreamEncryption",
        KINESIS,
        stream_encrypted,
        f"{STREAM}.stream_encrypted",
        _stream("stream_encrypted"),
    ),
    _case(
        "stream_unencrypted",
        "StopStreamEncryption",
        KINESIS,
        stream_unencrypted,
        f"{STREAM}.stream_unencrypted",
        _stream("stream_unencrypted", ENCRYPTED),
    ),
    _case(
        "stream_on_demand",
        "UpdateStreamMode",
        KINESIS,
        stream_on_demand,
        f"{STREAM}.stream_on_demand",
        _stream("stream_on_demand"),
    ),
    _case(
        "stream_tagged",
        "AddTagsToStream",
        KINESIS,
        stream_tagged,
        f"{STREAM}.stream_tagged",
        # No tags in the code: moto 5.2.6's CreateStream drops them (see tagged_stream).
        _stream("stream_tagged"),
    ),
    _case(
        "stream_untagged",
        "RemoveTagsFromStream",
        KINESIS,
        stream_untagged,
        f"{STREAM}.stream_untagged",
        IMPORTED_STREAM + _stream("stream_untagged", TAGS),
        prepare=tagged_stream,
        known={"test_revert_plans_the_drift_back": IMPORTED_NOISE},
    ),
    _case(
        "stream_deleted",
        "DeleteStream",
        KINESIS,
        stream_deleted,
        f"{STREAM}.stream_deleted",
        _stream("stream_deleted"),
        **DELETED,
    ),
    _case("stream_by_hand", "CreateStream", KINESIS, stream_by_hand, STREAM, "", **UNMANAGED),
)
