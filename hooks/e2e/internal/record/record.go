// Package record is what the e2e recorder plugin writes for every callout
// and the tests read back: one JSON line per call, with the packets
// decoded to their message types and the leases and subnets reduced to the
// fields a test checks.
package record

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// Call is one callout as the plugin saw it.
type Call struct {
	PID   int    `json:"pid"`   // the plugin process (a restart changes it)
	Time  int64  `json:"t"`     // when the callout began, Unix nanoseconds
	N     int64  `json:"n"`     // the call's number in this process, from 1
	Point string `json:"point"` // Kea's name
	Mode  string `json:"mode"`  // "sync" or "observe"

	Query    string `json:"query,omitempty"`     // message type, e.g. DHCPDISCOVER, SOLICIT
	XID      uint32 `json:"xid,omitempty"`       // the query's transaction id
	QueryMAC string `json:"query_mac,omitempty"` // v4 chaddr
	Response string `json:"response,omitempty"`  // message type of response4/response6
	RespAddr string `json:"resp_addr,omitempty"` // v4 yiaddr of the response

	Subnet  *uint32  `json:"subnet,omitempty"`  // subnet4/subnet6 id; absent for none
	Subnets []uint32 `json:"subnets,omitempty"` // subnet4collection/subnet6collection ids

	Lease    *Lease  `json:"lease,omitempty"`
	Leases   []Lease `json:"leases,omitempty"`
	Deleted  []Lease `json:"deleted,omitempty"`
	OldLease *Lease  `json:"old_lease,omitempty"`
	// HasLeases says leases and deleted_leases were both set (maybe empty),
	// as Kea always sets them at leases4_committed/leases6_committed.
	HasLeases bool `json:"has_leases,omitempty"`

	HWAddr         string `json:"hwaddr,omitempty"`
	ClientID       string `json:"clientid,omitempty"`
	FakeAllocation bool   `json:"fake_allocation,omitempty"`
	RemoveLease    bool   `json:"remove_lease,omitempty"`
	OfferLifetime  uint32 `json:"offer_lifetime,omitempty"`
	IA             string `json:"ia,omitempty"` // "IA_NA 1" / "IA_PD 1": code name and IAID
	IDType         string `json:"id_type,omitempty"`
	Config         bool   `json:"json_config,omitempty"` // json_config was set
	Outcome        string `json:"outcome,omitempty"`     // for observe-only calls

	Step  string `json:"step"`            // what the plugin returned
	Panic bool   `json:"panic,omitempty"` // the plugin panics after writing this
}

// Lease is a lease reduced to what tests check.
type Lease struct {
	Addr      string `json:"addr"`
	PrefixLen uint8  `json:"prefix_len,omitempty"` // v6
	Type      uint8  `json:"type,omitempty"`       // v6: 0 NA, 1 TA, 2 PD
	HWAddr    string `json:"hwaddr,omitempty"`
	ClientID  string `json:"clientid,omitempty"`
	DUID      string `json:"duid,omitempty"`
	IAID      uint32 `json:"iaid,omitempty"`
	Valid     uint32 `json:"valid"`
	Subnet    uint32 `json:"subnet"`
	State     uint8  `json:"state"`
}

// FromArgs describes the call of point p with arguments a.
func FromArgs(p hooks.Point, a *hooks.Args) Call {
	c := Call{Point: p.String(), HWAddr: mac(a.HWAddr), ClientID: hexOf(a.ClientID),
		FakeAllocation: a.FakeAllocation, RemoveLease: a.RemoveLease, OfferLifetime: a.OfferLifetime,
		IDType: a.IDType, Config: len(a.JSONConfig) > 0}
	if p.V6() {
		describe6(&c, a)
	} else {
		describe4(&c, a)
	}
	return c
}

