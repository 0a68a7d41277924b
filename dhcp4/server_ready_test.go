package dhcp4

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// TestReady checks that Ready closes only once Serve has its sockets, so a
// daemon's start line never comes before the server can receive.
func TestReady(t *testing.T) {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s, err := NewServer(hConfig(t, hBasic), ServerOptions{Store: store, Conns: []net.PacketConn{pc}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Ready():
		t.Fatal("Ready closed before Serve")
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	select {
	case <-s.Ready():
	case err := <-served:
		t.Fatalf("Serve returned before Ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Ready not closed 10 s after Serve started")
	}
	cancel()
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}
