"""Account guard rails an intruder turns off first: GuardDuty, AWS Config, EBS encryption by
default, the IAM password policy, Security Hub and IAM Access Analyzer.

Every row that weakens a guard rail is critical by default; turning one back on is low.

Choices worth knowing:
- ``aws_ebs_encryption_by_default`` and ``aws_iam_account_password_policy`` are singletons with
  a random or fixed id, so they are found by type (``state_keys.SINGLETON_TYPES``). Neither has an
  ARN, so an estate managing the EBS default in several regions sees a call in any region land
  on each of them.
- ``StopConfigurationRecorder``/``StartConfigurationRecorder`` land on
  ``aws_config_configuration_recorder_status`` (``is_enabled``), found by recorder name.
- ``UpdateDetector`` with ``enable: false`` suspends GuardDuty: ``enable`` becomes false.
- ``DisableSecurityHub``, ``BatchDisableStandards`` and ``DeleteAnalyzer`` remove the resource:
  deleted drift. Creating a detector, hub or analyzer by hand is an unmanaged resource.
- Config rules are found by name; ``PutConfigRule`` replaces the rule (high: a rule weakened
  by hand reports compliance it does not check).
"""

from __future__ import annotations

from typing import Any

from tfdrift_gitops.core.catalog.model import (
    Action,
    Effect,
    Extractor,
    Rule,
    Target,
    canonical_json,
    const,
    first,
    id_list,
    mapped,
    req,
    resp,
    tags_map,
)
from tfdrift_gitops.core.catalog.model import Set as SetAttr
from tfdrift_gitops.core.catalog.presence import event_account
from tfdrift_gitops.core.catalog.support import (
    boolean,
    integer,
    optional_text,
    request_is,
    tag_pairs,
    text,
    when,
    with_fallback,
)
from tfdrift_gitops.core.paths import MISSING
from tfdrift_gitops.models import CloudEvent, Severity

DETECTOR = "aws_guardduty_detector"
RECORDER = "aws_config_configuration_recorder"
RECORDER_STATUS = "aws_config_configuration_recorder_status"
CHANNEL = "aws_config_delivery_channel"
EBS_DEFAULT = "aws_ebs_encryption_by_default"
PW_POLICY_TYPE = "aws_iam_account_password_policy"
HUB = "aws_securityhub_account"
STANDARDS = "aws_securityhub_standards_subscription"
CONFIG_RULE = "aws_config_config_rule"
ANALYZER = "aws_accessanalyzer_analyzer"

DETECTOR_ID: Extractor = text("detectorId")
RECORDER_NAME: Extractor = first(
    text("configurationRecorderName"), text("configurationRecorder.name")
)
CHANNEL_NAME: Extractor = first(text("deliveryChannelName"), text("deliveryChannel.name"))
RULE_NAME: Extractor = first(text("configRuleName"), text("configRule.configRuleName"))


def _account(event: CloudEvent) -> Any:
    return event_account(event) or MISSING


PASSWORD_EFFECTS: tuple[Effect, ...] = (
    SetAttr("minimum_password_length", integer("minimumPasswordLength")),
    SetAttr("require_symbols", boolean("requireSymbols")),
    SetAttr("require_numbers", boolean("requireNumbers")),
    SetAttr("require_uppercase_characters", boolean("requireUppercaseCharacters")),
    SetAttr("require_lowercase_characters", boolean("requireLowercaseCharacters")),
    SetAttr("allow_users_to_change_password", boolean("allowUsersToChangePassword")),
    SetAttr("max_password_age", integer("maxPasswordAge")),
    SetAttr("password_reuse_prevention", integer("passwordReusePrevention")),
    SetAttr("hard_expiry", boolean("hardExpiry")),
)


