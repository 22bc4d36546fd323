package io.awsauth.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.credential.CredentialSecretStore;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanItemStoreTest {
  @Test
  void cachedObjectsLoseTheirManagedFieldsAndKeepTheRest() {
    var store = new LeanItemStore<ServiceAccount>();
    ServiceAccount sa =
        new ServiceAccountBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName("app")
            .withResourceVersion("7")
            .withManagedFields(new ManagedFieldsEntry())
            .endMetadata()
            .build();
    store.put(store.getKey(sa), sa);
    ServiceAccount cached = store.get("team-a/app");
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(store.size()).isEqualTo(1);
    store.remove("team-a/app");
    assertThat(store.values()).isEmpty();
  }

  @Test
  void credentialSecretsKeepTheirKeysAndAccessKeyIdButNoSecretValue() {
    var store = new CredentialSecretStore();
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName("creds")
            .addToAnnotations("awsauth.io/lease-id", "lease-1")
            .endMetadata()
            .withData(
                Map.of(
                    "AWS_ACCESS_KEY_ID", "QUtJQUVYQU1QTEU=",
                    "AWS_SECRET_ACCESS_KEY", "c2VjcmV0",
                    "AWS_SESSION_TOKEN", "dG9rZW4=",
                    "credentials", "W2RlZmF1bHRd"))
            .build();
    store.put(store.getKey(secret), secret);
    Map<String, String> data = store.get("team-a/creds").getData();
    assertThat(data)
        .containsEntry("AWS_ACCESS_KEY_ID", "QUtJQUVYQU1QTEU=")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "")
        .containsEntry("AWS_SESSION_TOKEN", "")
        .containsEntry("credentials", "");
    assertThat(store.get("team-a/creds").getMetadata().getAnnotations())
        .containsEntry("awsauth.io/lease-id", "lease-1");
  }
}
