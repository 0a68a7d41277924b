package hooks

import "fmt"

// Point is a hook point: a place in packet or lease processing where the
// servers call the registered callouts. The names are Kea's. The numeric
// values travel on the plugin protocol (hooks/proto), so they are fixed:
// never renumber a point, only add new ones at the end.
type Point uint8

// DHCPv4 hook points, roughly in packet order.
const (
	pointInvalid Point = iota

	Dhcp4SrvConfigured  // dhcp4_srv_configured
	Buffer4Receive      // buffer4_receive
	Pkt4Receive         // pkt4_receive
	Subnet4Select       // subnet4_select
	Host4Identifier     // host4_identifier
	Lease4Select        // lease4_select
	Lease4Renew         // lease4_renew
	Lease4Release       // lease4_release
	Lease4Decline       // lease4_decline
	Leases4Committed    // leases4_committed
	Lease4Offer         // lease4_offer (Kea 3)
	Lease4ServerDecline // lease4_server_decline (Kea 3)
	Pkt4Send            // pkt4_send
	Buffer4Send         // buffer4_send
	Lease4Expire        // lease4_expire
	Lease4Recover       // lease4_recover
)

// DHCPv6 hook points, roughly in packet order.
const (
	Dhcp6SrvConfigured Point = iota + 17 // dhcp6_srv_configured
	Buffer6Receive                       // buffer6_receive
	Pkt6Receive                          // pkt6_receive
	Subnet6Select                        // subnet6_select
	Host6Identifier                      // host6_identifier
	Lease6Select                         // lease6_select
	Lease6Renew                          // lease6_renew
	Lease6Rebind                         // lease6_rebind
	Lease6Release                        // lease6_release
	Lease6Decline                        // lease6_decline
	Leases6Committed                     // leases6_committed
	Pkt6Send                             // pkt6_send
	Buffer6Send                          // buffer6_send
	Lease6Expire                         // lease6_expire
	Lease6Recover                        // lease6_recover

	numPoints // one past the last point; a bit per point fits a uint64
)

// Field is a set of Args fields, used to say what a callout may change at a
// point.
type Field uint16

// The Args fields a callout may change, at the points pointInfo lists.
const (
	FieldQuery             Field = 1 << iota // Args.Query
	FieldResponse                            // Args.Response
	FieldSubnet                              // Args.Subnet4 / Args.Subnet6 (chosen from the collection)
	FieldLease                               // *Args.Lease4 / *Args.Lease6
	FieldIA                                  // Args.IA
	FieldHostID                              // Args.IDType, Args.IDValue
	FieldError                               // Args.Error
	FieldOfferAddressInUse                   // Args.OfferAddressInUse
)

// pointInfo is what the package knows about one point: Kea's name, the next
// steps the server honours there, and what a callout may change.
type pointInfo struct {
	name    string
	v6      bool
	steps   stepSet
	changes Field
}

