package hostname_test

import (
	"fmt"

	"github.com/leasehold/leasehold/internal/hostname"
)

// A DHCPv6 client sends the partial name "Laptop" + "\x01" in wire format;
// the server qualifies it, with and without the default
// hostname-char-set.
func Example() {
	n, partial, err := hostname.ParseWire([]byte("\x07Laptop\x01"))
	if err != nil {
		panic(err)
	}
	kept, _ := hostname.Adjust(n, partial, nil, "example.org")
	san, _ := hostname.NewSanitizer("[^A-Za-z0-9.-]", "")
	scrubbed, _ := hostname.Adjust(n, partial, san, "example.org")
	fmt.Println(kept.Text())
	fmt.Println(scrubbed.Text())
	// Output:
	// laptop\001.example.org.
	// laptop.example.org.
}
