package main

import (
	"os"
	"testing"
)

func TestParsePerfdhcp(t *testing.T) {
	out, err := os.ReadFile("testdata/perfdhcp4.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := parsePerfdhcp(out)
	if err != nil {
		t.Fatal(err)
	}
	want := perfResult{Rate: 6142.19, FirstSent: 130943, Sent: 35209, Received: 30787, AvgDelay: 11.613}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	if got := r.DropPercent(); got < 76.4 || got > 76.5 {
		t.Errorf("drop %% = %.3f, want about 76.49", got)
	}
	if _, err := parsePerfdhcp([]byte("perfdhcp: bad option\n")); err == nil {
		t.Error("output without statistics parsed without error")
	}
}

func TestCPUTimeSelf(t *testing.T) {
	d, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d < 0 {
		t.Fatalf("negative cpu time %v", d)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("cpu time of a missing pid gave no error")
	}
}