var points = [numPoints]pointInfo{
	Dhcp4SrvConfigured:  {"dhcp4_srv_configured", false, steps(Drop), FieldError},
	Buffer4Receive:      {"buffer4_receive", false, steps(Skip, Drop), FieldQuery},
	Pkt4Receive:         {"pkt4_receive", false, steps(Skip, Drop), FieldQuery},
	Subnet4Select:       {"subnet4_select", false, steps(Skip, Drop), FieldQuery | FieldSubnet},
	Host4Identifier:     {"host4_identifier", false, steps(Skip, Drop), FieldHostID},
	Lease4Select:        {"lease4_select", false, steps(Skip), FieldLease},
	Lease4Renew:         {"lease4_renew", false, steps(Skip), FieldLease},
	Lease4Release:       {"lease4_release", false, steps(Skip, Drop), 0},
	Lease4Decline:       {"lease4_decline", false, steps(Skip, Drop), 0},
	Leases4Committed:    {"leases4_committed", false, steps(Drop, Park), 0},
	Lease4Offer:         {"lease4_offer", false, steps(Drop, Park), FieldOfferAddressInUse},
	Lease4ServerDecline: {"lease4_server_decline", false, 0, 0},
	Pkt4Send:            {"pkt4_send", false, steps(Skip, Drop), FieldResponse},
	Buffer4Send:         {"buffer4_send", false, steps(Skip, Drop), FieldResponse},
	Lease4Expire:        {"lease4_expire", false, steps(Skip), FieldLease},
	Lease4Recover:       {"lease4_recover", false, steps(Skip), 0},

	Dhcp6SrvConfigured: {"dhcp6_srv_configured", true, steps(Drop), FieldError},
	Buffer6Receive:     {"buffer6_receive", true, steps(Skip, Drop), FieldQuery},
	Pkt6Receive:        {"pkt6_receive", true, steps(Skip, Drop), FieldQuery},
	Subnet6Select:      {"subnet6_select", true, steps(Skip, Drop), FieldQuery | FieldSubnet},
	Host6Identifier:    {"host6_identifier", true, steps(Skip, Drop), FieldHostID},
	Lease6Select:       {"lease6_select", true, steps(Skip), FieldLease},
	Lease6Renew:        {"lease6_renew", true, steps(Skip), FieldLease | FieldIA},
	Lease6Rebind:       {"lease6_rebind", true, steps(Skip), FieldLease | FieldIA},
	Lease6Release:      {"lease6_release", true, steps(Skip, Drop), 0},
	Lease6Decline:      {"lease6_decline", true, steps(Skip, Drop), 0},
	Leases6Committed:   {"leases6_committed", true, steps(Drop, Park), 0},
	Pkt6Send:           {"pkt6_send", true, steps(Skip, Drop), FieldResponse},
	Buffer6Send:        {"buffer6_send", true, steps(Skip, Drop), FieldResponse},
	Lease6Expire:       {"lease6_expire", true, steps(Skip), FieldLease},
	Lease6Recover:      {"lease6_recover", true, steps(Skip), 0},
}

// Points returns every hook point, DHCPv4 first, in packet order.
func Points() []Point {
	out := make([]Point, 0, numPoints)
	for p := Point(1); p < numPoints; p++ {
		if points[p].name != "" {
			out = append(out, p)
		}
	}
	return out
}

// Valid reports whether p is a known hook point.
func (p Point) Valid() bool { return p < numPoints && points[p].name != "" }

// String returns Kea's name of the point, e.g. "pkt4_receive".
func (p Point) String() string {
	if !p.Valid() {
		return fmt.Sprintf("Point(%d)", uint8(p))
	}
	return points[p].name
}

// V6 reports whether p is a DHCPv6 point.
func (p Point) V6() bool { return p.Valid() && points[p].v6 }

// Honours reports whether the server acts on step s at p. A step that is
// not honoured is treated as Continue, as in Kea.
func (p Point) Honours(s NextStep) bool {
	return s == Continue || (p.Valid() && points[p].steps.has(s))
}

// Changes returns the Args fields a callout may change at p.
func (p Point) Changes() Field {
	if !p.Valid() {
		return 0
	}
	return points[p].changes
}

// Parkable reports whether a callout may PARK the packet at p.
func (p Point) Parkable() bool { return p.Honours(Park) }

// ParsePoint returns the point with Kea's name s.
func ParsePoint(s string) (Point, error) {
	for p := Point(1); p < numPoints; p++ {
		if points[p].name == s {
			return p, nil
		}
	}
	return pointInvalid, fmt.Errorf("hooks: unknown hook point %q", s)
}

// MarshalText writes Kea's name, so points read well in JSON.
func (p Point) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("hooks: invalid hook point %d", uint8(p))
	}
	return []byte(points[p].name), nil
}

// UnmarshalText reads Kea's name.
func (p *Point) UnmarshalText(b []byte) error {
	q, err := ParsePoint(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}
