package dhcp4

// MessageType is the value of option 53.
type MessageType uint8

// Message types: RFC 2132 section 9.6 (1-8), RFC 3203 (9), RFC 4388
// (10-13), RFC 6926 (14-15), RFC 7724 (16-18).
const (
	Discover         MessageType = 1
	Offer            MessageType = 2
	Request          MessageType = 3
	Decline          MessageType = 4
	Ack              MessageType = 5
	Nak              MessageType = 6
	Release          MessageType = 7
	Inform           MessageType = 8
	ForceRenew       MessageType = 9
	LeaseQuery       MessageType = 10
	LeaseUnassigned  MessageType = 11
	LeaseUnknown     MessageType = 12
	LeaseActive      MessageType = 13
	BulkLeaseQuery   MessageType = 14
	LeaseQueryDone   MessageType = 15
	ActiveLeaseQuery MessageType = 16
	LeaseQueryStatus MessageType = 17
	TLS              MessageType = 18
)

// messageTypeNames are the names Kea 2.2 logs and hands to hook scripts.
// Kea has no name for FORCERENEW and ACTIVELEASEQUERY and prints UNKNOWN,
// so String does too: log lines and run_script variables must match Kea's.
var messageTypeNames = [...]string{
	Discover:         "DHCPDISCOVER",
	Offer:            "DHCPOFFER",
	Request:          "DHCPREQUEST",
	Decline:          "DHCPDECLINE",
	Ack:              "DHCPACK",
	Nak:              "DHCPNAK",
	Release:          "DHCPRELEASE",
	Inform:           "DHCPINFORM",
	LeaseQuery:       "DHCPLEASEQUERY",
	LeaseUnassigned:  "DHCPLEASEUNASSIGNED",
	LeaseUnknown:     "DHCPLEASEUNKNOWN",
	LeaseActive:      "DHCPLEASEACTIVE",
	BulkLeaseQuery:   "DHCPBULKLEASEQUERY",
	LeaseQueryDone:   "DHCPLEASEQUERYDONE",
	LeaseQueryStatus: "DHCPLEASEQUERYSTATUS",
	TLS:              "DHCPTLS",
}

// String returns Kea's name for t ("DHCPDISCOVER", ...) or "UNKNOWN".
func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) && messageTypeNames[t] != "" {
		return messageTypeNames[t]
	}
	return "UNKNOWN"
}
