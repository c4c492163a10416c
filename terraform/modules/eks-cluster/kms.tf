# One customer-managed key for the cluster: Kubernetes Secrets envelope encryption, the
# control-plane log group and the node root volumes.
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy, not an IAM policy: "*" as the resource means this key only, and the account-root statement is KMS's default that delegates to IAM.
  #checkov:skip=CKV_AWS_111:A key policy, not an IAM policy: "*" as the resource means this key only; the service principals may only use the key, not administer it.
  #checkov:skip=CKV_AWS_356:A key policy, not an IAM policy: "*" as the resource means this key only (a key policy cannot name another resource).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # EC2 Auto Scaling launches the nodes and must use the key for their encrypted root volumes.
  statement {
    sid = "AutoScalingUsesKeyForVolumes"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
      "kms:CreateGrant",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]
    }
  }

  statement {
    sid = "CloudWatchLogsUsesKey"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "EKS ${var.cluster_name}: secrets, control-plane logs, node volumes"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/eks/${var.cluster_name}"
  target_key_id = aws_kms_key.this.key_id
}
