// Package leasehold is a DHCPv4/DHCPv6 server built as a Go library, with
// daemons that run ISC Kea's JSON configuration unchanged and a hooks system
// whose libraries run in-process or as separate plugin processes.
//
// The module is a set of packages that an appliance (router, firewall, lab
// gear) imports to serve DHCP on its own terms:
//
//   - [github.com/leasehold/leasehold/dhcp4] and
//     [github.com/leasehold/leasehold/dhcp6]: the wire codecs (a decoder that
//     walks the caller's buffer and a builder that appends into one, with no
//     allocations for common messages) and the servers built on them.
//   - [github.com/leasehold/leasehold/lease]: lease types, the Store
//     interface, the memfile store that reads and writes Kea's CSV lease
//     files with durable group commit, and the address and prefix
//     allocators.
//   - [github.com/leasehold/leasehold/config]: Kea's JSON configuration,
//     parsed and validated, with errors that name the JSON path and
//     "unsupported: <key> at <path>" for what leasehold does not do.
//   - [github.com/leasehold/leasehold/hooks]: Kea's hook points with their
//     arguments and next steps; libraries linked in-process or started as
//     hashicorp/go-plugin processes.
//
// # Embedding
//
// An embedder parses a configuration, opens a lease store and runs a
// server until its context ends; the examples/embed program is the whole
// thing in a dozen lines:
//
//	cfg, err := config.Parse([]byte(keaJSON))
//	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{V4Path: path, Persist: true})
//	srv, err := dhcp4.NewServer(cfg.DHCP4, dhcp4.ServerOptions{Store: store})
//	err = srv.Serve(ctx)
//
// # Where to start reading
//
// The codecs' package documentation (dhcp4, dhcp6), then lease.Store and
// its durability contract, then hooks' package documentation, which lists
// every hook point, its arguments and what a callout may change. The README
// says what is built and what is not yet.
package leasehold
