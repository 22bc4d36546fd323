package io.awsauth.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Objects;

/** Status is written only when it changed. */
public final class StatusUpdates {
  private StatusUpdates() {}

  /** A JSON snapshot of a status, taken before a reconcile changes it. */
  public static JsonNode snapshot(Object status) {
    return status == null ? null : Serialization.jsonMapper().valueToTree(status);
  }

  public static boolean changed(JsonNode before, Object after) {
    return !Objects.equals(before, snapshot(after));
  }

  public static <P extends CustomResource<?, ?>> UpdateControl<P> patchIfChanged(
      P resource, JsonNode before) {
    return changed(before, resource.getStatus())
        ? UpdateControl.patchStatus(resource)
        : UpdateControl.noUpdate();
  }
}
