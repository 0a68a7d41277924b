// Package daemon is the command-line daemon shared by leasehold-dhcp4 and
// leasehold-dhcp6: kea-dhcp4/kea-dhcp6's flags, exit codes, log lines and
// signals around a server built from a Kea configuration file.
//
//	func main() {
//		daemon.Main(daemon.V4(func(c *config.DHCP4, d daemon.Deps) (daemon.Server[*config.DHCP4], error) {
//			return dhcp4.NewServer(c, dhcp4.ServerOptions{Store: d.Store, Hooks: d.Hooks, Logger: d.Logger, Port: d.Port, ClientPort: d.ClientPort})
//		}))
//	}
//
// # Command line
//
// As kea-dhcp4's: -c FILE runs, -t FILE checks the file and exits (0 valid,
// 1 with the error on standard error, worded as Kea's "Syntax check failed
// with: ..." or "Error encountered: ..."), -T FILE checks as -t and then
// opens the lease file and loads the hook libraries, -v prints the version,
// -V the extended version (Go version, module versions), -d forces every
// logger to DEBUG with debuglevel 99, -p and -P set the server and client
// ports (1-65535). Flags cluster and take attached values as with getopt.
// Exit codes: 0 done, 1 command line, configuration or start-up error.
// Unlike Kea, -h prints the usage and exits 0.
//
// The checks of -t are those Kea 2.2 makes: the file parses and validates
// (package config), the interfaces it names exist on this system, and each
// hook library is an executable file (leasehold's hook libraries are plugin
// programs) or one linked into the daemon.
//
// # Running
//
// Start-up logs "leasehold DHCPv4 server version V starting", reads the
// file, switches logging to its "loggers" (stdout, stderr, syslog or files,
// Kea's severities; internal/logging), opens the memfile lease database,
// loads the hook libraries, builds the server and logs "... server version V
// started". Any failure on the way is logged, printed on standard error and
// exits 1.
//
// The lease file is lease-database's "name", or DataDir/kea-leases4.csv
// (kea-leases6.csv for DHCPv6, under "data-directory" when Dhcp6 sets it):
// the path of Debian's Kea packages, so leasehold takes over a Kea
// installation's leases in place. "persist": false keeps leases in memory.
//
// The server fires dhcp4_srv_configured (dhcp6_srv_configured) at start
// and at every reconfiguration with json_config set to the file's Dhcp4
// (Dhcp6) map as read: standard JSON, comments dropped, includes spliced
// in (config.Server.JSON). Kea passes the same map with its defaults and
// inherited values filled in; leasehold passes only what the file says.
//
// SIGHUP reads the file again. On success it logs "dynamic server
// reconfiguration succeeded with file: PATH"; otherwise it logs the error
// and "dynamic server reconfiguration failed with file: PATH" and the
// configuration in force stays. As in Kea the hook libraries are reloaded on
// every reconfiguration and the loggers set up anew. A changed
// lease-database is refused: the running server keeps its store, so that
// needs a restart.
//
// SIGTERM and SIGINT log "server shutdown", stop the server (in-flight
// packets finish, the lease store is synced), log the server's counters
// ("server statistics received=... dropped-no-address-available=..."),
// close the lease database and unload the hook libraries, within
// ShutdownTimeout, and exit 0.
//
// No PID file is written: run the daemon under a supervisor (systemd), which
// tracks the process and keeps a second copy of the unit from starting, the
// job Kea's PID file does.
package daemon
