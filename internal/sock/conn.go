package sock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Msg is one datagram slot of a batch. The caller sets Buf (its length is
// the room offered, e.g. a pooled 1500-byte buffer); ReadBatch fills the
// rest.
type Msg struct {
	Buf       []byte
	N         int            // bytes received into Buf
	Src       netip.AddrPort // sender; an IPv6 link-local one carries its interface as zone
	Dst       netip.Addr     // destination address of the datagram (broadcast, multicast group, unicast)
	IfIndex   int            // receiving interface
	Truncated bool           // the datagram was longer than Buf
}

// Payload returns the datagram: Buf[:N].
func (m *Msg) Payload() []byte { return m.Buf[:m.N] }

// Conn is one UDP socket of a server, bound to a port on one interface
// (SO_BINDTODEVICE) or on all of them. ReadBatch is for one goroutine at a
// time; WriteTo and Broadcast may be called from any number.
type Conn struct {
	udp   *net.UDPConn
	rc    syscall.RawConn
	v6    bool
	iface Interface // zero for a socket on all interfaces
	port  uint16
	// onlyDst, when valid, drops unicast datagrams to other addresses
	// (Kea's "eth0/192.0.2.1" on a raw socket).
	onlyDst netip.Addr
	source6 netip.Addr // the address named by "if/addr" for DHCPv6
	zones   *zoneCache

	// Read state: one batch in flight at a time.
	hdrs   []mmsghdr
	iovs   []syscall.Iovec
	names  []syscall.RawSockaddrInet6
	ctrl   []byte
	rn     int
	rerr   syscall.Errno
	readFn func(uintptr) bool

	watched   context.Context // touched by the reader only
	watchMu   sync.Mutex      // guards stopWatch, which Close also calls
	stopWatch func() bool

	// Write state, guarded by wmu.
	wmu     sync.Mutex
	whdr    syscall.Msghdr
	wiov    syscall.Iovec
	wname   syscall.RawSockaddrInet6
	wctrl   [ctrlLen]byte
	wn      int
	werr    syscall.Errno
	writeFn func(uintptr) bool
	bw      batchWriter

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// ErrClosed is returned by reads and writes on a closed Conn.
var ErrClosed = net.ErrClosed

func newConn(udp *net.UDPConn, v6 bool, iface Interface, port uint16, batch int, zones *zoneCache) (*Conn, error) {
	rc, err := udp.SyscallConn()
	if err != nil {
		return nil, err
	}
	c := &Conn{
		udp: udp, rc: rc, v6: v6, iface: iface, port: port, zones: zones,
		hdrs:  make([]mmsghdr, batch),
		iovs:  make([]syscall.Iovec, batch),
		names: make([]syscall.RawSockaddrInet6, batch),
		ctrl:  make([]byte, batch*ctrlLen),
	}
	for i := range c.hdrs {
		h := &c.hdrs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&c.names[i]))
		h.Iov = &c.iovs[i]
		h.Iovlen = 1
		h.Control = &c.ctrl[i*ctrlLen]
	}
	c.readFn = c.doRead
	c.writeFn = c.doWrite
	c.initBatchWriter(batch)
	c.whdr.Name = (*byte)(unsafe.Pointer(&c.wname))
	c.whdr.Iov = &c.wiov
	c.whdr.Iovlen = 1
	c.whdr.Control = &c.wctrl[0]
	return c, nil
}

// Interface returns the interface the socket is bound to (zero Index for
// all interfaces).
func (c *Conn) Interface() Interface { return c.iface }

// Source returns the address a reply should come from, when the
// configuration named one ("eth0/192.0.2.1", "eth0/2001:db8:1::1"); the
// zero Addr lets the kernel choose.
func (c *Conn) Source() netip.Addr {
	if c.v6 {
		return c.source6
	}
	return c.onlyDst
}

// LocalAddr is the socket's bound address.
func (c *Conn) LocalAddr() netip.AddrPort { return c.udp.LocalAddr().(*net.UDPAddr).AddrPort() }

