package netlab

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// RelayOptions choose the addresses of a relay link. Zero values take the
// defaults given per field; k counts relay links from 0.
type RelayOptions struct {
	// Addr4 is the router's address on the far link: a relay agent there
	// uses it as giaddr. Default 198.51.100.1/24, then 203.0.113.1/24;
	// required from the third link on.
	Addr4 netip.Prefix
	// Addr6 likewise, a relay's link-address. Default 2001:db8:(2+k)::1/64.
	Addr6 netip.Prefix
	// UpAddr4 is the router's address on the server link, the route the
	// server namespace takes to the far link. Default the last host of
	// ServerAddr4's subnet minus k (192.0.2.254/24 first).
	UpAddr4 netip.Prefix
	// UpAddr6 likewise. Default ServerAddr6's prefix ::fe minus k.
	UpAddr6 netip.Prefix
}

// RelayLink is a second link behind a router namespace:
//
//	server NS                router NS                     far client NS
//	ServerIf (bridge) ── UpIf [UpAddr4/6]  DownIf (bridge) [Addr4/6] ── ClientIf
//
// The router forwards IPv4 and IPv6, and the server namespace routes the
// far subnets through UpAddr4/UpAddr6, so a relay agent run in RouterNS can
// forward clients' traffic to the server with giaddr Addr4 (link-address
// Addr6) and get the replies, which the server sends to Addr4:67 / to the
// agent's address. Far clients have no addresses until a DHCP exchange
// gives them some.
//
// StartAgent4 and StartAgent6 run relay agents of the lab's own there.
// perfdhcp can stand in for one too:
// "perfdhcp -6 -A1 -l DownIf SERVER" sends RELAY-FORW with link-address
// Addr6; "perfdhcp -4 -l UpAddr4 -J FILE SERVER" with Addr4 in FILE sends
// DISCOVERs with giaddr Addr4, but perfdhcp only listens on UpAddr4, so
// the replies routed to Addr4 need a socket of the test there
// (TestRelayLinkWithKea does both).
type RelayLink struct {
	RouterNS string
	UpIf     string // router's interface on the server link
	UpMAC    net.HardwareAddr
	UpAddr4  netip.Prefix
	UpAddr6  netip.Prefix

	DownIf  string // bridge in RouterNS for the far link
	DownMAC net.HardwareAddr
	Addr4   netip.Prefix
	Addr6   netip.Prefix

	ClientNS  string // first client on the far link
	ClientIf  string
	ClientMAC net.HardwareAddr

	lab *Lab
}

// AddRelayLink builds a router namespace joined to the server link and a far
// link with one client namespace on it.
func (l *Lab) AddRelayLink(o RelayOptions) (*RelayLink, error) {
	l.mu.Lock()
	k := len(l.relays)
	l.mu.Unlock()
	if err := l.fillRelay(&o, k); err != nil {
		return nil, err
	}
	r := &RelayLink{
		RouterNS: fmt.Sprintf("%s-r%d", l.ID, k+1),
		UpIf:     fmt.Sprintf("%s-r%du", l.ID, k+1),
		UpMAC:    macWithLast(macRouterUp, k+1),
		UpAddr4:  o.UpAddr4,
		UpAddr6:  o.UpAddr6,
		DownIf:   fmt.Sprintf("%s-r%db", l.ID, k+1),
		DownMAC:  macWithLast(macRouterDown, k+1),
		Addr4:    o.Addr4,
		Addr6:    o.Addr6,
		lab:      l,
	}
	l.mu.Lock()
	l.relays = append(l.relays, r)
	l.mu.Unlock()
	if err := l.addNamespace(r.RouterNS, true); err != nil {
		return nil, err
	}
	port := fmt.Sprintf("%s-r%ds", l.ID, k+1)
	if err := l.addPort(l.ServerNS, l.ServerIf, port, macWithLast(macRouterPort, k+1), r.RouterNS, r.UpIf, r.UpMAC); err != nil {
		return nil, err
	}
	if err := l.addBridge(r.RouterNS, r.DownIf, r.DownMAC); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range []struct {
		ifName string
		p      netip.Prefix
	}{{r.UpIf, r.UpAddr4}, {r.UpIf, r.UpAddr6}, {r.DownIf, r.Addr4}, {r.DownIf, r.Addr6}} {
		if err := l.addAddr(ctx, r.RouterNS, a.ifName, a.p); err != nil {
			return nil, err
		}
	}
	steps := [][]string{
		{l.ServerNS, "route", "add", r.Addr4.Masked().String(), "via", r.UpAddr4.Addr().String()},
		{l.ServerNS, "-6", "route", "add", r.Addr6.Masked().String(), "via", r.UpAddr6.Addr().String()},
	}
	for _, s := range steps {
		if err := l.ip(s[0], s[1:]...); err != nil {
			return nil, err
		}
	}
	c, err := r.AddClient()
	if err != nil {
		return nil, err
	}
	r.ClientNS, r.ClientIf, r.ClientMAC = c.NS, c.If, c.MAC
	for _, ifName := range []string{r.UpIf, r.DownIf} {
		if err := l.waitLinkLocal(r.RouterNS, ifName); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// AddClient adds another client namespace on the far link.
func (r *RelayLink) AddClient() (*Client, error) {
	return r.lab.addClient(r.RouterNS, r.DownIf, nil)
}

func (l *Lab) fillRelay(o *RelayOptions, k int) error {
	var err error
	if !o.Addr4.IsValid() {
		if k >= len(defaultRelay4) {
			return fmt.Errorf("netlab %s: relay link %d: set RelayOptions.Addr4", l.ID, k+1)
		}
		o.Addr4 = defaultRelay4[k]
	}
	if !o.Addr6.IsValid() {
		a := netip.MustParseAddr("2001:db8::1").As16()
		a[5] = byte(2 + k)
		o.Addr6 = netip.PrefixFrom(netip.AddrFrom16(a), 64)
	}
	if !o.UpAddr4.IsValid() {
		if o.UpAddr4, err = routerAddr(l.ServerAddr4, k); err != nil {
			return err
		}
	}
	if !o.UpAddr6.IsValid() {
		if o.UpAddr6, err = routerAddr(l.ServerAddr6, k); err != nil {
			return err
		}
	}
	if !o.Addr4.Addr().Is4() || !o.UpAddr4.Addr().Is4() {
		return fmt.Errorf("netlab %s: relay link %d: Addr4 %s and UpAddr4 %s must be IPv4", l.ID, k+1, o.Addr4, o.UpAddr4)
	}
	if !o.Addr6.Addr().Is6() || !o.UpAddr6.Addr().Is6() {
		return fmt.Errorf("netlab %s: relay link %d: Addr6 %s and UpAddr6 %s must be IPv6", l.ID, k+1, o.Addr6, o.UpAddr6)
	}
	if o.Addr4.Overlaps(l.ServerAddr4) || o.Addr6.Overlaps(l.ServerAddr6) {
		return fmt.Errorf("netlab %s: relay link %d: far subnets %s, %s overlap the server link", l.ID, k+1, o.Addr4, o.Addr6)
	}
	return nil
}

// Relays returns the relay links added so far.
func (l *Lab) Relays() []*RelayLink {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*RelayLink(nil), l.relays...)
}
