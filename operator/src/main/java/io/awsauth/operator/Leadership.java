package io.awsauth.operator;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether this replica may do the work only one replica should do, outside reconciles (JOSDK holds
 * reconciles back on a standby itself): true without leader election, and with it only while this
 * replica holds the Lease. A replica that loses the Lease exits ({@link LeaderElection}).
 */
@ApplicationScoped
public class Leadership {
  private volatile boolean electionOn;
  private volatile boolean leading;

  /** Leader election is on: nothing until this replica leads. */
  void electionOn() {
    electionOn = true;
  }

  void startedLeading() {
    leading = true;
  }

  public boolean leads() {
    return !electionOn || leading;
  }
}
