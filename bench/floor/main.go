// Command floor is the benchmark's no-logic DHCP responder: the floor that
// the kernel, Go's runtime and perfdhcp set, measured beside the real
// servers in the same run (bench -servers floor,kea,leasehold).
//
// It answers every DISCOVER/REQUEST with a fixed OFFER/ACK and every
// SOLICIT/REQUEST with a fixed ADVERTISE/REPLY, keeps no leases and decides
// nothing. What it does do is what any durable server must: one goroutine
// reads a batch (it waits for one datagram, then takes what is already
// queued), appends a lease line per ACK or REPLY to the lease file, makes
// them durable with one fdatasync for the batch, and then sends the
// batch's replies.
//
// It takes the Kea configuration file the bench gives every server and
// reads from it only the family (Dhcp4 or Dhcp6), the interface and the
// lease file name:
//
//	floor -c config.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// settings is what the floor takes from a Kea configuration.
type settings struct {
	family int
	iface  string
	leases string
}

func readConfig(path string) (settings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return settings{}, err
	}
	type section struct {
		InterfacesConfig struct {
			Interfaces []string `json:"interfaces"`
		} `json:"interfaces-config"`
		LeaseDatabase struct {
			Name string `json:"name"`
		} `json:"lease-database"`
	}
	var doc struct {
		Dhcp4 *section `json:"Dhcp4"`
		Dhcp6 *section `json:"Dhcp6"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return settings{}, fmt.Errorf("%s: %w", path, err)
	}
	s, sec := settings{family: 4}, doc.Dhcp4
	if sec == nil {
		s.family, sec = 6, doc.Dhcp6
	}
	if sec == nil {
		return settings{}, fmt.Errorf("%s: neither Dhcp4 nor Dhcp6", path)
	}
	if len(sec.InterfacesConfig.Interfaces) != 1 || sec.LeaseDatabase.Name == "" {
		return settings{}, fmt.Errorf("%s: want one interface and a lease file name", path)
	}
	s.iface, s.leases = sec.InterfacesConfig.Interfaces[0], sec.LeaseDatabase.Name
	return s, nil
}

func run() error {
	cfg := flag.String("c", "", "Kea configuration file")
	flag.Parse()
	s, err := readConfig(*cfg)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(s.leases, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := listen(s)
	if err != nil {
		return err
	}
	// The servers' receive buffer (leasehold asks for 1 MiB too), so that
	// what the floor drops is what any of them would.
	if err := c.SetReadBuffer(1 << 20); err != nil {
		return err
	}
	// A signal closes the socket, which ends the loop.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; c.Close() }()
	l := &loop{family: s.family, leases: f}
	if err := l.serve(c); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// listen opens port 67 (v4) or 547 (v6, joined to ff02::1:2 on the
// interface) on every address of the namespace.
func listen(s settings) (*net.UDPConn, error) {
	if s.family == 4 {
		return net.ListenUDP("udp4", &net.UDPAddr{Port: 67})
	}
	ifi, err := net.InterfaceByName(s.iface)
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified, Port: 547})
	if err != nil {
		return nil, err
	}
	group := &net.UDPAddr{IP: net.ParseIP("ff02::1:2")}
	if err := ipv6.NewPacketConn(c).JoinGroup(ifi, group); err != nil {
		c.Close()
		return nil, fmt.Errorf("joining %v on %s: %w", group.IP, s.iface, err)
	}
	return c, nil
}

const batchSize = 64

// loop is the responder's state: a batch of datagrams in and replies out.
type loop struct {
	family int
	leases *os.File

	in    [batchSize][1500]byte
	inN   [batchSize]int
	from  [batchSize]unix.Sockaddr
	out   [batchSize][]byte
	n     int
	lines []byte
}

// serve reads, answers and syncs batch after batch until the socket closes.
func (l *loop) serve(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	for i := range l.out {
		l.out[i] = make([]byte, 0, 512)
	}
	var rerr error
	read := func(fd uintptr) bool {
		// The socket is non-blocking under Go's poller: take what is
		// queued; with nothing, false makes the poller wait.
		for l.n < batchSize {
			n, from, err := unix.Recvfrom(int(fd), l.in[l.n][:], 0)
			if err == unix.EAGAIN || err == unix.EINTR {
				break
			}
			if err != nil {
				rerr = err
				return true
			}
			l.inN[l.n], l.from[l.n] = n, from
			l.n++
		}
		return l.n > 0
	}
	for {
		l.n, rerr = 0, nil
		if err := rc.Read(read); err != nil {
			return err
		}
		if rerr != nil {
			return rerr
		}
		if err := l.answer(rc); err != nil {
			return err
		}
	}
}

// answer builds the batch's replies, makes the leases they promise
// durable with one fdatasync, then sends them.
func (l *loop) answer(rc syscall.RawConn) error {
	l.lines = l.lines[:0]
	for i := range l.n {
		var durable bool
		if l.family == 4 {
			l.out[i], durable = reply4(l.out[i][:0], l.in[i][:l.inN[i]])
		} else {
			l.out[i], durable = reply6(l.out[i][:0], l.in[i][:l.inN[i]])
		}
		if durable {
			l.lines = append(l.lines, leaseLine(l.family)...)
		}
	}
	if len(l.lines) > 0 {
		if _, err := l.leases.Write(l.lines); err != nil {
			return err
		}
		if err := syscall.Fdatasync(int(l.leases.Fd())); err != nil {
			return err
		}
	}
	return rc.Write(func(fd uintptr) bool {
		for i := range l.n {
			if len(l.out[i]) > 0 {
				// A full send buffer drops the reply, as a lost datagram.
				_ = unix.Sendto(int(fd), l.out[i], 0, l.from[i])
			}
		}
		return true
	})
}

// leaseLine is a fixed memfile row: the floor writes what a lease costs to
// write, not a lease.
func leaseLine(family int) string {
	if family == 4 {
		return "198.18.1.1,02:00:00:00:00:01,,4000,1800000000,1,0,0,,0,,0\n"
	}
	return "2001:db8:18::1:1,00:03:00:01:02:00:00:00:00:01,4000,1800000000,1,3000,0,1,128,0,0,,,0,,0\n"
}
