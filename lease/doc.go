// Package lease holds DHCP leases: the lease types (DHCPv4, and DHCPv6
// addresses and delegated prefixes with Kea's fields and states), the Store
// interface servers code against, Memfile (a store kept in memory and in
// Kea's CSV lease files), and the address and prefix allocators.
//
// # Durability
//
// Writes apply to memory at once and queue a row for the lease file;
// Store.Sync returns once every earlier write is written and fsynced, and
// concurrent Syncs share one fsync. A server handles a batch of packets,
// calls Sync once, then sends the replies:
//
//	for _, req := range batch {
//		addr, err := alloc.Allocate4(ctx, store, pool, reservedForOthers)
//		// ... build the lease ...
//		err = store.Add4(ctx, &l)
//	}
//	if err := store.Sync(ctx); err != nil {
//		// drop the replies: the leases they promise are not durable
//	}
//	// send the replies
//
// Memfile.Flush is the weaker step Kea itself takes (written, not fsynced:
// the leases survive a killed process but not a power cut), for a server
// configured that way.
//
// # Lease files
//
// Memfile reads and writes Kea's memfile format exactly (checked against
// files Kea 2.2 wrote; see testdata): the header Kea 2.2 writes, one row
// appended per change, the last row for an address winning on load, a row
// with valid lifetime 0 deleting the lease, commas and '&' in hostnames and
// user contexts escaped as "&#x2c" and "&#x26". Columns are matched by
// header name, so files of older Kea versions and of Kea 2.6+ (with a
// pool_id column) load too. Rows that do not parse are logged and skipped,
// as Kea does. A last line without its newline (an append cut short by a
// crash; never reported durable) is cut off the file, and the cut is logged.
//
// Compaction is Kea's LFC, with Kea's file names (NAME.1, NAME.2,
// NAME.output, NAME.completed): the file is swapped for a fresh one in a
// moment, and the old rows are merged into one row per lease while writes
// go on. A crash at any point leaves files that load to the same leases.
//
// # Memory
//
// Leases live in compact records (72 bytes for DHCPv4, 88 for DHCPv6, plus
// one small allocation holding the variable fields) kept in fixed pages and
// indexed by fixed-size keys; a typical DHCPv4 lease costs about 185 bytes
// of heap in all, a DHCPv6 lease about 200 (TestMemoryPerLease, 1M leases).
//
// # Allocation
//
// Pool4 and Pool6 describe pools (address ranges, and delegated-prefix pools
// as prefix + delegated length) and carry the iterative allocator's
// position. Allocator ("iterative" or "random", Kea's names) finds a free
// address using the store's ordered index of held addresses (FreeFinder),
// which Memfile keeps as maximal runs: one lookup skips any run of leased
// addresses, so a /8 pool at 99% use allocates as fast as an empty one and
// nothing grows with the pool's size.
package lease
