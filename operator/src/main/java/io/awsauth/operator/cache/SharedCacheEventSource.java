package io.awsauth.operator.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An event source of a controller fed by one of {@link ClusterCaches}' watches instead of a watch
 * of its own: each change of a watched object triggers the primaries {@code toPrimaries} names.
 * Several controllers that read the same few cluster-scoped objects share one watch and one copy.
 */
final class SharedCacheEventSource<R extends HasMetadata, P extends HasMetadata>
    extends AbstractEventSource<R, P> {
  private final Supplier<SharedIndexInformer<R>> informer;
  private final Function<R, Set<ResourceID>> toPrimaries;
  private final ResourceEventHandler<R> handler =
      new ResourceEventHandler<>() {
        @Override
        public void onAdd(R obj) {
          propagate(obj);
        }

        @Override
        public void onUpdate(R oldObj, R newObj) {
          if (!Objects.equals(
              oldObj.getMetadata().getResourceVersion(),
              newObj.getMetadata().getResourceVersion())) {
            propagate(newObj);
          }
        }

        @Override
        public void onDelete(R obj, boolean deletedFinalStateUnknown) {
          propagate(obj);
        }
      };
  private SharedIndexInformer<R> started;

  SharedCacheEventSource(
      String name,
      Class<R> type,
      Supplier<SharedIndexInformer<R>> informer,
      Function<R, Set<ResourceID>> toPrimaries) {
    super(type, name);
    this.informer = informer;
    this.toPrimaries = toPrimaries;
  }

  private void propagate(R changed) {
    if (isRunning()) {
      toPrimaries.apply(changed).forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }

  @Override
  public synchronized void start() throws OperatorException {
    if (started == null) {
      started = informer.get();
      started.addEventHandler(handler);
    }
    super.start();
  }

  @Override
  public synchronized void stop() throws OperatorException {
    super.stop();
    if (started != null) {
      started.removeEventHandler(handler);
      started = null;
    }
  }

  /** None: the readers look objects up by name in {@link ClusterCaches}, not through context. */
  @Override
  public Set<R> getSecondaryResources(P primary) {
    return Set.of();
  }
}