// ReadBatch blocks until at least one datagram has arrived, then fills up to
// len(msgs) slots (at most the batch size given to Listen) with one
// recvmmsg call and returns how many. It returns ctx's error once ctx is
// done, and ErrClosed after Close. It allocates nothing once a given ctx
// has been seen.
func (c *Conn) ReadBatch(ctx context.Context, msgs []Msg) (int, error) {
	if err := c.watch(ctx); err != nil {
		return 0, err
	}
	for {
		n, err := c.readOnce(msgs)
		if err != nil {
			switch {
			case c.closed.Load():
				return 0, ErrClosed
			case ctx.Err() != nil:
				return 0, ctx.Err()
			}
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
		// Every datagram of the batch was filtered out: wait for more.
	}
}

// watch arranges for ctx's end to unblock a read: the read deadline is set
// in the past. A context is registered once, so a long-lived one costs
// nothing per call.
func (c *Conn) watch(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Done() == nil || ctx == c.watched {
		return nil
	}
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	if c.stopWatch != nil && !c.stopWatch() {
		// The previous context already ended and set a past deadline.
		c.udp.SetReadDeadline(time.Time{})
	}
	c.watched = ctx
	c.stopWatch = context.AfterFunc(ctx, func() { c.udp.SetReadDeadline(time.Unix(1, 0)) })
	return nil
}

func (c *Conn) readOnce(msgs []Msg) (int, error) {
	k := min(len(msgs), len(c.hdrs))
	if k == 0 {
		return 0, errors.New("sock: ReadBatch with no message slots")
	}
	for i := range k {
		if len(msgs[i].Buf) == 0 {
			return 0, fmt.Errorf("sock: ReadBatch slot %d has an empty Buf", i)
		}
		c.iovs[i].Base = &msgs[i].Buf[0]
		c.iovs[i].SetLen(len(msgs[i].Buf))
		h := &c.hdrs[i].hdr
		h.Namelen = syscall.SizeofSockaddrInet6
		h.SetControllen(ctrlLen)
		h.Flags = 0
	}
	c.rn, c.rerr = k, 0
	if err := c.rc.Read(c.readFn); err != nil {
		return 0, err
	}
	if c.rerr != 0 {
		return 0, fmt.Errorf("sock: recvmmsg on %s: %w", c.name(), c.rerr)
	}
	out := 0
	for i := range c.rn {
		m := &msgs[out]
		if i != out {
			m.Buf, msgs[i].Buf = msgs[i].Buf, m.Buf
		}
		h := &c.hdrs[i]
		m.N = int(h.n)
		m.Truncated = h.hdr.Flags&syscall.MSG_TRUNC != 0
		if m.Truncated {
			m.N = len(m.Buf)
		}
		addr, port, scope := sockaddr(&c.names[i])
		pi, _ := parsePktinfo(c.ctrl[i*ctrlLen : i*ctrlLen+int(h.hdr.Controllen)])
		if addr.Is6() && addr.IsLinkLocalUnicast() && scope != 0 {
			addr = addr.WithZone(c.zones.name(int(scope)))
		}
		m.Src = netip.AddrPortFrom(addr, port)
		m.Dst, m.IfIndex = pi.dst, pi.ifIndex
		if c.onlyDst.IsValid() && !c.accepts(m.Dst) {
			continue
		}
		out++
	}
	return out, nil
}

// accepts implements the address filter of a socket given "if/addr": the
// chosen address, broadcast and multicast pass.
func (c *Conn) accepts(dst netip.Addr) bool {
	if dst == c.onlyDst || dst.IsMulticast() || !dst.IsValid() {
		return true
	}
	if dst.Is4() {
		if dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return true
		}
		for _, p := range c.iface.Prefixes4 {
			if p.Contains(dst) && broadcastOf(p) == dst {
				return true
			}
		}
	}
	return false
}

