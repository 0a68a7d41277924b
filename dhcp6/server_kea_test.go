package dhcp6

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/lease"
)

// TestKeaCompare runs the same conversations against kea-dhcp6 2.2 in a
// network namespace and against Handle with the same configuration, and
// requires the same answers: message types, options and their order,
// addresses, prefixes, lifetimes, T1/T2 and status codes. Status message
// texts are Kea's own sentences, so only their codes are compared.
func TestKeaCompare(t *testing.T) {
	if _, err := exec.LookPath("kea-dhcp6"); err != nil {
		labRequired(t, "kea-dhcp6 is not installed")
	}
	lab := newSrvLab(t)
	cli := lab.client(t)
	suites := []struct {
		name      string
		cfg       string
		scenarios []scenario
	}{
		{"basic", keaCompareConfig, keaScenarios},
		{"reservations-classes", keaResvConfig, keaResvScenarios},
		{"malformed", keaCompareConfig, keaMalformedScenarios},
	}
	for i, su := range suites {
		t.Run(su.name, func(t *testing.T) {
			cfgText := strings.ReplaceAll(su.cfg, "IFACE", lab.srvIf)
			kea := startKea(t, lab, cli, cfgText, i)
			c, err := config.Parse([]byte(cfgText))
			if err != nil {
				t.Fatal(err)
			}
			store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := NewServer(c.DHCP6, ServerOptions{Store: store, DataDir: t.TempDir(), Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			mine := &handleTarget{s: srv, iface: lab.srvIf, cliLL: lab.cliLL, srvAddr: lab.srvAddr}
			for _, sc := range su.scenarios {
				t.Run(sc.name, func(t *testing.T) { compareScenario(t, sc, kea, mine) })
			}
			if t.Failed() && os.Getenv("LHK_KEA_LOG") != "" {
				t.Logf("kea log:\n%s", lab.log(fmt.Sprintf("kea%d.out", i)))
			}
		})
	}
}

// startKea runs kea-dhcp6 with cfgText (plus an in-memory lease database
// and a debug log) in the lab's server namespace until the test ends, and
// waits until it answers.
func startKea(t *testing.T, lab *srvLab, cli *labClient, cfgText string, n int) *keaTarget {
	t.Helper()
	keaCfg := strings.Replace(cfgText, `"Dhcp6": {`, `"Dhcp6": {
  "lease-database": {"type": "memfile", "persist": false},
  "loggers": [{"name": "kea-dhcp6", "severity": "DEBUG", "debuglevel": 99, "output_options": [{"output": "`+
		filepath.Join(lab.dir, fmt.Sprintf("kea%d.out", n))+`"}]}],`, 1)
	cfgPath := filepath.Join(lab.dir, fmt.Sprintf("kea-dhcp6-%d.json", n))
	if err := os.WriteFile(cfgPath, []byte(keaCfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logName := fmt.Sprintf("kea%d.log", n)
	cmd := lab.start(t, lab.srvNS, logName, "kea-dhcp6", "-c", cfgPath)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_, _ = cmd.Process.Wait()
	})
	kea := &keaTarget{c: cli}
	probe := srvMsg(InformationRequest, 1, nil, nil)
	deadline := time.Now().Add(10 * time.Second)
	for kea.direct(t, probe) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("kea-dhcp6 does not answer:\n%s\n%s", lab.log(logName), lab.log(fmt.Sprintf("kea%d.out", n)))
		}
	}
	return kea
}

