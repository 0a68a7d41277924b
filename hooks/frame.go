package hooks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/protobuf/proto"
)

// A frameLink carries protocol frames one way or both: the framed socket
// (fast path) or a gRPC stream (for plugins that do not take the sockets).
type frameLink interface {
	send(f *pb.Frame) error
	sendBatch(fs []*pb.Frame) error
	recv(f *pb.Frame) error
	close() error
}

const maxFrame = 16 << 20

// socketLink frames messages on a stream socket: a 4-byte big-endian length,
// then the marshalled Frame.
//
// Sending combines: the sender that finds no write in flight writes, and
// frames queued by others meanwhile go out with its next write, so a burst
// of concurrent calls costs one syscall and no writer goroutine (no extra
// wake-up) per frame.
type socketLink struct {
	c            net.Conn
	rc           syscall.RawConn // c's descriptor, for raw reads and writes; nil if c has none
	raw          rawIO
	writeTimeout time.Duration // 0: writes may block (the event socket)

	mu      sync.Mutex
	pending []byte
	spare   []byte
	writing bool
	err     error
	writes  atomic.Uint64 // write calls made, for tests of batching

	rbuf []byte // read buffer: rbuf[r:w] is read but not yet consumed
	r, w int
}

func newSocketLink(c net.Conn, writeTimeout time.Duration) *socketLink {
	s := &socketLink{c: c, writeTimeout: writeTimeout, rbuf: make([]byte, 64<<10)}
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc = rc
			s.initRaw()
		}
	}
	return s
}

var marshalBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (s *socketLink) send(f *pb.Frame) error {
	bp := marshalBufs.Get().(*[]byte)
	b, err := appendFrame((*bp)[:0], f)
	if err != nil {
		marshalBufs.Put(bp)
		return err
	}
	s.mu.Lock()
	s.pending = append(s.pending, b...)
	*bp = b
	marshalBufs.Put(bp)
	return s.flushLocked()
}

// sendWith sends what enc appends: frames encoded straight into the
// pending buffer, with no copy of their own.
func (s *socketLink) sendWith(enc func([]byte) ([]byte, error)) error {
	s.mu.Lock()
	var err error
	start := len(s.pending)
	if s.pending, err = enc(s.pending); err != nil {
		s.pending = s.pending[:start]
		s.mu.Unlock()
		return err
	}
	return s.flushLocked()
}

func (s *socketLink) sendBatch(fs []*pb.Frame) error {
	s.mu.Lock()
	for _, f := range fs {
		var err error
		if s.pending, err = appendFrame(s.pending, f); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	return s.flushLocked()
}

// flushLocked is called with s.mu held and releases it.
func (s *socketLink) flushLocked() error {
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return err
	}
	if s.writing {
		s.mu.Unlock()
		return nil
	}
	s.writing = true
	for len(s.pending) > 0 {
		buf := s.pending
		s.pending = s.spare[:0]
		s.mu.Unlock()
		if s.writeTimeout > 0 {
			_ = s.c.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		}
		err := s.write(buf)
		s.writes.Add(1)
		s.mu.Lock()
		s.spare = buf[:0]
		if err != nil {
			// A partial write leaves the stream unusable: the link is dead.
			s.err = fmt.Errorf("write frame: %w", err)
			s.writing = false
			s.mu.Unlock()
			_ = s.c.Close()
			return s.err
		}
	}
	s.writing = false
	s.mu.Unlock()
	return nil
}

func appendFrame(b []byte, f *pb.Frame) ([]byte, error) {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b, err := proto.MarshalOptions{}.MarshalAppend(b, f)
	if err != nil {
		return b[:start], fmt.Errorf("marshal frame: %w", err)
	}
	n := len(b) - start - 4
	if n > maxFrame {
		return b[:start], fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	binary.BigEndian.PutUint32(b[start:], uint32(n))
	return b, nil
}

// recv reads one frame; only one goroutine at a time may call it. A read
// deadline that expires mid-frame keeps what was read, so the next recv
// goes on where this one stopped (the host's callers take turns reading,
// each with its own deadline).
func (s *socketLink) recv(f *pb.Frame) error {
	body, err := s.recvRaw(0)
	if err != nil {
		return err
	}
	return proto.Unmarshal(body, f)
}

// recvRaw reads one frame and returns its bytes, valid until the next
// recv or recvRaw. A frame not yet read is waited for spinning up to spin
// (see read), then in the netpoller.
func (s *socketLink) recvRaw(spin time.Duration) ([]byte, error) {
	for {
		if avail := s.w - s.r; avail >= 4 {
			n := int(binary.BigEndian.Uint32(s.rbuf[s.r:]))
			if n > maxFrame {
				return nil, fmt.Errorf("frame length %d exceeds %d", n, maxFrame)
			}
			if avail >= 4+n {
				body := s.rbuf[s.r+4 : s.r+4+n]
				s.r += 4 + n
				if s.r == s.w {
					s.r, s.w = 0, 0
				}
				return body, nil
			}
			if need := 4 + n; need > len(s.rbuf)-s.r {
				s.compact(need)
			}
		} else if len(s.rbuf)-s.r < 4 {
			s.compact(4)
		}
		m, err := s.read(s.rbuf[s.w:], spin)
		spin = 0
		s.w += m
		if err != nil {
			if m > 0 && errors.Is(err, io.EOF) {
				continue
			}
			return nil, err
		}
	}
}

// compact moves the unread bytes to the front, growing the buffer to hold
// at least need bytes.
func (s *socketLink) compact(need int) {
	if need > len(s.rbuf) {
		nb := make([]byte, max(need, 2*len(s.rbuf)))
		s.w = copy(nb, s.rbuf[s.r:s.w])
		s.rbuf, s.r = nb, 0
		return
	}
	s.w = copy(s.rbuf, s.rbuf[s.r:s.w])
	s.r = 0
}

func (s *socketLink) setReadDeadline(t time.Time) error { return s.c.SetReadDeadline(t) }

func (s *socketLink) close() error { return s.c.Close() }

// msgStream is what streamLink needs of a gRPC client or server stream.
type msgStream interface {
	SendMsg(m any) error
	RecvMsg(m any) error
}

// streamLink carries frames on a gRPC stream (the Calls or Events RPC).
type streamLink struct {
	mu     sync.Mutex
	s      msgStream
	cancel func()
	closer func() error
}

func (l *streamLink) send(f *pb.Frame) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.SendMsg(f)
}

func (l *streamLink) sendBatch(fs []*pb.Frame) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range fs {
		if err := l.s.SendMsg(f); err != nil {
			return err
		}
	}
	return nil
}

func (l *streamLink) recv(f *pb.Frame) error { return l.s.RecvMsg(f) }

func (l *streamLink) close() error {
	var err error
	if l.closer != nil {
		err = l.closer()
	}
	if l.cancel != nil {
		l.cancel()
	}
	return err
}
