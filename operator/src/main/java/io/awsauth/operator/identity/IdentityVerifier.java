package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;

/**
 * Proves the identity behind a request for one {@link AuthType} (beyond namespace and service
 * account, which every request passes first). Implementations are CDI beans; the request reconciler
 * picks the one for the role's authType. Makes no change anywhere.
 */
public interface IdentityVerifier {
  AuthType authType();

  IdentityVerdict verify(AwsCredentialRequest request, VaultAwsRole role);
}
