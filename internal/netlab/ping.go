package netlab

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
)

// Ping sends ICMP echo requests from namespace ns to addr (IPv4 or IPv6; a
// link-local address needs its zone) until one is answered or ctx ends. It
// needs no ping program: the socket is opened inside ns.
func (l *Lab) Ping(ctx context.Context, ns string, addr netip.Addr) error {
	if err := l.checkNS(ns); err != nil {
		return err
	}
	network, reqType, replyType := "ip4:icmp", byte(8), byte(0)
	if addr.Is6() && !addr.Is4In6() {
		network, reqType, replyType = "ip6:ipv6-icmp", 128, 129
	}
	var conn net.PacketConn
	err := InNS(ns, func() error {
		var err error
		conn, err = net.ListenPacket(network, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("netlab %s: ping %s from %s: %w", l.ID, addr, ns, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()

	id := uint16(os.Getpid())
	dst := &net.IPAddr{IP: addr.AsSlice(), Zone: addr.Zone()}
	buf := make([]byte, 1500)
	for seq := uint16(1); ; seq++ {
		msg := echoRequest(reqType, id, seq, !addr.Is4())
		if _, err := conn.WriteTo(msg, dst); err != nil {
			return fmt.Errorf("netlab %s: ping %s from %s: %w", l.ID, addr, ns, err)
		}
		deadline := time.Now().Add(500 * time.Millisecond)
		conn.SetReadDeadline(deadline)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("netlab %s: ping %s from %s: no reply: %w", l.ID, addr, ns, ctx.Err())
				}
				break // this request timed out: send the next
			}
			// Raw ICMP sockets see every echo of the namespace: match ours.
			if n >= 8 && buf[0] == replyType && binary.BigEndian.Uint16(buf[4:]) == id && binary.BigEndian.Uint16(buf[6:]) == seq {
				return nil
			}
		}
	}
}

// echoRequest builds an ICMP echo request; for ICMPv6 the kernel fills in
// the checksum, which covers a pseudo-header only it knows.
func echoRequest(typ byte, id, seq uint16, v6 bool) []byte {
	b := []byte{typ, 0, 0, 0, 0, 0, 0, 0, 'n', 'e', 't', 'l', 'a', 'b'}
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	if !v6 {
		binary.BigEndian.PutUint16(b[2:], ^onesSum(b))
	}
	return b
}

func onesSum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
