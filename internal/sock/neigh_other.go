//go:build !linux

package sock

import (
	"net"
	"net/netip"
)

// SenderMAC is the link-layer address of the host that put a packet from
// src on the wire. Only Linux's neighbour table is read: elsewhere it is
// never known.
func SenderMAC(ifIndex int, src netip.Addr) (mac net.HardwareAddr, ok bool) { return nil, false }
