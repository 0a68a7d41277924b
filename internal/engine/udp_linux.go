package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// UDPConn is a Conn over an IPv4 UDP socket: batched reads and writes
// through x/net's ipv4.PacketConn (recvmmsg/sendmmsg on Linux), with
// IP_PKTINFO control messages for the receiving interface and destination
// address, and for the interface and source address of replies.
//
// The servers open their own sockets with internal/sock, which reads
// without allocating; UDPConn serves sockets a caller opened (tests,
// socket activation), where x/net allocates the sender address of each
// datagram read.
type UDPConn struct {
	c  *net.UDPConn
	pc *ipv4.PacketConn

	rms []ipv4.Message // read scratch, used by the one reader
	rbv [][1][]byte

	wmu   sync.Mutex // writes may come from two goroutines
	wms   []ipv4.Message
	wbv   [][1][]byte
	woob  [][]byte
	waddr []net.UDPAddr
	wip   [][4]byte
}

// ListenUDP4 opens a UDP socket on port for every IPv4 address, able to
// receive and send broadcasts. With device set, the socket only sees
// packets of that interface (SO_BINDTODEVICE).
func ListenUDP4(ctx context.Context, port int, device string) (*UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
				return
			}
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1); serr != nil {
				return
			}
			if device != "" {
				serr = unix.BindToDevice(int(fd), device)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp4", fmt.Sprintf(":%d", port))
	if err != nil {
		return nil, fmt.Errorf("engine: listening on UDP port %d: %w", port, err)
	}
	c, err := NewUDPConn(pc.(*net.UDPConn))
	if err != nil {
		pc.Close()
		return nil, err
	}
	return c, nil
}

// NewUDPConn wraps an open IPv4 UDP socket. The caller keeps ownership:
// Close closes it.
func NewUDPConn(c *net.UDPConn) (*UDPConn, error) {
	pc := ipv4.NewPacketConn(c)
	if err := pc.SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true); err != nil {
		return nil, fmt.Errorf("engine: enabling IP_PKTINFO on %v: %w", c.LocalAddr(), err)
	}
	return &UDPConn{c: c, pc: pc}, nil
}

// LocalAddr returns the socket's address.
func (u *UDPConn) LocalAddr() net.Addr { return u.c.LocalAddr() }

// Close closes the socket.
func (u *UDPConn) Close() error { return u.c.Close() }

// SetReadDeadline implements Conn.
func (u *UDPConn) SetReadDeadline(t time.Time) error { return u.c.SetReadDeadline(t) }

// oobLen fits one IP_PKTINFO control message.
var oobLen = unix.CmsgSpace(unix.SizeofInet4Pktinfo)

// ReadBatch implements Conn.
func (u *UDPConn) ReadBatch(ps []Packet) (int, error) {
	if len(u.rms) < len(ps) {
		u.rms = make([]ipv4.Message, len(ps))
		u.rbv = make([][1][]byte, len(ps))
		oob := make([]byte, len(ps)*oobLen)
		for i := range u.rms {
			u.rms[i].OOB = oob[i*oobLen : (i+1)*oobLen]
		}
	}
	ms := u.rms[:len(ps)]
	for i := range ms {
		u.rbv[i][0] = ps[i].Buf[:cap(ps[i].Buf)]
		ms[i].Buffers = u.rbv[i][:]
		ms[i].OOB = ms[i].OOB[:oobLen]
	}
	n, err := u.pc.ReadBatch(ms, 0)
	for i := range n {
		p := &ps[i]
		p.N = ms[i].N
		p.Src = netip.AddrPort{}
		if a, ok := ms[i].Addr.(*net.UDPAddr); ok {
			p.Src = a.AddrPort()
			p.Src = netip.AddrPortFrom(p.Src.Addr().Unmap(), p.Src.Port())
		}
		p.IfIndex, p.Dst = 0, netip.AddrPort{}
		if ifi, dst, ok := parsePktinfo(ms[i].OOB[:ms[i].NN]); ok {
			p.IfIndex = ifi
			p.Dst = netip.AddrPortFrom(dst, u.localPort())
		}
	}
	return n, err
}

func (u *UDPConn) localPort() uint16 {
	if a, ok := u.c.LocalAddr().(*net.UDPAddr); ok {
		return uint16(a.Port)
	}
	return 0
}

// parsePktinfo reads the IP_PKTINFO control message without allocating:
// the interface index and the datagram's destination address.
func parsePktinfo(oob []byte) (ifIndex int, dst netip.Addr, ok bool) {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafePointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return 0, netip.Addr{}, false
		}
		if h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && l >= unix.CmsgLen(unix.SizeofInet4Pktinfo) {
			d := oob[unix.CmsgLen(0):l]
			ifIndex = int(int32(binary.NativeEndian.Uint32(d[0:4])))
			// in_pktinfo: ifindex, spec_dst (local address), addr (header destination).
			dst = netip.AddrFrom4([4]byte(d[8:12]))
			return ifIndex, dst, true
		}
		next := unix.CmsgSpace(l - unix.CmsgLen(0))
		if next > len(oob) {
			break
		}
		oob = oob[next:]
	}
	return 0, netip.Addr{}, false
}

// WriteBatch implements Conn.
func (u *UDPConn) WriteBatch(ps []Packet) (int, error) {
	u.wmu.Lock()
	defer u.wmu.Unlock()
	if len(u.wms) < len(ps) {
		n := len(ps)
		u.wms = make([]ipv4.Message, n)
		u.wbv = make([][1][]byte, n)
		u.woob = make([][]byte, n)
		u.waddr = make([]net.UDPAddr, n)
		u.wip = make([][4]byte, n)
		oob := make([]byte, n*oobLen)
		for i := range n {
			u.woob[i] = oob[i*oobLen : (i+1)*oobLen]
		}
	}
	ms := u.wms[:len(ps)]
	for i := range ms {
		p := &ps[i]
		u.wbv[i][0] = p.Buf[:p.N]
		ms[i].Buffers = u.wbv[i][:]
		u.wip[i] = p.Dst.Addr().As4()
		u.waddr[i] = net.UDPAddr{IP: u.wip[i][:], Port: int(p.Dst.Port())}
		ms[i].Addr = &u.waddr[i]
		ms[i].OOB = nil
		if p.IfIndex != 0 || p.Src.Addr().Is4() {
			ms[i].OOB = putPktinfo(u.woob[i], p.IfIndex, p.Src.Addr())
		}
	}
	return u.pc.WriteBatch(ms, 0)
}

// putPktinfo writes an IP_PKTINFO control message choosing the outgoing
// interface and source address.
func putPktinfo(b []byte, ifIndex int, src netip.Addr) []byte {
	b = b[:oobLen]
	clear(b)
	h := (*unix.Cmsghdr)(unsafePointer(&b[0]))
	h.Level = unix.IPPROTO_IP
	h.Type = unix.IP_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	d := b[unix.CmsgLen(0):]
	binary.NativeEndian.PutUint32(d[0:4], uint32(int32(ifIndex)))
	if src.Is4() {
		a := src.As4()
		copy(d[4:8], a[:])
	}
	return b
}