// doRead is the RawConn callback: false asks the poller to wait.
func (c *Conn) doRead(fd uintptr) bool {
	n, e := recvmmsg(fd, c.hdrs[:c.rn])
	if e == syscall.EAGAIN || e == syscall.EINTR {
		return false
	}
	if e != 0 {
		c.rn, c.rerr = 0, e
		return true
	}
	c.rn = n
	return true
}

// WriteTo sends b to dst from source address src (zero: the kernel picks)
// out of interface ifIndex (0: the socket's interface, or the route's),
// with an IP_PKTINFO / IPV6_PKTINFO control message. For an IPv6 link-local
// or link-scope multicast dst, the interface is also the address's scope.
func (c *Conn) WriteTo(b []byte, dst netip.AddrPort, src netip.Addr, ifIndex int) (int, error) {
	if dst.Addr().Is4() == c.v6 {
		return 0, fmt.Errorf("sock: write to %s on an IPv%d socket", dst, map[bool]int{false: 4, true: 6}[c.v6])
	}
	if ifIndex == 0 {
		ifIndex = c.iface.Index
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.whdr.Namelen = putSockaddr(&c.wname, dst, c.scope(dst.Addr(), ifIndex))
	var cl int
	if c.v6 {
		cl = putPktinfo6(c.wctrl[:], ifIndex, src)
	} else {
		cl = putPktinfo4(c.wctrl[:], ifIndex, src)
	}
	c.whdr.SetControllen(cl)
	if len(b) > 0 {
		c.wiov.Base = &b[0]
	} else {
		c.wiov.Base = nil
	}
	c.wiov.SetLen(len(b))
	c.wn, c.werr = 0, 0
	if err := c.rc.Write(c.writeFn); err != nil {
		return 0, err
	}
	c.wiov.Base = nil // do not keep the caller's buffer alive
	if c.werr != 0 {
		return 0, fmt.Errorf("sock: send to %s on %s: %w", dst, c.name(), c.werr)
	}
	return c.wn, nil
}

func (c *Conn) doWrite(fd uintptr) bool {
	n, e := sendmsg(fd, &c.whdr)
	if e == syscall.EAGAIN || e == syscall.EINTR {
		return false
	}
	c.wn, c.werr = n, e
	return true
}

// Broadcast sends b to 255.255.255.255:port out of the socket's interface,
// from the interface's first IPv4 address. For a client without an address
// that asked for broadcast, or when no raw sender is available.
func (c *Conn) Broadcast(b []byte, port uint16) (int, error) {
	if c.v6 || c.iface.Index == 0 {
		return 0, errors.New("sock: Broadcast needs an IPv4 socket bound to an interface")
	}
	var src netip.Addr
	if len(c.iface.Prefixes4) > 0 {
		src = c.iface.Prefixes4[0].Addr()
	}
	if c.onlyDst.IsValid() {
		src = c.onlyDst
	}
	return c.WriteTo(b, netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), port), src, c.iface.Index)
}

// SetReadDeadline sets the socket's read deadline, for callers that stop
// readers by deadline rather than by ReadBatch's context (use one way, not
// both: a context's end also sets a past deadline).
func (c *Conn) SetReadDeadline(t time.Time) error { return c.udp.SetReadDeadline(t) }

// Close unblocks a ReadBatch in progress (its read deadline is set in the
// past) and closes the socket. Safe to call more than once.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.udp.SetReadDeadline(time.Unix(1, 0))
		c.watchMu.Lock()
		if c.stopWatch != nil {
			c.stopWatch()
		}
		c.watchMu.Unlock()
		c.closeErr = c.udp.Close()
	})
	return c.closeErr
}

func (c *Conn) name() string {
	if c.iface.Name == "" {
		return fmt.Sprintf("*:%d", c.port)
	}
	return fmt.Sprintf("%s:%d", c.iface.Name, c.port)
}

func broadcastOf(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
