// Command bench measures leasehold's DHCP servers beside ISC Kea 2.2 under
// perfdhcp load, in a pair of network namespaces it creates and removes.
//
// Each server runs pinned to CPU 0 and perfdhcp to CPU 1. For every offered
// rate the table shows the achieved exchange rate, the share of exchanges
// that did not complete, perfdhcp's average delay of the last stage and the
// server's CPU time (utime+stime from /proc) per completed exchange: the
// figure a 2-core machine measures fairly even when perfdhcp is the limit.
// Both servers get the same Kea JSON configuration with a durable memfile.
// The "floor" server (bench/floor, built by the bench) answers with fixed
// replies and no lease logic, with one fdatasync per batch of ACKs or
// REPLYs: its row shows where perfdhcp, not the server, is the limit.
//
//	go build -o /tmp/leasehold-dhcp4 ./cmd/leasehold-dhcp4
//	sudo go run ./bench -family 4 -leasehold4 /tmp/leasehold-dhcp4
//
// With -hooks, leasehold is measured with and without a hook library
// (a plugin executable, or the name of one of the module's examples, which
// is built with go build from the module's directory), the two runs
// alternating at each rate so that a noisy machine disturbs both alike,
// and a second table gives the ratios. The plugin inherits the server's CPU
// (and so competes with it), and its CPU time counts in the server's, as
// it is also shown apart:
//
//	sudo go run ./bench -servers leasehold -hooks plugin-observe -rates 2000,10000,max -duration 5s -rounds 2
//
// hooks/e2e/testplugins/nullobserver, an observer that does nothing, gives
// the floor of the observer transport's cost:
//
//	go build -o /tmp/nullobserver ./hooks/e2e/testplugins/nullobserver
//	sudo go run ./bench -servers leasehold -hooks /tmp/nullobserver
//
// With -rss N it measures memory instead: each server's VmRSS and VmHWM
// with N active leases loaded from a Kea lease file, and the load time
// (see rss.go):
//
//	sudo go run ./bench -rss 1000000 -family 4 -servers kea,leasehold -leasehold4 /tmp/leasehold-dhcp4
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
	servers := flag.String("servers", "floor,kea,leasehold", "servers to measure, comma separated: floor (a no-logic responder, the client's limit), kea, leasehold")
	rates := flag.String("rates", "2000,5000,10000,20000,max", "offered exchanges per second; max floods")
	duration := flag.Duration("duration", 10*time.Second, "length of each run")
	clients := flag.Int("clients", 10000, "simulated clients (perfdhcp -R), smaller than the pool")
	lh4 := flag.String("leasehold4", "leasehold-dhcp4", "leasehold DHCPv4 daemon binary")
	lh6 := flag.String("leasehold6", "leasehold-dhcp6", "leasehold DHCPv6 daemon binary")
	modes := flag.String("v6modes", "address-only,prefix-only", "perfdhcp -e lease types for -family 6")
	hookSpec := flag.String("hooks", "", "also measure leasehold with this hook library: a plugin executable, or an example's name (plugin-observe)")
	hookParams := flag.String("hooks-params", "", "the hook library's parameters (JSON)")
	hookSettings := flag.String("hooks-settings", "", `the hook library's "leasehold" settings (JSON), e.g. {"reply-spin-us": 0}`)
	rounds := flag.Int("rounds", 1, "with -hooks: how many times to alternate the runs without and with the library")
	rssLeases := flag.Int("rss", 0, "instead of load: memory of each server with this many active leases loaded (see rss.go)")
	rssProfile := flag.String("rss-profile", "", "with -rss: write the heap profile of the in-process lease load here")
	flag.Parse()
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root to create network namespaces")
	}
	rateList, err := parseRates(*rates)
	if err != nil {
		return err
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds %d: want at least 1", *rounds)
	}
	lab, err := newBenchLab()
	if err != nil {
		return err
	}
	defer lab.Close()
	if *rssLeases > 0 {
		return measureRSS(lab, *family, *servers, *lh4, *lh6, *rssLeases, *rssProfile, os.Stdout)
	}
	var hook *hookLib
	if *hookSpec != "" {
		if hook, err = buildHook(*hookSpec, *hookParams, *hookSettings, lab.dir); err != nil {
			return err
		}
	}

	var rows []row
	v6modes := []string{""}
	if *family == 6 {
		v6modes = strings.Split(*modes, ",")
	}
	var floorBin string
	if strings.Contains(","+*servers+",", ",floor,") {
		if floorBin, err = buildFloor(lab.dir); err != nil {
			return err
		}
	}
	for _, name := range strings.Split(*servers, ",") {
		srv, err := newServer(name, *family, *lh4, *lh6, floorBin)
		if err != nil {
			return err
		}
		variants, n := []server{srv}, 1
		if hook != nil && name == "leasehold" {
			hooked := srv
			hooked.hook = hook
			variants, n = append(variants, hooked), *rounds
		}
		for _, mode := range v6modes {
			for _, rate := range rateList {
				for range n {
					for _, v := range variants {
						r, err := measure(lab, v, *family, mode, rate, *duration, *clients)
						if err != nil {
							return fmt.Errorf("%s at %s: %w", name, rateName(rate), err)
						}
						rows = append(rows, r)
						fmt.Fprintln(os.Stderr, r.String())
					}
				}
			}
		}
	}
	printTable(os.Stdout, *family, rows)
	if hook != nil {
		fmt.Fprintln(os.Stdout)
		printRatios(os.Stdout, rows)
	}
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