func compareScenario(t *testing.T, sc scenario, kea, mine target) {
	want := sc.run(t, kea)
	got := sc.run(t, mine)
	if len(want) != len(got) {
		t.Fatalf("kea gave %d answers, leasehold %d\nkea:\n%s\nleasehold:\n%s", len(want), len(got), strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	for i := range want {
		if testing.Verbose() {
			t.Logf("step %d: %s", i, want[i])
		}
		if want[i] != got[i] {
			t.Errorf("step %d differs\nkea:       %s\nleasehold: %s", i, want[i], got[i])
		}
	}
}

// keaCompareConfig is the configuration both servers get; IFACE is the
// lab interface.
const keaCompareConfig = `{"Dhcp6": {
  "interfaces-config": {"interfaces": ["IFACE/2001:db8:1::1"]},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "renew-timer": 1000, "rebind-timer": 2000,
  "decline-probation-period": 3600,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "htype": 1, "persist": false},
  "option-data": [
    {"name": "dns-servers", "data": "2001:db8::53, 2001:db8::54"},
    {"name": "domain-search", "data": "example.com, example.org"}
  ],
  "client-classes": [
    {"name": "VENDOR_CLASS_lhk-test", "option-data": [{"name": "sntp-servers", "data": "2001:db8::123"}]},
    {"name": "special", "test": "substring(option[1].hex, 0, 2) == 0x0004", "option-data": [{"name": "domain-search", "data": "special.example"}]}
  ],
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": "IFACE",
     "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}],
     "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56,
                   "excluded-prefix": "2001:db8:8000:ff::", "excluded-prefix-len": 64}],
     "reservations": [
       {"duid": "00:03:00:01:02:00:00:00:05:01", "ip-addresses": ["2001:db8:1::5"], "prefixes": ["2001:db8:9000::/56"], "hostname": "reserved-one"}
     ]},
    {"id": 2, "subnet": "2001:db8:2::/64", "rapid-commit": true,
     "pools": [{"pool": "2001:db8:2::100-2001:db8:2::1ff"}],
     "option-data": [{"name": "dns-servers", "data": "2001:db8:2::53"}]},
    {"id": 3, "subnet": "2001:db8:3::/64", "interface-id": "ifid-3",
     "pools": [{"pool": "2001:db8:3::100-2001:db8:3::1ff"}]}
  ]
}}`

// target is a server under comparison.
type target interface {
	direct(t *testing.T, q []byte) []byte
	unicast(t *testing.T, q []byte) []byte
	relayed(t *testing.T, q []byte) []byte
}

type keaTarget struct{ c *labClient }

func (k *keaTarget) direct(t *testing.T, q []byte) []byte {
	return k.c.send(t, false, k.c.multicastDst(), q, 600*time.Millisecond)
}

func (k *keaTarget) unicast(t *testing.T, q []byte) []byte {
	return k.c.send(t, false, netip.MustParseAddrPort("[2001:db8:1::1]:547"), q, 600*time.Millisecond)
}

func (k *keaTarget) relayed(t *testing.T, q []byte) []byte {
	return k.c.send(t, true, k.c.multicastDst(), q, 600*time.Millisecond)
}

type handleTarget struct {
	s       *Server
	iface   string
	cliLL   netip.Addr
	srvAddr netip.Addr
}

func (h *handleTarget) handle(t *testing.T, q []byte, src netip.AddrPort, dst netip.Addr) []byte {
	t.Helper()
	r, err := h.s.Handle(context.Background(), q, PacketMeta{Src: src, Dst: dst, IfName: h.iface, IfIndex: 2}, nil)
	if err != nil {
		return nil
	}
	return r.Data
}

func (h *handleTarget) direct(t *testing.T, q []byte) []byte {
	return h.handle(t, q, netip.AddrPortFrom(h.cliLL.WithZone(h.iface), ClientPort), netip.MustParseAddr("ff02::1:2"))
}

func (h *handleTarget) unicast(t *testing.T, q []byte) []byte {
	return h.handle(t, q, netip.AddrPortFrom(h.cliLL.WithZone(h.iface), ClientPort), h.srvAddr)
}

func (h *handleTarget) relayed(t *testing.T, q []byte) []byte {
	return h.handle(t, q, netip.AddrPortFrom(h.cliLL.WithZone(h.iface), ServerPort), netip.MustParseAddr("ff02::1:2"))
}

// scenario is a conversation; run returns a description of each answer.
type scenario struct {
	name string
	run  func(t *testing.T, tg target) []string
}

// convo keeps a client's state through a scenario.
type convo struct {
	t       *testing.T
	tg      target
	duid    []byte
	out     []string
	last    []byte // the last reply's client message options
	lastPkt Packet
}

func newConvo(t *testing.T, tg target, duid []byte) *convo {
	return &convo{t: t, tg: tg, duid: duid}
}

// step sends a message and records the answer.
func (c *convo) step(how string, q []byte) *Packet {
	c.t.Helper()
	var r []byte
	switch how {
	case "direct":
		r = c.tg.direct(c.t, q)
	case "unicast":
		r = c.tg.unicast(c.t, q)
	case "relayed":
		r = c.tg.relayed(c.t, q)
	}
	if r == nil {
		c.out = append(c.out, "no answer")
		return nil
	}
	c.out = append(c.out, dumpMessage(r))
	if err := c.lastPkt.Decode(r); err != nil {
		c.t.Fatalf("answer does not decode: %v", err)
	}
	c.last = c.lastPkt.Msg.Options
	return &c.lastPkt
}

// dumpMessage describes a message for comparison, status texts left out.
func dumpMessage(b []byte) string {
	var p Packet
	if err := p.Decode(b); err != nil {
		return "undecodable: " + err.Error()
	}
	var sb strings.Builder
	for _, h := range p.Hops() {
		fmt.Fprintf(&sb, "%s(hops=%d link=%v peer=%v ", h.Type, h.HopCount, h.LinkAddr, h.PeerAddr)
		for code, data := range h.Options.All() {
			if code != OptRelayMsg {
				fmt.Fprintf(&sb, "%v=%x ", code, data)
			}
		}
		sb.WriteString(") ")
	}
	fmt.Fprintf(&sb, "%s xid=%06x ", p.Msg.Type, p.Msg.TransactionID)
	dumpOptions(&sb, p.Msg.Options)
	return sb.String()
}

func dumpOptions(sb *strings.Builder, opts Options) {
	for code, data := range opts.All() {
		switch code {
		case OptIANA:
			v, _ := ParseIANA(data)
			fmt.Fprintf(sb, "IA_NA(%d t1=%d t2=%d ", v.IAID, v.T1, v.T2)
			dumpOptions(sb, v.Options)
			sb.WriteString(") ")
		case OptIATA:
			v, _ := ParseIATA(data)
			fmt.Fprintf(sb, "IA_TA(%d ", v.IAID)
			dumpOptions(sb, v.Options)
			sb.WriteString(") ")
		case OptIAPD:
			v, _ := ParseIAPD(data)
			fmt.Fprintf(sb, "IA_PD(%d t1=%d t2=%d ", v.IAID, v.T1, v.T2)
			dumpOptions(sb, v.Options)
			sb.WriteString(") ")
		case OptIAAddr:
			v, _ := ParseIAAddr(data)
			fmt.Fprintf(sb, "IAADDR(%v %d/%d ", v.Addr, v.Preferred, v.Valid)
			dumpOptions(sb, v.Options)
			sb.WriteString(") ")
		case OptIAPrefix:
			v, _ := ParseIAPrefix(data)
			fmt.Fprintf(sb, "IAPREFIX(%v %d/%d ", v.Prefix, v.Preferred, v.Valid)
			dumpOptions(sb, v.Options)
			sb.WriteString(") ")
		case OptStatusCode:
			v, _ := ParseStatusCode(data)
			fmt.Fprintf(sb, "STATUS(%v) ", v.Code)
		default:
			fmt.Fprintf(sb, "%v=%x ", code, data)
		}
	}
}
