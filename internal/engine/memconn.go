package engine

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// MemConn is an in-memory Conn for tests: Inject queues datagrams as if
// they had arrived, and every packet written appears on Sent. It also
// implements RawWriter (raw frames appear on Sent with Raw set) unless
// NoRaw is set before use.
type MemConn struct {
	// NoRaw makes the conn refuse raw frames, as a socket without
	// link-layer access would.
	NoRaw bool

	in   chan Packet
	sent chan Packet

	mu       sync.Mutex
	expired  chan struct{} // closed when the read deadline passes
	timer    *time.Timer
	closed   chan struct{}
	closeErr sync.Once
}

// NewMemConn returns a conn that holds up to queue received datagrams (a
// full queue drops, as a socket buffer does) and up to sent written ones.
func NewMemConn(queue, sent int) *MemConn {
	return &MemConn{
		in:      make(chan Packet, queue),
		sent:    make(chan Packet, sent),
		expired: make(chan struct{}),
		closed:  make(chan struct{}),
	}
}

// Inject queues a datagram for ReadBatch; data is copied. It reports false
// when the queue is full and the datagram was dropped.
func (c *MemConn) Inject(data []byte, src, dst netip.AddrPort, ifIndex int) bool {
	p := Packet{Buf: append([]byte(nil), data...), N: len(data), Src: src, Dst: dst, IfIndex: ifIndex}
	select {
	case c.in <- p:
		return true
	default:
		return false
	}
}

// Sent delivers copies of the packets written to the conn.
func (c *MemConn) Sent() <-chan Packet { return c.sent }

// Close makes reads fail with net.ErrClosed.
func (c *MemConn) Close() error {
	c.closeErr.Do(func() { close(c.closed) })
	return nil
}

// ReadBatch implements Conn.
func (c *MemConn) ReadBatch(ps []Packet) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	c.mu.Lock()
	expired := c.expired
	c.mu.Unlock()
	var first Packet
	select {
	case first = <-c.in:
	case <-expired:
		return 0, os.ErrDeadlineExceeded
	case <-c.closed:
		return 0, net.ErrClosed
	}
	n := 0
	put := func(p Packet) {
		ps[n].N = copy(ps[n].Buf[:cap(ps[n].Buf)], p.Buf[:p.N])
		ps[n].Src, ps[n].Dst, ps[n].IfIndex = p.Src, p.Dst, p.IfIndex
		n++
	}
	put(first)
	for n < len(ps) {
		select {
		case p := <-c.in:
			put(p)
		default:
			return n, nil
		}
	}
	return n, nil
}

// WriteBatch implements Conn.
func (c *MemConn) WriteBatch(ps []Packet) (int, error) {
	for i := range ps {
		c.deliver(&ps[i])
	}
	return len(ps), nil
}

// WriteRaw implements RawWriter.
func (c *MemConn) WriteRaw(p *Packet) error {
	if c.NoRaw || p.HWLen != 6 {
		return ErrRawUnsupported
	}
	c.deliver(p)
	return nil
}

func (c *MemConn) deliver(p *Packet) {
	cp := *p
	cp.Buf = append([]byte(nil), p.Buf[:p.N]...)
	select {
	case c.sent <- cp:
	default: // a test that does not read Sent does not block the engine
	}
}

// SetReadDeadline implements Conn.
func (c *MemConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	select {
	case <-c.expired:
		c.expired = make(chan struct{})
	default:
	}
	if t.IsZero() {
		return nil
	}
	ch := c.expired
	d := time.Until(t)
	if d <= 0 {
		close(ch)
		return nil
	}
	c.timer = time.AfterFunc(d, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.expired != ch {
			return
		}
		select {
		case <-ch:
		default:
			close(ch)
		}
	})
	return nil
}
