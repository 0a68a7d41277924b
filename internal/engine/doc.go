// Package engine is the packet loop shared by the DHCPv4 and DHCPv6
// servers: it knows datagrams, batches and durability, not DHCP.
//
// One reader goroutine reads a batch from a Conn (blocking for the first
// datagram, then taking whatever is already queued, up to
// Config.BatchSize), runs the Handler on each datagram to completion and
// hands the batch to a committer goroutine. The committer calls
// Config.Sync once if any packet of the batch changed durable state, then
// sends the batch's replies, so a lease is on stable storage before the
// reply that promises it leaves, one sync covers a whole batch, and the
// reader goes on with the next batch while the sync is in flight. Batches
// that need no sync are sent by the reader itself while the committer is
// idle. Work moves between goroutines by batch, never by packet, since
// each hand-off is a wake-up.
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
//		Sync: store.Sync,
//	})
//	if err != nil { ... }
//	err = e.Run(ctx) // until ctx ends; read batches are finished first
package engine
