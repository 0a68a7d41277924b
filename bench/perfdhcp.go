package main

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// perfResult is what one perfdhcp run reports: the exchange rate it
// achieved and, for the last stage of the exchange (REQUEST-ACK or
// REQUEST-REPLY), how many requests were sent and answered.
type perfResult struct {
	Rate      float64 // completed exchanges per second, as perfdhcp counts them
	Sent      int     // requests of the final stage sent
	Received  int     // replies of the final stage received
	FirstSent int     // DISCOVER or SOLICIT sent
	AvgDelay  float64 // milliseconds, final stage
}

// DropPercent is the share of initiated exchanges that did not complete.
func (r perfResult) DropPercent() float64 {
	if r.FirstSent == 0 {
		return 0
	}
	return 100 * float64(r.FirstSent-r.Received) / float64(r.FirstSent)
}

// parsePerfdhcp reads perfdhcp's final report. The report has one
// "Statistics for:" block per exchange stage; the first gives the number of
// exchanges started and the last the number completed.
func parsePerfdhcp(out []byte) (perfResult, error) {
	var r perfResult
	stage := -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch {
		case key == "Rate":
			f, _, _ := strings.Cut(val, " ")
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return r, fmt.Errorf("perfdhcp rate %q: %w", val, err)
			}
			r.Rate = v
		case strings.HasPrefix(line, "***Statistics for"):
			stage++
		case key == "sent packets" && stage >= 0:
			n, err := strconv.Atoi(val)
			if err != nil {
				return r, fmt.Errorf("perfdhcp sent packets %q: %w", val, err)
			}
			if stage == 0 {
				r.FirstSent = n
			}
			r.Sent = n
		case key == "received packets" && stage >= 0:
			n, err := strconv.Atoi(val)
			if err != nil {
				return r, fmt.Errorf("perfdhcp received packets %q: %w", val, err)
			}
			r.Received = n
		case key == "avg delay" && stage >= 0:
			f, _, _ := strings.Cut(val, " ")
			v, err := strconv.ParseFloat(f, 64)
			if err == nil {
				r.AvgDelay = v
			}
		}
	}
	if stage < 0 {
		return r, fmt.Errorf("perfdhcp output has no statistics:\n%s", out)
	}
	return r, nil
}
