package io.awsauth.operator.api.v1alpha1;

import java.util.List;

/** The reasons only an AwsCredentialRequest shows; {@link #all()} adds the shared ones it shows. */
public enum AwsCredentialRequestReason implements Reason {
  ServiceAccountBound(
      Recheck.WAIT_FOR_CHANGE,
      "authType kubernetes: namespace and service account match the role's bindings"),
  IamPrincipalVerified(
      Recheck.WAIT_FOR_CHANGE, "authType iam: STS named a principal the role binds"),
  Ec2InstanceVerified(
      Recheck.WAIT_FOR_CHANGE,
      "authType ec2: the instance runs and matches the role's EC2 bindings"),
  Issued(Recheck.WAIT_FOR_CHANGE, "a credential was issued"),
  ReissuedAfterCutoff(
      Recheck.WAIT_FOR_CHANGE,
      "a credential was issued in place of one a role-wide cutoff denied (the deny policy was"
          + " full)"),
  CredentialReady(
      Recheck.WAIT_FOR_CHANGE, "the Secret holds a working credential until status.expiresAt"),
  RotationInTime(
      Recheck.WAIT_FOR_CHANGE,
      "renewBefore leaves the kubelet and every SDK's refresh window time to see the rotated"
          + " credential in a mounted Secret"),
  RenewBeforeTooShort(
      Recheck.WAIT_FOR_CHANGE,
      "renewBefore is too short for a mounted Secret to be refreshed before the SDKs ask (short"
          + " leases stay allowed; the message gives the arithmetic)"),
  RoleNotFound(Recheck.WAIT_FOR_CHANGE, "spec.roleRef names no VaultAwsRole"),
  RoleNotReady(Recheck.WAIT_FOR_DEPENDENCY, "the role is not Ready at its latest generation"),
  TtlOutOfRange(Recheck.WAIT_FOR_CHANGE, "the granted TTL is below what STS requires, or 0"),
  RoleArnRequired(
      Recheck.WAIT_FOR_CHANGE, "the role has several roleArns and the request names none"),
  RoleArnNotInRole(Recheck.WAIT_FOR_CHANGE, "spec.roleArn is not one of the role's roleArns"),
  SecretNotOwned(Recheck.POLL, "a Secret named spec.secretName exists and is not this request's"),
  IamUserNameTaken(
      Recheck.WAIT_FOR_CHANGE,
      "an IAM user with the templated name exists and is not this request's"),
  KeyNotUsable(
      Recheck.RETRY_SOON, "the new access key did not answer sts:GetCallerIdentity in time"),
  NamespaceNotBound(
      Recheck.WAIT_FOR_CHANGE, "the request's namespace is not in the role's bindings.namespaces"),
  ServiceAccountNotBound(
      Recheck.WAIT_FOR_CHANGE, "the service account is not in the role's bindings.serviceAccounts"),
  ServiceAccountNotFound(Recheck.WAIT_FOR_CHANGE, "the ServiceAccount does not exist"),
  PodNotFound(Recheck.POLL, "spec.identity.podName names no pod"),
  PodServiceAccountMismatch(Recheck.WAIT_FOR_CHANGE, "the pod runs as another service account"),
  AuthTypeUnavailable(
      Recheck.WAIT_FOR_CHANGE, "this operator build cannot verify the role's authType"),
  ProofSecretRequired(
      Recheck.WAIT_FOR_CHANGE, "authType iam and no spec.identity.iamProofSecretRef"),
  ProofSecretNotFound(Recheck.POLL, "the proof Secret does not exist", true),
  ProofIncomplete(Recheck.POLL, "a key of the proof is missing", true),
  ProofMalformed(
      Recheck.WAIT_FOR_CHANGE, "a key of the proof is not valid base64, a URL, or ASCII text"),
  ProofTooLarge(Recheck.WAIT_FOR_CHANGE, "a field of the proof is over its size limit"),
  ProofWrongEndpoint(
      Recheck.WAIT_FOR_CHANGE,
      "the proof is signed for a host the AwsAuthConfig does not accept (stsAllowedHosts)"),
  ProofHasQuery(Recheck.WAIT_FOR_CHANGE, "the proof's URL has a query"),
  ProofWrongPath(Recheck.WAIT_FOR_CHANGE, "the proof's URL path is not the endpoint's"),
  ProofWrongHost(Recheck.WAIT_FOR_CHANGE, "the proof's Host header is not its URL's host"),
  ProofNotPost(Recheck.WAIT_FOR_CHANGE, "the proof's method is not POST"),
  ProofWrongAction(
      Recheck.WAIT_FOR_CHANGE, "the body does not hold Action=GetCallerIdentity exactly once"),
  ProofWrongVersion(
      Recheck.WAIT_FOR_CHANGE, "the body does not hold Version=2011-06-15 exactly once"),
  ProofExtraParameter(Recheck.WAIT_FOR_CHANGE, "the body holds other parameters"),
  ProofWrongContentType(
      Recheck.WAIT_FOR_CHANGE, "the Content-Type is not application/x-www-form-urlencoded"),
  ProofForbiddenHeader(
      Recheck.WAIT_FOR_CHANGE, "the proof carries a header that cannot be forwarded"),
  ProofAmbiguousHeader(Recheck.WAIT_FOR_CHANGE, "a header is given several different values"),
  ProofInvalidHeader(
      Recheck.WAIT_FOR_CHANGE, "a header is not valid HTTP, or Content-Length is wrong"),
  ProofUnsigned(Recheck.WAIT_FOR_CHANGE, "the proof has no Authorization header"),
  ProofNotSigV4(Recheck.WAIT_FOR_CHANGE, "the Authorization header is not AWS Signature Version 4"),
  ProofWrongService(Recheck.WAIT_FOR_CHANGE, "the signature is for another service than sts"),
  ProofHeaderUnsigned(Recheck.WAIT_FOR_CHANGE, "Host or X-Amz-Date is not signed"),
  ProofSignedHeaderMissing(
      Recheck.WAIT_FOR_CHANGE, "the signature covers a header the proof does not carry"),
  ProofUndated(
      Recheck.WAIT_FOR_CHANGE, "X-Amz-Date is missing, malformed or not the day of the scope"),
  ProofServerIdMissing(
      Recheck.WAIT_FOR_CHANGE, "the proof has no X-Vault-AWS-IAM-Server-ID header"),
  ProofServerIdMismatch(
      Recheck.WAIT_FOR_CHANGE, "the server ID header does not carry the config's value"),
  ProofServerIdUnsigned(Recheck.WAIT_FOR_CHANGE, "the server ID header is not signed"),
  ProofExpired(Recheck.POLL, "the proof was signed more than 15 minutes from now", true),
  ProofRefused(Recheck.POLL, "STS refused the proof's signature", true),
  StsAnswerInvalid(
      Recheck.POLL, "the STS endpoint answered something that is not an STS answer", true),
  StsEndpointInvalid(
      Recheck.WAIT_FOR_CHANGE, "the config's endpoints.sts is not usable for proofs"),
  StsUnavailable(Recheck.RETRY_SOON, "STS answered 5xx or was throttled while checking the proof"),
  StsUnreachable(Recheck.RETRY_SOON, "the proof could not be sent to the STS endpoint"),
  CallerNotBound(
      Recheck.WAIT_FOR_CHANGE, "STS named a principal outside bindings.iamPrincipalArns"),
  AccountNotBound(
      Recheck.WAIT_FOR_CHANGE, "STS named a principal in an account outside bindings.accountIds"),
  PodRequired(
      Recheck.WAIT_FOR_CHANGE, "authType ec2 and neither a pod nor an identity document Secret"),
  PodNotScheduled(Recheck.POLL, "the pod has no node yet"),
  NodeNotFound(Recheck.POLL, "the pod's node does not exist"),
  NodeNotEc2(Recheck.WAIT_FOR_CHANGE, "the node's spec.providerID is not an EC2 instance"),
  InstanceNotFound(Recheck.POLL, "no such instance in the bound accounts and region"),
  InstanceNotRunning(Recheck.WAIT_FOR_CHANGE, "the instance is not running"),
  InstanceNotBound(
      Recheck.WAIT_FOR_CHANGE, "an attribute of the instance is outside the role's bindings"),
  IdentityDocumentSecretNotFound(Recheck.POLL, "the identity document Secret does not exist", true),
  IdentityDocumentMissing(
      Recheck.WAIT_FOR_CHANGE, "the identity document Secret has no key pkcs7, or it is empty"),
  IdentityDocumentMalformed(
      Recheck.WAIT_FOR_CHANGE, "pkcs7 is not a PKCS#7 SignedData with exactly one signer"),
  IdentityDocumentTooLarge(Recheck.WAIT_FOR_CHANGE, "the PKCS#7 text is over its size limit"),
  IdentityDocumentNoContent(
      Recheck.WAIT_FOR_CHANGE, "the PKCS#7 signature does not contain the document"),
  IdentityDocumentBadSignature(Recheck.WAIT_FOR_CHANGE, "the document's signature does not verify"),
  IdentityDocumentUnknownSigner(
      Recheck.WAIT_FOR_CHANGE, "the document is not signed by a configured certificate"),
  IdentityDocumentWeakSignature(
      Recheck.WAIT_FOR_CHANGE, "signed with SHA-1 or weaker, or a key under 2048 bits"),
  IdentityDocumentInvalid(
      Recheck.WAIT_FOR_CHANGE, "the signed document lacks a valid account, region or instance ID"),
  NoIdentityDocumentCertificates(
      Recheck.WAIT_FOR_CHANGE, "the config sets no identityDocumentCertificates"),
  IdentityDocumentCertificatesInvalid(
      Recheck.WAIT_FOR_CHANGE, "the config's identityDocumentCertificates do not parse");

  private final Recheck recheck;
  private final String description;
  private final boolean proofUnavailable;

  AwsCredentialRequestReason(Recheck recheck, String description) {
    this(recheck, description, false);
  }

  AwsCredentialRequestReason(Recheck recheck, String description, boolean proofUnavailable) {
    this.recheck = recheck;
    this.description = description;
    this.proofUnavailable = proofUnavailable;
  }

  @Override
  public Recheck recheck() {
    return recheck;
  }

  @Override
  public String description() {
    return description;
  }

  /**
   * A denial that says the workload's proof cannot be checked again right now (it aged past what
   * STS accepts, or its Secret is gone), not that the workload is someone else: the lease held
   * stays until it expires, and the next one waits for a fresh proof.
   */
  public boolean proofUnavailable() {
    return proofUnavailable;
  }

  /** Every reason an AwsCredentialRequest's conditions can carry. */
  public static List<Reason> all() {
    return Reason.all(
        values(),
        new Reason[] {
          DependencyReason.AuthConfigNotFound,
          DependencyReason.AuthConfigNotReady,
          DependencyReason.NoTrustForAccount,
          DependencyReason.TrustNotReady
        },
        AwsReason.values());
  }
}
