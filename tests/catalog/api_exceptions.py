"""Known exceptions to the API-model check (tests/catalog/api_model.py), each with why it is
real: lookups a row makes that find nothing in a real call of its operation (shared readers),
keys real recorded calls carry that the model lacks, and tests that feed a shape on purpose.
``tests/catalog/test_api_shapes.py`` fails when an entry is no longer needed.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.model import OperationModel

DEAD_READS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    # (botocore service, operation) -> (side:path keys a row looks up although the operation
    # has no such member, why that is no misread). Each is a lookup that finds nothing in a
    # real call of this operation and stands next to a valid read of the same value, or
    # decides which row or target a call is; a listed key covers the paths below it.
    ("apigateway", "UpdateStage"): (
        frozenset({"request:defaultRouteSettings"}),
        "one stage effect table serves REST and HTTP stages; v2's settings are dead for REST",
    ),
    ("apigatewayv2", "DeleteStage"): (
        frozenset({"request:restApiId"}),
        "the REST/v2 discriminator looks for restApiId on every stage call",
    ),
    ("apigatewayv2", "UpdateStage"): (
        frozenset({"request:restApiId", "request:patchOperations", "request:updateStageInput"}),
        "the REST/v2 discriminator and the REST patch reader look on every stage call",
    ),
    ("ec2", "AuthorizeSecurityGroupEgress"): (
        frozenset(
            {
                "request:groupName",
                "request:securityGroupRuleId",
                "request:securityGroupRuleIds",
                "response:revokedSecurityGroupRuleSet",
            }
        ),
        "one rule reader serves the four authorize/revoke calls (groupName is ingress-only, "
        "EC2-Classic); each looks for the others' keys and finds none",
    ),
    ("ec2", "AuthorizeSecurityGroupIngress"): (
        frozenset(
            {
                "request:securityGroupRuleId",
                "request:securityGroupRuleIds",
                "response:revokedSecurityGroupRuleSet",
            }
        ),
        "one rule reader serves the four authorize/revoke calls",
    ),
    ("ec2", "RevokeSecurityGroupEgress"): (
        frozenset({"request:groupName", "response:securityGroupRuleSet"}),
        "one rule reader serves the four authorize/revoke calls",
    ),
    ("ec2", "RevokeSecurityGroupIngress"): (
        frozenset({"response:securityGroupRuleSet"}),
        "one rule reader serves the four authorize/revoke calls",
    ),
    **{
        ("ec2", f"UpdateSecurityGroupRuleDescriptions{direction}"): (
            frozenset(
                {
                    "request:cidrIp",
                    "request:fromPort",
                    "request:toPort",
                    "request:ipProtocol",
                    "request:sourceSecurityGroupName",
                    "request:securityGroupRuleId",
                    "request:securityGroupRuleIds",
                }
            ),
            "the rule reader's legacy top-level form (AuthorizeSecurityGroupIngress's cidrIp, "
            "ports) and rule-id forms; this call carries ipPermissions only",
        )
        for direction in ("Ingress", "Egress")
    },
    ("ec2", "DeleteRoute"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "carrierGatewayId",
                    "coreNetworkArn",
                    "egressOnlyInternetGatewayId",
                    "gatewayId",
                    "instanceId",
                    "localGatewayId",
                    "natGatewayId",
                    "networkInterfaceId",
                    "transitGatewayId",
                    "vpcEndpointId",
                    "vpcPeeringConnectionId",
                )
            }
        ),
        "the route reader shared with CreateRoute/ReplaceRoute looks for a target; a delete "
        "names none, so the route is removed by its destination",
    ),
    ("ec2", "DisassociateIamInstanceProfile"): (
        frozenset({"request:InstanceId", "request:DisassociateIamInstanceProfileRequest"}),
        "the instance id reader shared with Associate looks in the request before the "
        "response (where Disassociate logs it)",
    ),
    ("ec2", "ReplaceIamInstanceProfileAssociation"): (
        frozenset({"request:InstanceId", "request:ReplaceIamInstanceProfileAssociationRequest"}),
        "the instance id reader shared with Associate looks in the request before the response",
    ),
    ("ec2", "ModifyLaunchTemplate"): (
        frozenset({"request:LaunchTemplateData", "request:ModifyLaunchTemplateRequest"}),
        "the template data reader shared with CreateLaunchTemplate(Version) finds none here",
    ),
    ("ecs", "CreateService"): (
        frozenset({"request:service"}),
        "the service name reader shared with UpdateService (service) tries serviceName first",
    ),
    ("ecs", "UpdateService"): (
        frozenset({"request:clusterName"}),
        "the cluster reader shared with CreateCluster (clusterName) tries cluster first",
    ),
    ("elasticache", "ModifyCacheCluster"): (
        frozenset(
            {
                "request:automaticFailoverEnabled",
                "request:multiAZEnabled",
                "request:transitEncryptionEnabled",
            }
        ),
        "severity checks shared with ModifyReplicationGroup",
    ),
    ("elb", "AddTags"): (
        frozenset({"request:loadBalancerName"}),
        "classic/v2 discriminator: classic tags name loadBalancerNames, the check asks both",
    ),
    ("elb", "RemoveTags"): (
        frozenset({"request:loadBalancerName"}),
        "classic/v2 discriminator: classic tags name loadBalancerNames, the check asks both",
    ),
    ("elb", "DeleteLoadBalancerPolicy"): (
        frozenset({"request:policyAttributes"}),
        "the policy reader shared with CreateLoadBalancerPolicy",
    ),
    ("elb", "SetLoadBalancerPoliciesOfListener"): (
        frozenset({"request:policyAttributes"}),
        "the policy reader shared with CreateLoadBalancerPolicy",
    ),
    **{
        ("elbv2", name): (
            frozenset({"request:loadBalancerName", "request:loadBalancerNames"}),
            "classic/v2 discriminator: ELB classic and ELBv2 log this name, the row tells them "
            "apart by the classic call's loadBalancerName(s)",
        )
        for name in (
            "AddTags",
            "RemoveTags",
            "CreateLoadBalancer",
            "DeleteLoadBalancer",
            "ModifyLoadBalancerAttributes",
        )
    },
    ("rds", "CreateDBInstance"): (
        frozenset(
            {
                "request:applyImmediately",
                "request:cloudwatchLogsExportConfiguration",
                "request:sourceDBInstanceIdentifier",
            }
        ),
        "one effect table serves the three instance creates (the source belongs to "
        "ReadReplica) and ModifyDBInstance's log exports; applyImmediately is read by the "
        "pending-change reason",
    ),
    ("rds", "CreateDBInstanceReadReplica"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "applyImmediately",
                    "backupRetentionPeriod",
                    "cloudwatchLogsExportConfiguration",
                    "dBClusterIdentifier",
                    "dBName",
                    "engine",
                    "engineVersion",
                    "manageMasterUserPassword",
                    "masterUsername",
                    "preferredBackupWindow",
                    "preferredMaintenanceWindow",
                    "promotionTier",
                )
            }
        ),
        "one effect table serves the three instance creates; a replica inherits these from "
        "its source and the call cannot set them (applyImmediately: the pending-change reason)",
    ),
    ("rds", "RestoreDBInstanceFromDBSnapshot"): (
        frozenset(
            {
                f"request:{key}"
                for key in (
                    "applyImmediately",
                    "cloudwatchLogsExportConfiguration",
                    "dBClusterIdentifier",
                    "enablePerformanceInsights",
                    "performanceInsightsEnabled",
                    "engineVersion",
                    "kmsKeyId",
                    "masterUsername",
                    "maxAllocatedStorage",
                    "monitoringInterval",
                    "monitoringRoleArn",
                    "performanceInsightsKMSKeyId",
                    "performanceInsightsRetentionPeriod",
                    "preferredMaintenanceWindow",
                    "promotionTier",
                    "sourceDBInstanceIdentifier",
                )
            }
        ),
        "one effect table serves the three instance creates; a restore takes these from the "
        "snapshot and the call cannot set them (applyImmediately: the pending-change reason)",
    ),
    ("rds", "CreateDBCluster"): (
        frozenset({"request:cloudwatchLogsExportConfiguration"}),
        "ModifyDBCluster's log-export effects, shared; the create's enableCloudwatchLogsExports "
        "is read too",
    ),
    ("rds", "ModifyDBCluster"): (
        frozenset({"request:publiclyAccessible"}),
        "severity checks shared with ModifyDBInstance (a cluster is public through instances)",
    ),
    ("rds", "DeleteDBInstance"): (
        frozenset({"request:applyImmediately"}),
        "the pending-change reason shared with the modify calls",
    ),
    ("rds", "DeleteDBCluster"): (
        frozenset({"request:applyImmediately"}),
        "the pending-change reason shared with the modify calls",
    ),
    ("s3", "CreateBucket"): (
        frozenset({"request:AccessControlPolicy"}),
        "the ACL reader shared with PutBucketAcl (a create's ACL is the x-amz-acl header)",
    ),
    ("secretsmanager", "UpdateSecret"): (
        frozenset({"request:versionStages"}),
        "the version-stage effect shared with PutSecretValue: UpdateSecret names no stages, "
        "its new value always takes AWSCURRENT, which is what the effect does when none is named",
    ),
}

RECORDED_EXTRAS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    # Keys real, published records carry that botocore's model lacks (fields AWS logs but does
    # not document, or a source's own edit). Never read by a row; listed so the calibration
    # on recorded calls stays exact.
    ("cloudfront", "CreateDistribution"): (
        frozenset({"response:distribution.distributionConfig.origins.items.*.oacSigningBehavior"}),
        "the console's origin access control field, logged, not in the API model",
    ),
    ("cloudfront", "UpdateDistribution"): (
        frozenset(
            {
                "response:distribution.distributionConfig.origins.items.*.oacSigningBehavior",
                "response:location",
            }
        ),
        "the console's origin access control field and a Location header, logged",
    ),
    ("ec2", "RunInstances"): (
        frozenset(
            {
                "response:instancesSet.items.*.interfaceId",
                "response:instancesSet.items.*.metadataOptions.httpProtocolIpv4",
                "response:instancesSet.items.*.networkInterfaceSet.items.*",
            }
        ),
        "EC2's internal instance and interface fields (interfaceId, internalInterfaceId, "
        "associableWithElasticIpBySet, ...) logged in the console's RunInstances responses",
    ),
    ("ec2", "TerminateInstances"): (
        frozenset({"response:instancesSet.requestId"}),
        "panther-analysis' test case nests requestId inside instancesSet (edited by hand)",
    ),
    ("eks", "CreateCluster"): (
        frozenset({"response:cluster.clusterName"}),
        "the 2018 documentation record names the cluster clusterName (today: name)",
    ),
    ("lambda", "UpdateFunctionCode"): (
        frozenset({"request:fullyQualifiedArn"}),
        "Lambda logs the resolved function ARN as a structure next to functionName",
    ),
    ("lambda", "UpdateFunctionConfiguration"): (
        frozenset({"response:layers.*.uncompressedCodeSize"}),
        "Lambda logs each layer's uncompressed size, not in the API model",
    ),
    ("rds", "ModifyDBInstance"): (
        frozenset(
            {
                "response:httpEndpointEnabled",
                "response:pendingModifiedValues.deletionProtection",
                "response:pendingModifiedValues.publiclyAccessible",
            }
        ),
        "RDS logs pending changes the API model's PendingModifiedValues does not list",
    ),
}

DELIBERATE: dict[str, str] = {
    # Tests that feed a row a shape the API does not have on purpose: what the row does with
    # a call it cannot read (a resource-level change, never a guessed value).
    "tests/catalog/test_apigateway_api.py::"
    "test_unreadable_operations_are_a_resource_level_change": "an UpdateStage body, unknown key",
    "tests/catalog/test_apigateway_methods.py::test_rest_calls"
    "[rest-api-unreadable-is-resource-level]": "an UpdateRestApi body, unknown key",
    "tests/catalog/test_real_observability.py::test_api_shapes"
    "[logs-retention-unreadable-shape-is-resource-level]": "PutRetentionPolicy with retention.days",
}


def listed(
    table: Mapping[tuple[str, str], tuple[frozenset[str], str]], op: OperationModel, read: str
) -> bool:
    """Whether ``side:path`` is (below) a key ``table`` lists for the operation."""
    entry = table.get((op.service_model.service_name, op.name))
    if entry is None:
        return False
    keys, _ = entry
    side, _, path = read.partition(":")
    parts = path.split(".")
    return any(f"{side}:{'.'.join(parts[:n])}" in keys for n in range(1, len(parts) + 1))
