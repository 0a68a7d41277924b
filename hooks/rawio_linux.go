package hooks

import (
	"io"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// The socket transport reads and writes its non-blocking sockets with raw
// system calls. Go's ordinary system call path tells the scheduler it is
// entering the kernel, and the first such call after the process was idle
// wakes the runtime's sysmon thread: one more thread wake-up per message,
// measured as twice the context switches per round trip. A non-blocking
// read or write never sleeps in the kernel, so the raw call is safe; when
// it would block, the netpoller waits, as for any socket.
//
// The state of a read and of a write lives in the link, and the functions
// handed to the RawConn are made once, so that neither allocates: one
// goroutine at a time reads (recv's rule) and one writes (flushLocked's).
type rawIO struct {
	readFn, writeFn func(fd uintptr) bool

	rb    []byte
	rn    int
	rerr  syscall.Errno
	spin  bool
	until time.Time

	wb   []byte
	werr syscall.Errno
}

func (s *socketLink) initRaw() {
	s.raw.readFn = s.rawRead
	s.raw.writeFn = s.rawWrite
}

// read reads into b. With spin > 0 it first polls the socket for up to
// spin, keeping the thread awake, before it waits in the netpoller: a
// reply that comes within that time costs the reader no sleep and the
// writer no wake-up.
func (s *socketLink) read(b []byte, spin time.Duration) (int, error) {
	if s.rc == nil || len(b) == 0 {
		return s.c.Read(b)
	}
	r := &s.raw
	r.rb, r.rn, r.rerr, r.spin = b, 0, 0, spin > 0
	if r.spin {
		r.until = time.Now().Add(spin)
	}
	err := s.rc.Read(r.readFn)
	n, errno := r.rn, r.rerr
	r.rb = nil
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (s *socketLink) rawRead(fd uintptr) bool {
	r := &s.raw
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&r.rb[0])), uintptr(len(r.rb)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			if r.spin && time.Now().Before(r.until) {
				continue
			}
			r.spin = false
			return false
		}
		r.rn, r.rerr = int(n), e
		return true
	}
}

// write writes all of b; MSG_NOSIGNAL keeps a closed peer from raising
// SIGPIPE.
func (s *socketLink) write(b []byte) error {
	if s.rc == nil || len(b) == 0 {
		_, err := s.c.Write(b)
		return err
	}
	r := &s.raw
	r.wb, r.werr = b, 0
	err := s.rc.Write(r.writeFn)
	errno := r.werr
	r.wb = nil
	if err != nil {
		return err
	}
	if errno != 0 {
		return os.NewSyscallError("write", errno)
	}
	return nil
}

func (s *socketLink) rawWrite(fd uintptr) bool {
	r := &s.raw
	for len(r.wb) > 0 {
		n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&r.wb[0])), uintptr(len(r.wb)),
			syscall.MSG_NOSIGNAL, 0, 0)
		switch e {
		case 0:
			r.wb = r.wb[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			r.werr = e
			return true
		}
	}
	return true
}
