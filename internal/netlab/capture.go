package netlab

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Capture is a dumpcap process writing a classic pcap file (Ethernet link
// type) of one interface.
type Capture struct {
	Proc *Process
	File string
}

var captureStarted = regexp.MustCompile(`^(Capturing on|File:)`)

// StartCapture runs dumpcap on ifName inside ns, writing classic pcap (-P)
// to file with the capture filter filter (BPF syntax, "" for all). It
// returns when dumpcap is capturing.
func (l *Lab) StartCapture(ctx context.Context, ns, ifName, file, filter string) (*Capture, error) {
	args := []string{"-q", "-P", "-i", ifName, "-w", file}
	if filter != "" {
		args = append(args, "-f", filter)
	}
	p, err := l.Start(ns, "dumpcap", args...)
	if err != nil {
		return nil, err
	}
	if _, err := p.WaitOutput(ctx, captureStarted); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("netlab %s: dumpcap on %s: %w", l.ID, ifName, err)
	}
	// dumpcap says so a little before its socket sees packets: the first
	// exchange of a client started at once was seen missing.
	time.Sleep(500 * time.Millisecond)
	return &Capture{Proc: p, File: file}, nil
}

// Stop lets packets in flight arrive, then ends dumpcap, which closes the
// file.
func (c *Capture) Stop() error {
	time.Sleep(300 * time.Millisecond)
	if err := c.Proc.Stop(); err != nil {
		return fmt.Errorf("netlab: dumpcap for %s: %w: %s", c.File, err, tail([]byte(c.Proc.Output()), 300))
	}
	return nil
}
