package io.awsauth.operator.identity.iam;

/**
 * An IAM user or role as IAM describes it now (iam:GetUser, iam:GetRole): its full ARN, path
 * included, and its unique ID.
 */
public record ResolvedPrincipal(String arn, String uniqueId) {}
