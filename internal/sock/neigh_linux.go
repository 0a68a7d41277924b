//go:build linux

package sock

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// SenderMAC is the link-layer address of the host that put a packet from
// src, received on interface ifIndex, on the wire, as the kernel's
// neighbour table (of the calling thread's network namespace) knows it: src's
// own entry when src is on-link, else the entry of the gateway of the route
// to src. Something that unicasts to this host first resolved its address
// by ARP, and Linux records the sender of an ARP request addressed to it, so
// the entry exists for a relay agent or router that sent us a datagram.
// ok is false when there is no complete entry (or src is not IPv4). Answers
// are cached for a few seconds per interface and address.
func SenderMAC(ifIndex int, src netip.Addr) (mac net.HardwareAddr, ok bool) {
	src = src.Unmap()
	if ifIndex <= 0 || !src.Is4() {
		return nil, false
	}
	k := neighKey{ifIndex, src}
	now := time.Now()
	if mac, ok, hit := neighs.get(k, now); hit {
		return mac, ok
	}
	mac, err := lookupSender(ifIndex, src)
	neighs.put(k, mac, now)
	if err != nil {
		return nil, false
	}
	return append(net.HardwareAddr(nil), mac...), true
}

// lookupSender asks the kernel for the route to src out of ifIndex and the
// neighbour entry of its next hop.
func lookupSender(ifIndex int, src netip.Addr) (net.HardwareAddr, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("sock: netlink socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sock: netlink bind: %w", err)
	}
	tv := unix.NsecToTimeval(int64(time.Second))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("sock: netlink timeout: %w", err)
	}
	a4 := src.As4()
	hop := src
	// struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags(4).
	rt := make([]byte, unix.SizeofRtMsg)
	rt[0], rt[1] = unix.AF_INET, 32
	rt = appendAttr(rt, unix.RTA_DST, a4[:])
	rt = appendAttr(rt, unix.RTA_OIF, binary.NativeEndian.AppendUint32(nil, uint32(ifIndex)))
	attrs, err := netlinkRequest(fd, unix.RTM_GETROUTE, rt, unix.RTM_NEWROUTE, unix.SizeofRtMsg)
	if err != nil {
		return nil, fmt.Errorf("sock: route to %s: %w", src, err)
	}
	if gw, ok := attrs[unix.RTA_GATEWAY]; ok && len(gw) == 4 {
		hop = netip.AddrFrom4([4]byte(gw))
	}
	if oif, ok := attrs[unix.RTA_OIF]; ok && len(oif) == 4 && int(binary.NativeEndian.Uint32(oif)) != ifIndex {
		return nil, fmt.Errorf("sock: route to %s leaves by interface %d, not %d", src, binary.NativeEndian.Uint32(oif), ifIndex)
	}
	// struct ndmsg: family, pad(3), ifindex(4), state(2), flags, type.
	nd := make([]byte, unix.SizeofNdMsg)
	nd[0] = unix.AF_INET
	binary.NativeEndian.PutUint32(nd[4:], uint32(ifIndex))
	h4 := hop.As4()
	nd = appendAttr(nd, unix.NDA_DST, h4[:])
	attrs, err = netlinkRequest(fd, unix.RTM_GETNEIGH, nd, unix.RTM_NEWNEIGH, unix.SizeofNdMsg)
	if err != nil {
		return nil, fmt.Errorf("sock: neighbour %s: %w", hop, err)
	}
	ll := attrs[unix.NDA_LLADDR]
	if len(ll) != 6 {
		return nil, fmt.Errorf("sock: neighbour %s has no Ethernet address", hop)
	}
	return net.HardwareAddr(ll), nil
}

func appendAttr(b []byte, typ uint16, v []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(unix.SizeofRtAttr+len(v)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, v...)
	for len(b)%unix.NLMSG_ALIGNTO != 0 {
		b = append(b, 0)
	}
	return b
}

// netlinkRequest sends one request of type typ with body and returns the
// attributes (after a fixed header of hdrLen bytes) of the reply of type
// want.
func netlinkRequest(fd int, typ uint16, body []byte, want uint16, hdrLen int) (map[uint16][]byte, error) {
	const seq = 1
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(msg[0:], uint32(unix.SizeofNlMsghdr+len(body)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], seq)
	msg = append(msg, body...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, err
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, err
		}
		for b := buf[:n]; len(b) >= unix.SizeofNlMsghdr; {
			l := int(binary.NativeEndian.Uint32(b[0:]))
			if l < unix.SizeofNlMsghdr || l > len(b) {
				return nil, fmt.Errorf("netlink message length %d of %d bytes", l, len(b))
			}
			m, t, s := b[unix.SizeofNlMsghdr:l], binary.NativeEndian.Uint16(b[4:]), binary.NativeEndian.Uint32(b[8:])
			if a := (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1); a < len(b) {
				b = b[a:]
			} else {
				b = nil
			}
			if s != seq {
				continue
			}
			switch t {
			case unix.NLMSG_ERROR:
				if len(m) < 4 {
					return nil, fmt.Errorf("short netlink error")
				}
				if e := int32(binary.NativeEndian.Uint32(m)); e != 0 {
					return nil, unix.Errno(-e)
				}
				return nil, fmt.Errorf("netlink acknowledged without an answer")
			case want:
				if len(m) < hdrLen {
					return nil, fmt.Errorf("short netlink answer")
				}
				return parseAttrs(m[hdrLen:]), nil
			}
		}
	}
}

func parseAttrs(b []byte) map[uint16][]byte {
	attrs := map[uint16][]byte{}
	for len(b) >= unix.SizeofRtAttr {
		l := int(binary.NativeEndian.Uint16(b[0:]))
		if l < unix.SizeofRtAttr || l > len(b) {
			break
		}
		attrs[binary.NativeEndian.Uint16(b[2:])&^(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER)] = b[unix.SizeofRtAttr:l]
		a := (l + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1)
		if a >= len(b) {
			break
		}
		b = b[a:]
	}
	return attrs
}
