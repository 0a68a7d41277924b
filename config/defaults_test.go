package config

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"testing"
)

// Kea 2.2's defaults, as SimpleParser4/6 and the configuration classes of
// Kea-2.2.0 set them (and as kea-dhcp4 -t accepts an empty map).
var wantDDNS = DDNSParams{
	SendUpdates: true, ReplaceClientName: "never", GeneratedPrefix: "myhost",
	UseConflictResolution: true, HostnameCharSet: "[^A-Za-z0-9.-]",
}

func wantServer(v6 bool) Server {
	s := Server{
		InterfacesConfig: InterfacesConfig{DHCPSocketType: "raw", OutboundInterface: "same-as-inbound", ServiceSocketsRetryWaitTime: 5000},
		LeaseDatabase:    LeaseDatabase{Type: "memfile", Persist: true, LFCInterval: 3600},
		ExpiredLeasesProcessing: ExpiredLeasesProcessing{ReclaimTimerWaitTime: 10, FlushReclaimedTimerWaitTime: 25,
			HoldReclaimedTime: 3600, MaxReclaimLeases: 100, MaxReclaimTime: 250, UnwarnedReclaimCycles: 5},
		DeclineProbationPeriod:      86400,
		ParkedPacketLimit:           256,
		MultiThreading:              MultiThreading{PacketQueueSize: 64},
		SanityChecks:                SanityChecks{LeaseChecks: "warn"},
		DHCPQueueControl:            QueueControl{QueueType: "kea-ring4", Capacity: 64},
		DHCPDDNS:                    DHCPDDNS{ServerIP: netip.MustParseAddr("127.0.0.1"), ServerPort: 53001, SenderIP: netip.MustParseAddr("0.0.0.0"), MaxQueueSize: 1024, NCRProtocol: "UDP", NCRFormat: "JSON"},
		HostReservationIdentifiers:  []IdentifierType{IDHWAddress, IDDUID, IDCircuitID, IDClientID},
		IPReservationsUnique:        true,
		StatisticDefaultSampleCount: 20,
		JSON:                        json.RawMessage(`{}`),
	}
	if v6 {
		s.InterfacesConfig.DHCPSocketType, s.InterfacesConfig.OutboundInterface = "", ""
		s.DHCPQueueControl.QueueType = "kea-ring6"
		s.HostReservationIdentifiers = []IdentifierType{IDHWAddress, IDDUID}
	}
	return s
}

func TestDefaults4(t *testing.T) {
	cfg, err := Parse([]byte(`{ "Dhcp4": { } }`))
	if err != nil {
		t.Fatal(err)
	}
	want := &DHCP4{
		Server: wantServer(false),
		Params4: Params4{
			ValidLifetime:     Lifetime{7200, 7200, 7200},
			CalculateTeeTimes: false, T1Percent: 0.5, T2Percent: 0.875,
			MatchClientID: true, NextServer: netip.MustParseAddr("0.0.0.0"),
			ReservationModes: ReservationModes{InSubnet: true},
			Allocator:        "iterative",
			DDNS:             wantDDNS,
		},
		EchoClientID: true,
	}
	if !reflect.DeepEqual(cfg.DHCP4, want) {
		t.Errorf("defaults differ:\n got %s\nwant %s", dump(cfg.DHCP4), dump(want))
	}
	if cfg.DHCP6 != nil {
		t.Errorf("DHCP6 = %+v, want nil", cfg.DHCP6)
	}
}

func TestDefaults6(t *testing.T) {
	cfg, err := Parse([]byte(`{ "Dhcp6": { } }`))
	if err != nil {
		t.Fatal(err)
	}
	want := &DHCP6{
		Server: wantServer(true),
		Params6: Params6{
			ValidLifetime:     Lifetime{7200, 7200, 7200},
			PreferredLifetime: Lifetime{3600, 3600, 3600},
			CalculateTeeTimes: true, T1Percent: 0.5, T2Percent: 0.8,
			ReservationModes: ReservationModes{InSubnet: true},
			Allocator:        "iterative", PDAllocator: "iterative",
			DDNS: wantDDNS,
		},
		ServerID:             ServerID{Type: "LLT", Persist: true},
		MACSources:           []string{"any"},
		RelaySuppliedOptions: []uint16{65},
	}
	if !reflect.DeepEqual(cfg.DHCP6, want) {
		t.Errorf("defaults differ:\n got %s\nwant %s", dump(cfg.DHCP6), dump(want))
	}
}

// TestSectionDefaults checks the defaults inside maps that are present but
// empty or partial.
func TestSectionDefaults(t *testing.T) {
	cfg, err := Parse([]byte(v4(`"interfaces-config": { "interfaces": [ "*", "eth1/192.0.2.1" ] },
		"lease-database": { "type": "memfile", "name": "/tmp/l.csv" },
		"loggers": [ { "name": "kea-dhcp4", "severity": "debug", "output_options": [ { "output": "/tmp/x.log" } ] } ],
		"hooks-libraries": [ { "library": "/usr/lib/x.so" }, { "library": "/usr/lib/y.so", "parameters": { "a": [1, "b"] }, "leasehold": { "deadline-ms": 50 } } ],
		"multi-threading": { "enable-multi-threading": true },
		"dhcp-queue-control": { "enable-queue": true, "my-key": 5 }`)))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.DHCP4
	wantIfaces := []Interface{{Name: "*"}, {Name: "eth1", Addr: netip.MustParseAddr("192.0.2.1")}}
	if !reflect.DeepEqual(c.InterfacesConfig.Interfaces, wantIfaces) || !c.InterfacesConfig.ReDetect || c.InterfacesConfig.DHCPSocketType != "raw" {
		t.Errorf("interfaces-config: %+v", c.InterfacesConfig)
	}
	if c.LeaseDatabase != (LeaseDatabase{Type: "memfile", Name: "/tmp/l.csv", Persist: true, LFCInterval: 3600}) {
		t.Errorf("lease-database: %+v", c.LeaseDatabase)
	}
	wantLog := []Logger{{Name: "kea-dhcp4", Severity: "DEBUG", OutputOptions: []LogOutput{{Output: "/tmp/x.log", MaxSize: 10240000, MaxVer: 1, Flush: true}}}}
	if !reflect.DeepEqual(c.Loggers, wantLog) {
		t.Errorf("loggers: %+v", c.Loggers)
	}
	if len(c.HooksLibraries) != 2 || c.HooksLibraries[0].Parameters != nil || string(c.HooksLibraries[1].Parameters) != `{"a":[1,"b"]}` ||
		c.HooksLibraries[0].Leasehold != nil || string(c.HooksLibraries[1].Leasehold) != `{"deadline-ms":50}` {
		t.Errorf("hooks: %+v", c.HooksLibraries)
	}
	if !reflect.DeepEqual(c.MultiThreading, MultiThreading{EnableMultiThreading: true, PacketQueueSize: 64}) {
		t.Errorf("multi-threading: %+v", c.MultiThreading)
	}
	if q := c.DHCPQueueControl; !q.EnableQueue || q.QueueType != "kea-ring4" || q.Capacity != 64 || string(q.Raw) != `{"enable-queue":true,"my-key":5}` {
		t.Errorf("dhcp-queue-control: %+v", q)
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
