// Shim 3 of e2e/env/vault.sh: Vault v1.14.10's CLI (operator raft autopilot) calls two
// *WithDRToken functions that the released api v1.9.2 lacks. They call the plain ones (the DR
// token is not sent); the benchmark never runs those commands.

package api

// RaftAutopilotStateWithDRToken is RaftAutopilotState; drToken is ignored.
func (c *Sys) RaftAutopilotStateWithDRToken(drToken string) (*AutopilotState, error) {
	return c.RaftAutopilotState()
}

// RaftAutopilotConfigurationWithDRToken is RaftAutopilotConfiguration; drToken is ignored.
func (c *Sys) RaftAutopilotConfigurationWithDRToken(drToken string) (*AutopilotConfig, error) {
	return c.RaftAutopilotConfiguration()
}
