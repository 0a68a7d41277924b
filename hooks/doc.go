// Package hooks is leasehold's hooks system: Kea's hook points, callout
// arguments and next steps in Go, with hook libraries either linked into the
// program (in-process, no serialisation) or run as plugin processes started
// with hashicorp/go-plugin (a crash, a hang or a slow answer cannot stop the
// server).
//
// A server builds a Manager from the hooks-libraries configuration and fires
// each point where Kea does:
//
//	m, err := hooks.New(ctx, hooks.Config{Libraries: libs, Logger: log})
//	...
//	if m.Enabled(hooks.Pkt4Receive) { // one branch when no library is there
//		a := hooks.Args{Query: pkt}
//		switch m.Call(ctx, hooks.Pkt4Receive, &a) {
//		case hooks.Skip, hooks.Drop:
//			return // drop; the library counts it
//		}
//		pkt = a.Query // re-decode and check it if it changed
//	}
//
// A library, in-process or plugin, is a Library; a plugin's main is one call:
//
//	func main() { hooks.ServePlugin(&myLibrary{}) }
//
// # Configuration
//
// Each hooks-libraries entry decodes into a LibraryConfig: Kea's "library"
// (the plugin executable, or a name in Config.Linked) and "parameters"
// (handed to Load unchanged, for DecodeParameters to read strictly; a Load
// error fails the configuration with its message), and leasehold's
// per-library settings beside them under "leasehold": "deadline-ms" (100),
// "failure-policy" ("continue" or "drop"; default continue),
// "observer-buffer" (4096 events in flight, see Observers),
// "observer-overflow" ("drop", default: count and log the loss; or "block":
// the packet waits up to the deadline for room), "observer-linger-ms" (10),
// "reply-spin-us" (50, see Plugins), "sha256" (checked before every
// start), "ping-interval-ms" (2000),
// "restart-backoff-max-ms" (30000) and "transport" ("socket", default, or
// "grpc"). Config.ParkedPacketLimit
// is Kea's parked-packet-limit (256) and Config.ParkTimeout (10 s) drops a
// packet nobody resumes.
//
// # Callouts and next steps
//
// Libraries run in configuration order. A synchronous callout (Mode Sync)
// sees the changes of the ones before it; the first step other than
// Continue ends the chain and is the result (Kea calls every callout and
// the last status wins; stopping early gives the same result when libraries
// do not overrule each other, and spares the later ones a round trip). A
// step a point does not honour is Continue, as in Kea. A callout error or
// panic, a missed deadline or a plugin that is down gives the library's
// failure policy. An observe-only callout (Mode Observe) gets a copy of the
// arguments as they stand at its place in configuration order, changed by
// the synchronous callouts before it and not by those after, with
// Args.Outcome set to the status those set (as each of Kea's callouts sees
// what the ones before it did), in order, on a bounded queue; it never
// delays the packet. An observer after a library that parks the packet
// gets it when the packet is resumed (or dropped).
//
// # Observers
//
// "observer-buffer" bounds every observe-only event of a library that is
// in flight, wherever it is: queued in the host, in the batch being
// written, in the socket's buffers, read by the plugin but not yet handled.
// An event holds its place from the packet path until an in-process
// callout returned, or until the plugin acknowledges it (a plugin
// acknowledges every quarter of the buffer), so a plugin that falls behind
// costs the host at most observer-buffer events of memory, and what does
// not fit meets "observer-overflow". A plugin built with an SDK older than
// acknowledgements (the two sides agree on them in Load) holds its place
// only until written: the socket's buffers (a few hundred kilobytes) come
// on top for it.
//
// Events to a plugin are written in batches: the writer waits up to
// "observer-linger-ms" after an event for more to go with it, or until half
// the buffer is queued. Every write wakes the plugin's process, which costs
// far more than an event; 0 writes at once, for the lowest delay. The
// packet path encodes the event for a plugin straight from Args (no copy of
// Args, no intermediate messages), and the plugin decodes it likewise.
//
// What a callout may change at each point is Point.Changes. After each
// synchronous callout the Manager checks the changes (validate.go): a field
// the point does not allow, a query or response whose op, xid or message
// type changed, a lease moved out of its subnet or given to another client,
// a subnet not in the collection, a malformed IA: the change is undone,
// logged and counted (LibraryStats.Invalid). The server must still decode
// and check a changed packet fully before using it: this package does not
// import the codecs.
//
// PARK: at leases4_committed, leases6_committed and lease4_offer use
// CallParkable. A callout that returns Park keeps Args.Park and later calls
// ParkHandle.Resume; the remaining libraries then run and the server's done
// function gets Continue or Drop. The parking lot is bounded
// (ParkedPacketLimit; a packet beyond it is dropped), a park left longer
// than ParkTimeout is dropped, and the packets a crashed plugin parked get
// its failure policy.
//
// # Plugins
//
// go-plugin starts the plugin (magic cookie, protocol version negotiated
// with VersionedPlugins, AutoMTLS), and gives the gRPC channel on which Load
// hands over the parameters. The per-packet traffic then bypasses gRPC: the
// host passes two socketpair ends to the plugin at exec (fds 3 and 4), and
// calls, replies, events and unparks travel on them as length-prefixed
// protobuf frames (hooks/proto/hooks.proto), read and written with raw
// system calls (Go's usual path wakes the runtime's sysmon thread on the
// first call after an idle spell). A caller writes its call and reads the
// reply itself when no other caller is reading, so there is no goroutine
// hand-off; and while its call is the only one in flight and recent replies
// came quickly, it polls for the reply up to reply-spin-us (50 µs) before it
// sleeps, so the uncontended round trip wakes one process, the plugin, not
// two (LibrarySettings.ReplySpin). Concurrent calls share the socket,
// tagged with ids, and frames queued during a write go out together in the
// next one. The plugin runs each call on the goroutine that read it and
// hands reading to a fresh goroutine when a callout runs past a few
// milliseconds. Observe-only events go on the second socket, written in
// batches by one goroutine per library (see Observers). A plugin that does
// not take the sockets (or "transport": "grpc") uses the Calls and Events
// gRPC streams instead. Only the points a plugin registered are sent to it.
//
// Isolation: every call has the library's deadline; a plugin that exits,
// breaks its socket or misses a ping (gRPC health check with a timeout) is
// killed and restarted with back-off (100 ms doubling to
// restart-backoff-max), its calls getting the failure policy meanwhile; the
// child gets PDEATHSIG=SIGKILL from a thread that lives as long as the
// library, and ServePlugin also exits when its parent changes, so no plugin
// outlives its host; lines printed on stdout before the handshake are logged
// instead of breaking the start; the plugin's stdout and stderr are logged
// under the library's name (JSON lines from slog or hclog keep their level;
// a line below the host's level is dropped before it is decoded, and the
// plugin is told the host's level at start, LogLevelEnv, so that
// ServePlugin's slog does not write it at all). A plugin that exits while
// starting or loading fails the configuration with its exit status and
// the last lines of its stderr. A missing, non-regular or non-executable
// library path is a configuration error naming the path.
//
// # Firing the points (for the servers)
//
// Fire a point only when Enabled says a callout is there. Args fields not
// listed stay zero. "Honour" lists the steps the server must act on; any
// other result is Continue. After the call, read the fields the point may
// change back from Args.
//
// DHCPv4 (v6: the same with 6 names, Subnet6/Subnets6, Lease6/Leases6/
// DeletedLeases6; lease6_rebind is lease6_renew for REBIND):
//
//	dhcp4_srv_configured  after a configuration is applied. JSONConfig.
//	    Honour Drop: abort the (re)configuration with Args.Error as reason.
//	buffer4_receive  before decoding. Query = raw datagram. Drop: drop.
//	    Skip: in Kea the callout parsed the packet; packets cross as bytes
//	    here, so decode Query (as the callout left it) either way.
//	pkt4_receive  after decoding. Query. Skip or Drop: drop.
//	subnet4_select  after selecting the subnet. Query, Subnet4 (nil if none),
//	    Subnets4 (the candidates), GlobalUserContext. Skip: go on with no
//	    subnet; Drop: drop. Read Subnet4 back: its ID selects your subnet.
//	host4_identifier  per identifier type when looking up reservations
//	    (flex-id). Query, IDType; Skip/Drop: do not use the identifier;
//	    read IDType/IDValue back.
//	lease4_select  after picking a lease, before committing it. Query,
//	    Subnet4, FakeAllocation (true for DISCOVER), Lease4, Host.
//	    Skip: assign no lease. Use the (checked) *Lease4 as changed.
//	lease4_renew  renewing an existing lease (also for a DISCOVER from a
//	    client that holds one). Query, Subnet4, ClientID, HWAddr/HWType,
//	    Lease4. Skip: keep the stored lease unchanged.
//	lease4_release  RELEASE. Query, Lease4. Skip or Drop: keep the lease.
//	lease4_decline  DECLINE, before the lease is declined (identity still
//	    set). Query, Lease4. Skip or Drop: do not decline it.
//	leases4_committed  after the lease change of a REQUEST, RELEASE or
//	    DECLINE (and a NAK) is durable, before the reply. Query, Response,
//	    Leases4, DeletedLeases4 (both non-nil, maybe empty). CallParkable;
//	    Drop: send nothing; Park: send the reply when done says Continue.
//	lease4_offer  before sending an OFFER. Query, Response, Leases4 (the
//	    offered lease), DeletedLeases4 (empty), OfferLifetime, OldLease4,
//	    Host. CallParkable; Drop: no OFFER; then if Args.OfferAddressInUse
//	    is set, decline the lease and fire lease4_server_decline.
//	lease4_server_decline  Query, Lease4. Nothing to honour.
//	pkt4_send  after building the reply. Query, Response, Subnet4.
//	    Skip: send Response as the callout left it (after your checks)
//	    without re-encoding; Drop: send nothing (state already changed).
//	buffer4_send  just before sending. Response. Skip or Drop: do not send.
//	lease4_expire  reclaiming an expired lease. Lease4, RemoveLease.
//	    Skip: the callout reclaimed it; do nothing more.
//	lease4_recover  ending a declined lease's probation. Lease4.
//	    Skip: keep it declined.
//
// DHCPv6 differences: lease6_select, lease6_renew and lease6_rebind fire
// once per IA with Lease6 and (renew, rebind) IA holding the IA_NA or IA_PD
// option as it will be sent, which the callout may change (same code and
// IAID); lease6_release and lease6_decline honour Skip and Drop as v4; there
// is no v6 offer point.
//
// Fill user-context strings (JSON) on Subnet4/6, their Pools/PDPools and
// shared network, Host and GlobalUserContext from the configuration, so
// callouts see them with the objects they belong to. Give each call its own
// Args or reuse one per worker; never share one between goroutines.
//
// Points of Kea that belong to features leasehold does not have yet
// (cb4_updated, ddns4_update, command_processed, addr6_register) are not
// defined; they come with those features.
package hooks
