package sock

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Out is one datagram for WriteBatch.
type Out struct {
	Buf     []byte         // the datagram
	Dst     netip.AddrPort // where it goes (an IPv6 link-local one needs IfIndex or a zone)
	Src     netip.Addr     // source address; zero lets the kernel choose
	IfIndex int            // outgoing interface; 0: the socket's, or the route's
}

// batchWriter is the sendmmsg state of a Conn, guarded by Conn.wmu.
type batchWriter struct {
	hdrs  []mmsghdr
	iovs  []syscall.Iovec
	names []syscall.RawSockaddrInet6
	ctrl  []byte
	k     int // messages offered to the current sendmmsg
	sent  int
	err   syscall.Errno
	fn    func(uintptr) bool
}

func (c *Conn) initBatchWriter(batch int) {
	w := &c.bw
	w.hdrs = make([]mmsghdr, batch)
	w.iovs = make([]syscall.Iovec, batch)
	w.names = make([]syscall.RawSockaddrInet6, batch)
	w.ctrl = make([]byte, batch*ctrlLen)
	for i := range w.hdrs {
		h := &w.hdrs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&w.names[i]))
		h.Iov = &w.iovs[i]
		h.Iovlen = 1
		h.Control = &w.ctrl[i*ctrlLen]
	}
	w.fn = func(fd uintptr) bool {
		// Raw, as recvmmsg (sys.go): MSG_DONTWAIT never blocks.
		n, _, e := syscall.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&w.hdrs[0])), uintptr(w.k), syscall.MSG_DONTWAIT, 0, 0)
		if e == syscall.EAGAIN || e == syscall.EINTR {
			return false
		}
		w.sent, w.err = int(n), e
		return true
	}
}

// WriteBatch sends every datagram of out with as few sendmmsg calls as the
// batch size allows, each with its own destination, source and interface
// (as WriteTo). It returns how many were sent before the first error. Safe
// to call from several goroutines; it allocates nothing.
func (c *Conn) WriteBatch(out []Out) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	w := &c.bw
	done := 0
	for done < len(out) {
		k := min(len(out)-done, len(w.hdrs))
		for i := range k {
			o := &out[done+i]
			if o.Dst.Addr().Is4() == c.v6 {
				return done, fmt.Errorf("sock: WriteBatch[%d] to %s on an IPv%d socket", done+i, o.Dst, map[bool]int{false: 4, true: 6}[c.v6])
			}
			ifIndex := o.IfIndex
			if ifIndex == 0 {
				ifIndex = c.iface.Index
			}
			h := &w.hdrs[i].hdr
			h.Namelen = putSockaddr(&w.names[i], o.Dst, c.scope(o.Dst.Addr(), ifIndex))
			ctrl := w.ctrl[i*ctrlLen : (i+1)*ctrlLen]
			if c.v6 {
				h.SetControllen(putPktinfo6(ctrl, ifIndex, o.Src))
			} else {
				h.SetControllen(putPktinfo4(ctrl, ifIndex, o.Src))
			}
			if len(o.Buf) > 0 {
				w.iovs[i].Base = &o.Buf[0]
			} else {
				w.iovs[i].Base = nil
			}
			w.iovs[i].SetLen(len(o.Buf))
		}
		w.k, w.sent, w.err = k, 0, 0
		err := c.rc.Write(w.fn)
		for i := range k {
			w.iovs[i].Base = nil // do not keep the caller's buffers alive
		}
		if err != nil {
			return done, err
		}
		if w.err != 0 {
			return done, fmt.Errorf("sock: sendmmsg to %s on %s: %w", out[done].Dst, c.name(), w.err)
		}
		if w.sent == 0 {
			return done, errors.New("sock: sendmmsg sent nothing")
		}
		done += w.sent
	}
	return done, nil
}

// scope is the IPv6 scope id for dst: the interface for link-local and
// link-scope multicast destinations, else 0.
func (c *Conn) scope(dst netip.Addr, ifIndex int) uint32 {
	if !c.v6 || !(dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast() || dst.IsInterfaceLocalMulticast()) {
		return 0
	}
	if ifIndex == 0 && dst.Zone() != "" {
		return uint32(c.zones.index(dst.Zone()))
	}
	return uint32(ifIndex)
}