def _rule(
    event: str,
    source: str,
    action: Action,
    targets: tuple[Target, ...],
    severity: Severity,
    description: str,
    *checks: Any,
) -> Rule:
    return Rule(
        event,
        f"{source}.amazonaws.com",
        action,
        targets,
        severity=severity,
        description=description,
        severity_checks=tuple(checks),
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "DeleteDetector",
        "guardduty",
        Action.DELETE,
        (Target(DETECTOR, "id", DETECTOR_ID),),
        Severity.CRITICAL,
        "GuardDuty detector deleted: threat detection is off",
    ),
    _rule(
        "UpdateDetector",
        "guardduty",
        Action.MODIFY,
        with_fallback(
            Target(
                DETECTOR,
                "id",
                DETECTOR_ID,
                (
                    SetAttr("enable", boolean("enable")),
                    SetAttr(
                        "finding_publishing_frequency",
                        text("findingPublishingFrequency"),
                        optional_text,
                    ),
                ),
            )
        ),
        Severity.MEDIUM,
        "GuardDuty detector changed",
        when(
            request_is("enable", False),
            Severity.CRITICAL,
            "enable set to false: GuardDuty suspended",
        ),
    ),
    _rule(
        "StopConfigurationRecorder",
        "config",
        Action.MODIFY,
        (Target(RECORDER_STATUS, "id", RECORDER_NAME, (SetAttr("is_enabled", const(False)),)),),
        Severity.CRITICAL,
        "AWS Config recorder stopped: configuration changes are no longer recorded",
    ),
    _rule(
        "StartConfigurationRecorder",
        "config",
        Action.MODIFY,
        (Target(RECORDER_STATUS, "id", RECORDER_NAME, (SetAttr("is_enabled", const(True)),)),),
        Severity.LOW,
        "AWS Config recorder started",
    ),
    _rule(
        "DeleteConfigurationRecorder",
        "config",
        Action.DELETE,
        (Target(RECORDER, "id", RECORDER_NAME),),
        Severity.CRITICAL,
        "AWS Config recorder deleted",
    ),
    _rule(
        "PutConfigurationRecorder",
        "config",
        Action.MODIFY,
        with_fallback(
            Target(
                RECORDER,
                "id",
                RECORDER_NAME,
                (
                    SetAttr("role_arn", text("configurationRecorder.roleARN")),
                    SetAttr(
                        "recording_group[0].all_supported",
                        boolean("configurationRecorder.recordingGroup.allSupported"),
                    ),
                    SetAttr(
                        "recording_group[0].include_global_resource_types",
                        boolean("configurationRecorder.recordingGroup.includeGlobalResourceTypes"),
                    ),
                ),
            )
        ),
        Severity.HIGH,
        "AWS Config recorder settings changed",
    ),
    _rule(
        "DeleteDeliveryChannel",
        "config",
        Action.DELETE,
        (Target(CHANNEL, "id", CHANNEL_NAME),),
        Severity.CRITICAL,
        "AWS Config delivery channel deleted: nothing is delivered",
    ),
    _rule(
        "PutDeliveryChannel",
        "config",
        Action.MODIFY,
        (
            Target(
                CHANNEL,
                "id",
                CHANNEL_NAME,
                (
                    SetAttr("s3_bucket_name", text("deliveryChannel.s3BucketName")),
                    SetAttr("s3_key_prefix", text("deliveryChannel.s3KeyPrefix"), optional_text),
                    SetAttr("sns_topic_arn", text("deliveryChannel.snsTopicARN"), optional_text),
                ),
            ),
        ),
        Severity.HIGH,
        "AWS Config delivery channel changed: records go elsewhere",
    ),
    _rule(
        "DisableEbsEncryptionByDefault",
        "ec2",
        Action.MODIFY,
        (
            Target(
                EBS_DEFAULT, "singleton", const(EBS_DEFAULT), (SetAttr("enabled", const(False)),)
            ),
        ),
        Severity.CRITICAL,
        "EBS encryption by default turned off: new volumes are unencrypted",
    ),
    _rule(
        "EnableEbsEncryptionByDefault",
        "ec2",
        Action.MODIFY,
        (Target(EBS_DEFAULT, "singleton", const(EBS_DEFAULT), (SetAttr("enabled", const(True)),)),),
        Severity.LOW,
        "EBS encryption by default turned on",
    ),
    _rule(
        "UpdateAccountPasswordPolicy",
        "iam",
        Action.MODIFY,
        with_fallback(Target(PW_POLICY_TYPE, "singleton", const(PW_POLICY_TYPE), PASSWORD_EFFECTS)),
        Severity.CRITICAL,
        "account password policy replaced",
    ),
    _rule(
        "DeleteAccountPasswordPolicy",
        "iam",
        Action.DELETE,
        (Target(PW_POLICY_TYPE, "singleton", const(PW_POLICY_TYPE)),),
        Severity.CRITICAL,
        "account password policy deleted: AWS defaults apply",
    ),
    _rule(
        "DisableSecurityHub",
        "securityhub",
        Action.DELETE,
        (Target(HUB, "id", _account),),
        Severity.CRITICAL,
        "Security Hub disabled for the account",
    ),
    _rule(
        "BatchDisableStandards",
        "securityhub",
        Action.DELETE,
        (Target(STANDARDS, "id", id_list(req("standardsSubscriptionArns"))),),
        Severity.CRITICAL,
        "Security Hub standards disabled: their controls no longer run",
    ),
    _rule(
        "EnableSecurityHub",
        "securityhub",
        Action.CREATE,
        (Target(HUB, "id", _account, import_id=_account),),
        Severity.LOW,
        "Security Hub enabled outside Terraform",
    ),
    _rule(
        "CreateDetector",
        "guardduty",
        Action.CREATE,
        (
            Target(
                DETECTOR,
                "id",
                mapped(resp("detectorId"), str),
                (
                    SetAttr("enable", boolean("enable")),
                    # GuardDuty sends tags as a map.
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=mapped(resp("detectorId"), str),
            ),
        ),
        Severity.LOW,
        "GuardDuty detector created outside Terraform",
    ),
    _rule(
        "DeleteConfigRule",
        "config",
        Action.DELETE,
        (Target(CONFIG_RULE, "id", RULE_NAME),),
        Severity.HIGH,
        "AWS Config rule deleted: its compliance checks stop",
    ),
    _rule(
        "PutConfigRule",
        "config",
        Action.MODIFY,
        with_fallback(
            Target(
                CONFIG_RULE,
                "id",
                RULE_NAME,
                (
                    SetAttr("description", text("configRule.description"), optional_text),
                    SetAttr(
                        "input_parameters",
                        text("configRule.inputParameters"),
                        lambda v: canonical_json(v) if v else None,
                    ),
                    SetAttr(
                        "maximum_execution_frequency",
                        text("configRule.maximumExecutionFrequency"),
                        optional_text,
                    ),
                    SetAttr("source[0].owner", text("configRule.source.owner")),
                    SetAttr(
                        "source[0].source_identifier",
                        text("configRule.source.sourceIdentifier"),
                        optional_text,
                    ),
                ),
            )
        ),
        Severity.HIGH,
        "AWS Config rule changed outside Terraform",
    ),
    _rule(
        "CreateAnalyzer",
        "access-analyzer",
        Action.CREATE,
        (
            Target(
                ANALYZER,
                "id",
                text("analyzerName"),
                (
                    SetAttr("analyzer_name", text("analyzerName")),
                    SetAttr("type", text("type")),
                    # The recorded CreateAnalyzer sends tags as a map.
                    SetAttr("tags", tag_pairs(req("tags")), tags_map),
                ),
                import_id=text("analyzerName"),
            ),
        ),
        Severity.LOW,
        "Access Analyzer analyzer created outside Terraform",
    ),
    _rule(
        "DeleteAnalyzer",
        "access-analyzer",
        Action.DELETE,
        (Target(ANALYZER, "id", text("analyzerName")),),
        Severity.CRITICAL,
        "IAM Access Analyzer analyzer deleted",
    ),
)
