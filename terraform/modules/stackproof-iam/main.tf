# Policy documents for the two roles that run stackproof against a live stack. They are data
# (rendered to JSON as outputs) so each organisation attaches them to roles its own way.
locals {
  region_condition = {
    test     = "StringEquals"
    variable = "aws:RequestedRegion"
    values   = [var.region]
  }
}

# test:infra: read-only. Describe/List calls have no resource-level permissions in these services,
# so they use "*" limited to the region; nothing here reads data (no s3:GetObject, no
# secretsmanager:GetSecretValue, no kms:Decrypt).
data "aws_iam_policy_document" "test_infra" {
  statement {
    sid = "DescribePlatform"
    actions = [
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeVpcs",
      "ec2:DescribeSubnets",
      "ec2:DescribeRouteTables",
      "ec2:DescribeNatGateways",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSecurityGroupRules",
      "ec2:DescribeFlowLogs",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:DescribeInstances",
      "ec2:DescribeVolumes",
      "eks:DescribeCluster",
      "eks:ListClusters",
      "eks:DescribeNodegroup",
      "eks:ListNodegroups",
      "eks:ListAccessEntries",
      "eks:DescribeAddon",
      "eks:ListPodIdentityAssociations",
      "rds:DescribeDBInstances",
      "rds:DescribeDBParameters",
      "rds:DescribeDBSubnetGroups",
      "rds:ListTagsForResource",
      "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy",
      "kms:DescribeKey",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "logs:DescribeLogGroups",
      "secretsmanager:DescribeSecret",
      "autoscaling:DescribeAutoScalingGroups",
      "elasticloadbalancing:DescribeLoadBalancers",
    ]
    resources = ["*"]

    condition {
      test     = local.region_condition.test
      variable = local.region_condition.variable
      values   = local.region_condition.values
    }
  }

  # IAM is global: its requests carry aws:RequestedRegion = us-east-1, so these reads have no
  # region condition; they are limited to the stack's roles (named after the cluster) instead.
  statement {
    sid = "ReadStackRoles"
    actions = [
      "iam:GetRole",
      "iam:ListRolePolicies",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
    ]
    resources = ["arn:aws:iam::*:role/${var.cluster_name}-*"]
  }

  # The IAM properties are judged by IAM's own policy simulator where it answers.
  statement {
    sid       = "SimulatePolicies"
    actions   = ["iam:SimulateCustomPolicy"]
    resources = ["*"]
  }

  statement {
    sid = "ReadStateBackendConfiguration"
    actions = [
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketPolicy",
      "s3:GetBucketLogging",
      "dynamodb:DescribeTable",
      "dynamodb:DescribeContinuousBackups",
    ]
    resources = [var.state_bucket_arn, var.lock_table_arn]
  }
}

# chaos: may disturb only resources tagged as chaos targets, in one region; reads what its guards
# and steady-state probe need. Deleting or creating resources is not allowed at all.
data "aws_iam_policy_document" "chaos" {
  # The reads of the guards and faults, and of the live checks `stackproof chaos run` repeats
  # before and after an experiment on the properties it exercises (NAT gateways, routes, Auto
  # Scaling groups, load balancers): the chaos package's sandbox test holds every call a run makes
  # to this policy.
  statement {
    sid = "ReadForGuards"
    actions = [
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeSubnets",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeInstances",
      "ec2:DescribeNatGateways",
      "ec2:DescribeRouteTables",
      "eks:DescribeCluster",
      "eks:DescribeNodegroup",
      "eks:ListNodegroups",
      "rds:DescribeDBInstances",
      "rds:DescribeEvents",
      "autoscaling:DescribeAutoScalingGroups",
      "elasticloadbalancing:DescribeLoadBalancers",
    ]
    resources = ["*"]

    condition {
      test     = local.region_condition.test
      variable = local.region_condition.variable
      values   = local.region_condition.values
    }
  }

  statement {
    sid = "BlackholeTaggedNacls"
    actions = [
      "ec2:CreateNetworkAclEntry",
      "ec2:DeleteNetworkAclEntry",
      "ec2:ReplaceNetworkAclEntry",
    ]
    resources = ["arn:aws:ec2:${var.region}:*:network-acl/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${var.chaos_target_tag_key}"
      values   = [var.chaos_target_tag_value]
    }
  }

  statement {
    sid       = "StopStartTaggedNodes"
    actions   = ["ec2:StopInstances", "ec2:StartInstances"]
    resources = ["arn:aws:ec2:${var.region}:*:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${var.chaos_target_tag_key}"
      values   = [var.chaos_target_tag_value]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/eks:cluster-name"
      values   = [var.cluster_name]
    }
  }

  statement {
    sid       = "FailOverTaggedDatabases"
    actions   = ["rds:RebootDBInstance"]
    resources = ["arn:aws:rds:${var.region}:*:db:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${var.chaos_target_tag_key}"
      values   = [var.chaos_target_tag_value]
    }
  }
}
