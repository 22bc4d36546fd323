package io.awsauth.operator.credential;

import io.awsauth.operator.cache.LeanItemStore;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cache of the operator's own Secrets. The reconciler reads a cached Secret's annotations, its
 * access key ID and which keys it has, never the secret values (a Secret is always rewritten whole
 * from a new credential): those are blanked, so 10,000 Secrets cost little memory and the operator
 * holds no issued secret key or session token beyond the issuance that wrote it.
 */
public final class CredentialSecretStore extends LeanItemStore<Secret> {
  @Override
  protected Secret slim(Secret secret) {
    super.slim(secret);
    Map<String, String> data = secret.getData();
    if (data != null) {
      Map<String, String> kept = new LinkedHashMap<>();
      data.forEach(
          (key, value) -> kept.put(key, key.equals(CredentialSecret.ACCESS_KEY_ID) ? value : ""));
      secret.setData(kept);
    }
    return secret;
  }
}
