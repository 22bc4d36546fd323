package io.awsauth.operator.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Whether this replica may do the work only one replica should do, outside reconciles (JOSDK holds
 * reconciles back on a standby itself): true without leader election, and with it only while this
 * replica holds the Lease. A replica that loses the Lease exits ({@link LeaderElection}); one that
 * is stopped hands the Lease over ({@link GracefulShutdown}).
 */
@ApplicationScoped
public class Leadership {
  private volatile boolean electionOn;
  private volatile boolean leading;
  private volatile boolean lost;
  private volatile boolean steppingDown;
  private volatile String identity;
  private volatile String leaseNamespace;
  private volatile String leaseName;

  /** Leader election is on: nothing until this replica leads. */
  void electionOn() {
    electionOn = true;
  }

  /** The Lease this replica competes for, and its identity in the Lease's holderIdentity. */
  void lease(String identity, String leaseNamespace, String leaseName) {
    this.identity = identity;
    this.leaseNamespace = leaseNamespace;
    this.leaseName = leaseName;
  }

  void startedLeading() {
    leading = true;
  }

  /**
   * The Lease was lost (not renewed in time, or taken): whatever this replica still does may
   * overlap with the new leader's work, so it stops at once rather than finishing it.
   */
  void lostLease() {
    leading = false;
    lost = true;
  }

  /** This replica is shutting down: it starts nothing more that only the leader may do. */
  void stepDown() {
    steppingDown = true;
  }

  public boolean leads() {
    return !steppingDown && (!electionOn || leading);
  }

  boolean electionIsOn() {
    return electionOn;
  }

  /** Whether this replica held the Lease and lost it (as opposed to handing it over). */
  boolean lostTheLease() {
    return lost;
  }

  String identity() {
    return identity;
  }

  Optional<String> leaseNamespace() {
    return Optional.ofNullable(leaseNamespace);
  }

  String leaseName() {
    return leaseName;
  }
}
