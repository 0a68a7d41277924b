// Command bench measures leasehold's DHCP servers beside ISC Kea 2.2 under
// perfdhcp load, in a pair of network namespaces it creates and removes.
//
// Each server runs pinned to CPU 0 and perfdhcp to CPU 1. For every offered
// rate the table shows the achieved exchange rate, the share of exchanges
// that did not complete, perfdhcp's average delay of the last stage and the
// server's CPU time (utime+stime from /proc) per completed exchange: the
// figure a 2-core machine measures fairly even when perfdhcp is the limit.
// Both servers get the same Kea JSON configuration with a durable memfile.
//
//	go build -o /tmp/leasehold-dhcp4 ./cmd/leasehold-dhcp4
//	sudo go run ./bench -family 4 -leasehold4 /tmp/leasehold-dhcp4
//
// Benchmark traffic stays inside the namespaces on 198.18.0.0/15 and
// 2001:db8:18::/48.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	family := flag.Int("family", 4, "4 for DORA, 6 for SARR (IA_NA, then IA_PD)")
	servers := flag.String("servers", "kea,leasehold", "servers to measure, comma separated")
	rates := flag.String("rates", "2000,5000,10000,20000,max", "offered exchanges per second; max floods")
	duration := flag.Duration("duration", 10*time.Second, "length of each run")
	clients := flag.Int("clients", 10000, "simulated clients (perfdhcp -R), smaller than the pool")
	lh4 := flag.String("leasehold4", "leasehold-dhcp4", "leasehold DHCPv4 daemon binary")
	lh6 := flag.String("leasehold6", "leasehold-dhcp6", "leasehold DHCPv6 daemon binary")
	modes := flag.String("v6modes", "address-only,prefix-only", "perfdhcp -e lease types for -family 6")
	flag.Parse()
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root to create network namespaces")
	}
	rateList, err := parseRates(*rates)
	if err != nil {
		return err
	}
	lab, err := newBenchLab()
	if err != nil {
		return err
	}
	defer lab.Close()

	var rows []row
	v6modes := []string{""}
	if *family == 6 {
		v6modes = strings.Split(*modes, ",")
	}
	for _, name := range strings.Split(*servers, ",") {
		srv, err := newServer(name, *family, *lh4, *lh6)
		if err != nil {
			return err
		}
		for _, mode := range v6modes {
			for _, rate := range rateList {
				r, err := measure(lab, srv, *family, mode, rate, *duration, *clients)
				if err != nil {
					return fmt.Errorf("%s at %s: %w", name, rateName(rate), err)
				}
				rows = append(rows, r)
				fmt.Fprintln(os.Stderr, r.String())
			}
		}
	}
	printTable(os.Stdout, *family, rows)
	return nil
}

func parseRates(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f == "max" {
			out = append(out, 0)
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad rate %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func rateName(r int) string {
	if r == 0 {
		return "max"
	}
	return strconv.Itoa(r)
}
