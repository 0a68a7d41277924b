package main

import (
	"bytes"
	"encoding/json"
)

// strictJSON decodes parameters and refuses unknown keys, so a misspelt
// parameter fails the configuration instead of being ignored.
func strictJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
