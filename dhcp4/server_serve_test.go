package dhcp4

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/lease"
)

// syncStore counts Syncs and can hold them, to see that replies wait for
// durability and that overload drops.
type syncStore struct {
	*lease.Memfile
	syncs atomic.Int64
	hold  atomic.Pointer[chan struct{}]
	// writes counts Add/Update/Delete since the last Sync; a reply sent
	// with writes pending broke the durability rule.
	writes atomic.Int64
}

func (s *syncStore) Sync(ctx context.Context) error {
	if h := s.hold.Load(); h != nil {
		<-*h
	}
	s.writes.Store(0)
	s.syncs.Add(1)
	return s.Memfile.Sync(ctx)
}

func (s *syncStore) Add4(ctx context.Context, l *lease.Lease4) error {
	s.writes.Add(1)
	return s.Memfile.Add4(ctx, l)
}

func (s *syncStore) Update4(ctx context.Context, l *lease.Lease4) error {
	s.writes.Add(1)
	return s.Memfile.Update4(ctx, l)
}

// served runs Serve's loop over an in-memory conn on a fake eth0.
type served struct {
	*harness
	conn  *engine.MemConn
	store *syncStore
	done  chan error
}

func newServed(t *testing.T, body string, mods ...func(*ServerOptions)) *served {
	t.Helper()
	mem, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	st := &syncStore{Memfile: mem}
	mods = append([]func(*ServerOptions){func(o *ServerOptions) { o.Store = st }}, mods...)
	h := newHarness(t, body, mods...)
	h.s.testIfaces = []ifaceInfo{{}, {name: "lo", known: true}, {name: "eth0", addr: hSrvAddr, served: true, known: true}}
	sv := &served{harness: h, conn: engine.NewMemConn(4096, 4096), store: st, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { sv.done <- h.s.serveConns(ctx, []engine.Conn{sv.conn}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-sv.done:
		case <-time.After(20 * time.Second):
			t.Error("Serve did not stop")
		}
		mem.Close()
	})
	return sv
}

func (sv *served) inject(c client) {
	sv.t.Helper()
	src := netip.MustParseAddrPort("0.0.0.0:68")
	dst := netip.AddrPortFrom(bcast, 67)
	if c.giaddr.IsValid() {
		src, dst = netip.AddrPortFrom(c.giaddr, 67), netip.AddrPortFrom(hSrvAddr, 67)
	}
	if !sv.conn.Inject(c.bytes(sv.t), src, dst, 2) {
		sv.t.Fatal("in-memory socket full")
	}
}

func (sv *served) next(want MessageType) (*Message, engine.Packet) {
	sv.t.Helper()
	select {
	case p := <-sv.conn.Sent():
		m := new(Message)
		if err := m.Decode(p.Data()); err != nil {
			sv.t.Fatalf("reply does not decode: %v", err)
		}
		if got, _ := m.MessageType(); got != want {
			sv.t.Fatalf("got %v, want %v", got, want)
		}
		return m, p
	case <-time.After(20 * time.Second):
		sv.t.Fatalf("no %v sent", want)
		return nil, engine.Packet{}
	}
}

func TestServeDORA(t *testing.T) {
	sv := newServed(t, hBasic)
	sv.inject(client{typ: Discover, mac: mac(1)})
	offer, p := sv.next(Offer)
	if !p.Raw || p.Dst != netip.AddrPortFrom(offer.YIAddr, 68) || p.Src != netip.AddrPortFrom(hSrvAddr, 67) || p.IfIndex != 2 {
		t.Errorf("OFFER sent raw=%v to %v from %v on %d", p.Raw, p.Dst, p.Src, p.IfIndex)
	}
	syncs := sv.store.syncs.Load()
	sv.inject(client{typ: Request, mac: mac(1), reqIP: offer.YIAddr, srvID: hSrvAddr})
	sv.next(Ack)
	if sv.store.syncs.Load() == syncs {
		t.Error("ACK sent without a sync of the lease")
	}
	if sv.store.writes.Load() != 0 {
		t.Error("ACK sent while the lease write was not yet synced")
	}
	// A packet from an interface the configuration does not serve.
	sv.conn.Inject(client{typ: Discover, mac: mac(2)}.bytes(t), netip.MustParseAddrPort("0.0.0.0:68"),
		netip.AddrPortFrom(bcast, 67), 1)
	waitFor(t, func() bool { return sv.s.Counters().Dropped[DropInterface] == 1 })
}

// Replies that promise leases wait for the sync; with the committer stuck
// the bounded queue fills and the server drops and counts, without
// growing. (Without a committer, the default, the packet loop itself waits
// for the sync and the socket's buffer is the bound.)
func TestServeOverload(t *testing.T) {
	sv := newServed(t, `"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.250"}]}]`, func(o *ServerOptions) { o.Committer = true })
	hold := make(chan struct{})
	sv.store.hold.Store(&hold)
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	defer release()
	n := 0
	for i := range 1500 {
		c := client{typ: Request, mac: [6]byte{2, 0, 0, 0, byte(i >> 8), byte(i)}, reqIP: addrOf(u32(hAddr10) + uint32(i%200)), srvID: hSrvAddr}
		if sv.conn.Inject(c.bytes(t), netip.MustParseAddrPort("0.0.0.0:68"), netip.AddrPortFrom(bcast, 67), 2) {
			n++
		}
		if i%64 == 63 {
			time.Sleep(time.Millisecond) // let the reader take batches
		}
	}
	waitFor(t, func() bool { return sv.s.Counters().Received.Total >= uint64(n) })
	if c := sv.s.Counters(); c.Dropped[DropOverload] == 0 {
		t.Errorf("no overload drops with the sync held: %+v", c.Dropped)
	}
	select {
	case <-sv.conn.Sent():
		t.Error("a reply went out before its lease was synced")
	default:
	}
	release()
	sv.next(Ack)
}

