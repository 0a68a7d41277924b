// Package engine is the packet loop shared by the DHCPv4 and DHCPv6
// servers: it knows datagrams, batches and durability, not DHCP.
//
// One reader goroutine reads a batch from a Conn (blocking for the first
// datagram, then taking whatever is already queued, up to
// Config.BatchSize) and runs the Handler on each datagram to completion.
// A handler that changed durable state (a lease) says so, and the batch's
// replies that promise it are sent only after one call of Config.Sync for
// the whole batch: a lease is on stable storage before the reply that
// promises it leaves, and one sync covers many leases.
//
// Who syncs is a choice. With SyncInline the reader syncs and sends each
// batch itself: no goroutine hand-off, and what arrives during a sync
// waits in the socket and forms the next, bigger batch. Without it a
// committer goroutine syncs and sends while the reader goes on; it takes
// every batch queued at once and syncs once for all of them. SyncInterval
// adds a group-commit window to either (inline, the reader sleeps through
// it and then takes what arrived: one wake-up per window). Batches that
// need no sync are sent by the reader while nothing is queued ahead of
// them, which keeps replies in order. Work moves between goroutines by
// batch, never by packet, since each hand-off is a wake-up.
//
// At low rates the CPU goes to wake-ups and system calls, not to DHCP:
// the sockets (internal/sock) and the memfile journal make their calls
// raw, unseen by the Go scheduler, because an announced system call wakes
// the runtime's sysmon thread, which then polls every 20 µs, and one that
// blocks past 20 µs (an fsync) has its P handed to another thread. With
// GOMAXPROCS=1 a committer therefore no longer overlaps reading with a
// sync: the sync holds the only P.
//
// Memory is fixed at New: (Queue+2) batches of BatchSize packet buffers
// each way. When every batch waits for the committer the reader drops what
// it reads and counts it (Stats.Overload) instead of queueing without
// bound. A handler panic drops that packet and is counted (Stats.Panics).
//
//	e, err := engine.New(engine.Config{
//		Conn: conn,
//		Handler: func(in, out *engine.Packet) engine.Verdict {
//			out.Buf = append(out.Buf[:0], reply(in.Data())...)
//			out.N, out.Dst = len(out.Buf), in.Src
//			return engine.Send | engine.NeedSync
//		},
//		Sync:       store.Sync,
//		SyncInline: true,
//	})
//	if err != nil { ... }
//	err = e.Run(ctx) // until ctx ends; read batches are finished first
package engine