func describe4(c *Call, a *hooks.Args) {
	var m dhcp4.Message
	if len(a.Query) > 0 && m.Decode(a.Query) == nil {
		if t, ok := m.MessageType(); ok {
			c.Query = t.String()
		}
		c.XID, c.QueryMAC = m.Header.XID, mac(m.Header.HWAddr())
	}
	if len(a.Response) > 0 && m.Decode(a.Response) == nil {
		if len(a.Query) == 0 {
			c.XID = m.Header.XID // buffer4_send has the response only
		}
		if t, ok := m.MessageType(); ok {
			c.Response = t.String()
		}
		if m.Header.YIAddr.IsValid() && !m.Header.YIAddr.IsUnspecified() {
			c.RespAddr = m.Header.YIAddr.String()
		}
	}
	if a.Subnet4 != nil {
		c.Subnet = &a.Subnet4.ID
	}
	for _, s := range a.Subnets4 {
		c.Subnets = append(c.Subnets, s.ID)
	}
	if a.Lease4 != nil {
		l := lease4(a.Lease4)
		c.Lease = &l
	}
	if a.OldLease4 != nil {
		l := lease4(a.OldLease4)
		c.OldLease = &l
	}
	c.HasLeases = a.Leases4 != nil && a.DeletedLeases4 != nil
	for i := range a.Leases4 {
		c.Leases = append(c.Leases, lease4(&a.Leases4[i]))
	}
	for i := range a.DeletedLeases4 {
		c.Deleted = append(c.Deleted, lease4(&a.DeletedLeases4[i]))
	}
}

func describe6(c *Call, a *hooks.Args) {
	var q dhcp6.Packet
	if len(a.Query) > 0 && q.Decode(a.Query) == nil {
		c.Query, c.XID = q.Msg.Type.String(), q.Msg.TransactionID
	}
	if len(a.Response) > 0 && q.Decode(a.Response) == nil {
		c.Response = q.Msg.Type.String()
		if len(a.Query) == 0 {
			c.XID = q.Msg.TransactionID
		}
	}
	if a.Subnet6 != nil {
		c.Subnet = &a.Subnet6.ID
	}
	for _, s := range a.Subnets6 {
		c.Subnets = append(c.Subnets, s.ID)
	}
	if a.Lease6 != nil {
		l := lease6(a.Lease6)
		c.Lease = &l
	}
	c.HasLeases = a.Leases6 != nil && a.DeletedLeases6 != nil
	for i := range a.Leases6 {
		c.Leases = append(c.Leases, lease6(&a.Leases6[i]))
	}
	for i := range a.DeletedLeases6 {
		c.Deleted = append(c.Deleted, lease6(&a.DeletedLeases6[i]))
	}
	// The IA option as on the wire: code, length, IAID first in the body.
	if len(a.IA) >= 8 {
		code := dhcp6.OptionCode(binary.BigEndian.Uint16(a.IA))
		c.IA = fmt.Sprintf("%s %d", code, binary.BigEndian.Uint32(a.IA[4:]))
	}
}

func lease4(l *lease.Lease4) Lease {
	return Lease{Addr: l.Addr.String(), HWAddr: mac(l.HWAddr), ClientID: hexOf(l.ClientID),
		Valid: l.ValidLifetime, Subnet: l.SubnetID, State: uint8(l.State)}
}

func lease6(l *lease.Lease6) Lease {
	return Lease{Addr: l.Addr.String(), PrefixLen: l.PrefixLen, Type: uint8(l.Type), HWAddr: mac(l.HWAddr),
		DUID: hexOf(l.DUID), IAID: l.IAID, Valid: l.ValidLifetime, Subnet: l.SubnetID, State: uint8(l.State)}
}

func mac(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return net.HardwareAddr(b).String()
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// Read returns the calls recorded in the file at path so far, in order.
// A missing file is no calls; a last line still being written is left out.
func Read(path string) ([]Call, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Call
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) { // a partial last line is not a record yet
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var c Call
		if err := json.Unmarshal(line, &c); err != nil {
			return out, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, c)
	}
}
