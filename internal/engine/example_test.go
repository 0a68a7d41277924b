package engine_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/internal/engine"
)

// An engine echoing datagrams over an in-memory conn, syncing before each
// batch's replies.
func Example() {
	conn := engine.NewMemConn(8, 8)
	e, err := engine.New(engine.Config{
		Conn: conn,
		Handler: func(in, out *engine.Packet) engine.Verdict {
			out.Buf = append(out.Buf[:0], in.Data()...)
			out.N, out.Dst = len(out.Buf), in.Src
			return engine.Send | engine.NeedSync
		},
		Sync: func(context.Context) error { fmt.Println("synced"); return nil },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()

	conn.Inject([]byte("hello"), netip.MustParseAddrPort("192.0.2.10:68"), netip.MustParseAddrPort("192.0.2.1:67"), 1)
	p := <-conn.Sent()
	fmt.Printf("%s to %v\n", p.Data(), p.Dst)
	cancel()
	fmt.Println(<-done)
	// Output:
	// synced
	// hello to 192.0.2.10:68
	// <nil>
}
