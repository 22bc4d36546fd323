package io.awsauth.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Objects;

/** Status is written only when it changed. */
public final class StatusUpdates {
  private StatusUpdates() {}

  /** A JSON snapshot of a status, taken before a reconcile changes it. */
  /**
   * Whether a failed reconcile failed on {@code 409 Conflict} (the resource changed while it was
   * being reconciled): the framework reconciles it again at once, with what changed. Such a failure
   * is not a condition for users to see: the failed reconcile records nothing.
   */
  public static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.fabric8.kubernetes.client.KubernetesClientException k
          && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }

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

  /**
   * Writes a status outside the framework (a write-ahead record before an AWS call) the way the
   * framework does: server-side apply under the controller's field manager, so that the framework's
   * later status writes own, and can clear, these fields.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <P extends CustomResource<?, ?>> P applyStatus(
      KubernetesClient client, P resource, String fieldManager) {
    try {
      CustomResource copy = resource.getClass().getDeclaredConstructor().newInstance();
      copy.setMetadata(
          new ObjectMetaBuilder()
              .withName(resource.getMetadata().getName())
              .withNamespace(resource.getMetadata().getNamespace())
              .build());
      copy.setStatus(resource.getStatus());
      return (P)
          client
              .resource(copy)
              .subresource("status")
              .patch(
                  new PatchContext.Builder()
                      .withPatchType(PatchType.SERVER_SIDE_APPLY)
                      .withFieldManager(fieldManager)
                      .withForce(true)
                      .build(),
                  copy);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