// A leases4_committed callout parks the ACK and resumes it later; the
// reply then goes out through the loop.
func TestServeParkedCommit(t *testing.T) {
	handles := make(chan hooks.ParkHandle, 1)
	lib := &hookLib{reg: hooks.Registration{hooks.Leases4Committed: hooks.Sync},
		call: func(p hooks.Point, a *hooks.Args) hooks.NextStep {
			handles <- a.Park
			return hooks.Park
		}}
	sv := newServed(t, hBasic, withHooks(t, lib))
	sv.inject(client{typ: Request, mac: mac(1), reqIP: hAddr10, srvID: hSrvAddr})
	h := <-handles
	select {
	case p := <-sv.conn.Sent():
		t.Fatalf("reply %x sent while parked", p.Data()[:8])
	case <-time.After(50 * time.Millisecond):
	}
	if err := h.Resume(hooks.Unpark{Step: hooks.Continue}); err != nil {
		t.Fatal(err)
	}
	if m, _ := sv.next(Ack); m.YIAddr != hAddr10 {
		t.Errorf("resumed ACK for %v", m.YIAddr)
	}
	if c := sv.s.Counters(); c.ParkedReplies != 1 {
		t.Errorf("parked counter %d", c.ParkedReplies)
	}
}

// Reconfigure while clients come and go: every ACKed lease is still held
// by its client afterwards, and in-flight packets finish.
func TestReconfigureUnderLoad(t *testing.T) {
	cfgA := hBasic
	cfgB := `"interfaces-config": {"interfaces": ["eth0"]}, "valid-lifetime": 5000,
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}],
		"option-data": [{"name": "routers", "data": "192.0.2.254"}]}]`
	sv := newServed(t, cfgA)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := cfgA
			if i%2 == 1 {
				body = cfgB
			}
			if err := sv.s.Reconfigure(hConfig(t, body)); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	acked := map[[6]byte]netip.Addr{}
	for i := range 10 {
		c := client{mac: mac(byte(i + 1)), xid: uint32(i)}
		c.typ = Discover
		sv.inject(c)
		offer, _ := sv.next(Offer)
		c.typ, c.reqIP, c.srvID = Request, offer.YIAddr, hSrvAddr
		sv.inject(c)
		ack, _ := sv.next(Ack)
		acked[c.mac] = ack.YIAddr
	}
	close(stop)
	wg.Wait()
	if err := sv.s.Reconfigure(hConfig(t, cfgB)); err != nil {
		t.Fatal(err)
	}
	for m, a := range acked {
		l, err := sv.store.Get4(t.Context(), a)
		if err != nil || string(l.HWAddr) != string(m[:]) {
			t.Errorf("lease of %x at %v lost: %+v %v", m, a, l, err)
		}
	}
	// A bad configuration leaves the running one in force.
	if err := sv.s.Reconfigure(hConfig(t, `"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "client-class": "x",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}], "option-data": [{"name": "routers", "data": "192.0.2.1"}]}],
		"client-classes": [{"name": "x", "test": "option[60].exists and"}]`)); err == nil {
		t.Error("a configuration with a broken class test was accepted")
	}
	if v := sv.s.view.Load(); v.cfg.ValidLifetime.Default != 5000 {
		t.Errorf("running configuration changed by a failed Reconfigure: valid %d", v.cfg.ValidLifetime.Default)
	}
}

func TestShutdown(t *testing.T) {
	sv := newServed(t, hBasic)
	sv.inject(client{typ: Discover, mac: mac(1)})
	sv.next(Offer)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sv.s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-sv.done; err != nil {
		t.Errorf("Serve = %v after Shutdown", err)
	}
	sv.done <- nil // for the cleanup
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}

// The reclamation timer runs under Serve: with reclaim-timer-wait-time 1 a
// lease past its expiry (by the server's clock) is reclaimed within about
// a second, and the store is synced.
func TestServeReclaimTimer(t *testing.T) {
	sv := newServed(t, hBasic+`, "expired-leases-processing": {"reclaim-timer-wait-time": 1, "hold-reclaimed-time": 60}`)
	sv.inject(client{typ: Discover, mac: mac(1)})
	offer, _ := sv.next(Offer)
	sv.inject(client{typ: Request, mac: mac(1), reqIP: offer.YIAddr, srvID: hSrvAddr})
	sv.next(Ack)
	sv.mu.Lock()
	sv.now = sv.now.Add(5000 * time.Second)
	sv.mu.Unlock()
	syncs := sv.store.syncs.Load()
	waitFor(t, func() bool {
		l, err := sv.store.Get4(t.Context(), offer.YIAddr)
		return err == nil && l.State == lease.StateExpiredReclaimed
	})
	waitFor(t, func() bool { return sv.store.syncs.Load() > syncs })
	if c := sv.s.Counters(); c.LeasesReclaimed != 1 {
		t.Errorf("reclaimed %d", c.LeasesReclaimed)
	}
}
