package sock

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"unsafe"
)

// This file holds what golang.org/x/net's ipv4/ipv6 PacketConn would give:
// recvmmsg, and building and parsing IP_PKTINFO / IPV6_PKTINFO control
// messages. x/net's ReadBatch hands each datagram's source back as a
// net.Addr, one allocation per packet; with the mmsghdr, sockaddr and
// control buffers ours, the hot path allocates nothing.

// mmsghdr is struct mmsghdr; Go pads it to the C size (64 bytes on 64-bit).
type mmsghdr struct {
	hdr syscall.Msghdr
	n   uint32
}

// The socket calls below are raw (no runtime syscall bookkeeping): with
// MSG_DONTWAIT on a non-blocking socket they never block, and announcing
// them to the scheduler is not free. Each announced syscall wakes the
// runtime's sysmon thread from the deep sleep it takes while the process
// is idle, and a woken sysmon polls every 20 µs for the next millisecond;
// at a few thousand packets a second that polling, and the P hand-offs of
// calls it catches, cost more CPU than the DHCP work (measured with perf
// on the bench).

func recvmmsg(fd uintptr, hdrs []mmsghdr) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hdrs[0])),
		uintptr(len(hdrs)), syscall.MSG_DONTWAIT, 0, 0)
	return int(n), e
}

func sendmsg(fd uintptr, hdr *syscall.Msghdr) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(hdr)), syscall.MSG_DONTWAIT)
	return int(n), e
}

const (
	cmsgHdrLen = syscall.SizeofCmsghdr
	// ctrlLen holds one pktinfo message of either family, aligned.
	ctrlLen = 64
)

func cmsgAlign(n int) int {
	const a = int(unsafe.Sizeof(uintptr(0)))
	return (n + a - 1) &^ (a - 1)
}

// pktinfo is what a control message tells about a received datagram.
type pktinfo struct {
	dst     netip.Addr
	ifIndex int
}

// parsePktinfo walks the control messages in b for IP_PKTINFO or
// IPV6_PKTINFO. Only the kernel writes b, but its lengths are still checked.
func parsePktinfo(b []byte) (pktinfo, bool) {
	for len(b) >= cmsgHdrLen {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
		l := int(h.Len)
		if l < cmsgHdrLen || l > len(b) {
			return pktinfo{}, false
		}
		data := b[cmsgAlign(cmsgHdrLen):l]
		switch {
		case h.Level == syscall.IPPROTO_IP && h.Type == syscall.IP_PKTINFO && len(data) >= syscall.SizeofInet4Pktinfo:
			pi := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&data[0]))
			return pktinfo{dst: netip.AddrFrom4(pi.Addr), ifIndex: int(pi.Ifindex)}, true
		case h.Level == syscall.IPPROTO_IPV6 && h.Type == syscall.IPV6_PKTINFO && len(data) >= syscall.SizeofInet6Pktinfo:
			pi := (*syscall.Inet6Pktinfo)(unsafe.Pointer(&data[0]))
			return pktinfo{dst: netip.AddrFrom16(pi.Addr), ifIndex: int(pi.Ifindex)}, true
		}
		if next := cmsgAlign(l); next < len(b) {
			b = b[next:]
		} else {
			break
		}
	}
	return pktinfo{}, false
}

// putPktinfo4 writes an IP_PKTINFO control message choosing the outgoing
// interface and source address into b and returns its length.
func putPktinfo4(b []byte, ifIndex int, src netip.Addr) int {
	n := cmsgAlign(cmsgHdrLen) + syscall.SizeofInet4Pktinfo
	clear(b[:cmsgAlign(n)])
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = syscall.IPPROTO_IP, syscall.IP_PKTINFO
	h.SetLen(n)
	pi := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&b[cmsgAlign(cmsgHdrLen)]))
	pi.Ifindex = int32(ifIndex)
	if src.Is4() {
		pi.Spec_dst = src.As4()
	}
	return cmsgAlign(n)
}

// putPktinfo6 is putPktinfo4 for IPV6_PKTINFO.
func putPktinfo6(b []byte, ifIndex int, src netip.Addr) int {
	n := cmsgAlign(cmsgHdrLen) + syscall.SizeofInet6Pktinfo
	clear(b[:cmsgAlign(n)])
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = syscall.IPPROTO_IPV6, syscall.IPV6_PKTINFO
	h.SetLen(n)
	pi := (*syscall.Inet6Pktinfo)(unsafe.Pointer(&b[cmsgAlign(cmsgHdrLen)]))
	pi.Ifindex = uint32(ifIndex)
	if src.Is6() {
		pi.Addr = src.As16()
	}
	return cmsgAlign(n)
}

// sockaddr decodes a raw sockaddr_in or sockaddr_in6 written by the kernel.
func sockaddr(raw *syscall.RawSockaddrInet6) (netip.Addr, uint16, uint32) {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&raw.Port))[:])
	if raw.Family == syscall.AF_INET {
		r4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(raw))
		return netip.AddrFrom4(r4.Addr), port, 0
	}
	return netip.AddrFrom16(raw.Addr), port, raw.Scope_id
}

// putSockaddr fills raw with dst; it returns the sockaddr's length.
func putSockaddr(raw *syscall.RawSockaddrInet6, dst netip.AddrPort, scope uint32) uint32 {
	*raw = syscall.RawSockaddrInet6{}
	p := (*[2]byte)(unsafe.Pointer(&raw.Port))
	binary.BigEndian.PutUint16(p[:], dst.Port())
	if dst.Addr().Is4() {
		r4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(raw))
		r4.Family = syscall.AF_INET
		r4.Addr = dst.Addr().As4()
		return syscall.SizeofSockaddrInet4
	}
	raw.Family = syscall.AF_INET6
	raw.Addr = dst.Addr().As16()
	raw.Scope_id = scope
	return syscall.SizeofSockaddrInet6
}
