package engine

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// loopConn hands out copies of one datagram in full batches until limit
// datagrams were read, keeping at most window unanswered (as clients that
// wait for replies do, so that the benchmark measures work, not overload
// drops); it discards writes.
type loopConn struct {
	pkt     []byte
	limit   int64
	window  int64
	read    atomic.Int64
	written atomic.Int64
	wrote   chan struct{}
	done    chan struct{}
}

func (c *loopConn) ReadBatch(ps []Packet) (int, error) {
	for c.read.Load()-c.written.Load() >= c.window {
		select {
		case <-c.wrote:
		case <-c.done:
		}
	}
	left := c.limit - c.read.Load()
	if left <= 0 {
		<-c.done
		return 0, net.ErrClosed
	}
	n := int(min(int64(len(ps)), left))
	for i := range n {
		ps[i].N = copy(ps[i].Buf[:cap(ps[i].Buf)], c.pkt)
		ps[i].Src, ps[i].Dst, ps[i].IfIndex = client, server, 1
	}
	c.read.Add(int64(n))
	return n, nil
}

func (c *loopConn) WriteBatch(ps []Packet) (int, error) {
	w := c.written.Add(int64(len(ps)))
	select {
	case c.wrote <- struct{}{}:
	default:
	}
	if w >= c.limit {
		select {
		case <-c.done:
		default:
			close(c.done)
		}
	}
	return len(ps), nil
}

func (c *loopConn) SetReadDeadline(time.Time) error { return nil }

// BenchmarkEngine measures the engine's own cost per packet: batching,
// hand-off to the committer, one sync per batch and the write, with a
// handler that copies the request.
func BenchmarkEngine(b *testing.B) {
	for _, bc := range []struct {
		name         string
		sync, inline bool
	}{{"no-sync", false, false}, {"sync-per-batch/committer", true, false}, {"sync-per-batch/inline", true, true}} {
		b.Run(bc.name, func(b *testing.B) {
			pkt := make([]byte, 300)
			if bc.sync {
				pkt[0] = 's'
			}
			c := &loopConn{pkt: pkt, limit: int64(b.N), window: 256, wrote: make(chan struct{}, 1), done: make(chan struct{})}
			e, err := New(Config{Conn: c, Handler: echo, Logger: slog.New(slog.DiscardHandler), SyncInline: bc.inline,
				Sync: func(context.Context) error { return nil }})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if err := e.Run(context.Background()); err == nil {
				b.Fatal("Run returned nil, want the closed-conn error")
			}
			b.StopTimer()
			if w := c.written.Load(); w != int64(b.N) {
				b.Fatalf("written %d of %d", w, b.N)
			}
		})
	}
}
