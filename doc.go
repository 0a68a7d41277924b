// Package leasehold is a DHCPv4/DHCPv6 server built as a Go library, with a
// Kea-compatible daemon on top and a hooks system whose libraries can run as
// separate plugin processes.
//
// The module is a set of packages that an appliance (router, firewall, lab
// gear) imports to serve DHCP on its own terms:
//
//   - [github.com/leasehold/leasehold/dhcp4] and
//     [github.com/leasehold/leasehold/dhcp6]: the wire codecs (a parser that
//     walks the caller's buffer and a builder that appends into it, with no
//     allocations on the common path).
//   - [github.com/leasehold/leasehold/lease]: lease types, the Store
//     interface, the memfile store that reads and writes Kea's CSV lease
//     files durably, and the address and prefix allocators.
//   - [github.com/leasehold/leasehold/config]: Kea's JSON configuration
//     format, parsed and validated with errors that name the JSON path.
//
// Start reading at the codecs' package documentation, then lease.Store. The
// README lists what is built and what is not yet.
package leasehold
