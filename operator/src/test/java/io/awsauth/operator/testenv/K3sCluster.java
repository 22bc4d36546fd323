package io.awsauth.operator.testenv;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/** K3s through Testcontainers, for {@code -De2e.cluster=k3s}. Needs a Docker engine. */
final class K3sCluster {
  static final String IMAGE = "rancher/k3s:v1.34.4-k3s1";
  private static K3sContainer container;

  private K3sCluster() {}

  /** Starts K3s and returns its kubeconfig; fails loudly when there is no Docker engine. */
  static synchronized String start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException(
          "-De2e.cluster=k3s needs a Docker engine and none is reachable. Run without the flag to"
              + " use the local kube-apiserver + etcd provisioned by e2e/local-env.");
    }
    if (container == null) {
      container = new K3sContainer(DockerImageName.parse(IMAGE));
      container.start();
    }
    return container.getKubeConfigYaml();
  }

  /** Stops the container if one runs ({@link TestEnvironment#stop()}). */
  static synchronized void stop() {
    if (container != null) {
      try {
        container.stop();
      } finally {
        container = null;
      }
    }
  }
}
