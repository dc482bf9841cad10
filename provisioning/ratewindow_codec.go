package provisioning

import (
	"encoding/binary"
	"errors"
)

// rateWindowFormat is the first byte of an encoded RateWindow.
const rateWindowFormat = 1

// maxRateEntries bounds what UnmarshalBinary accepts: more than a window can ever hold.
const maxRateEntries = 4*exactCalls + 4

var errRateWindow = errors.New("rate window: malformed encoding")

// MarshalBinary encodes the window for the store: a format byte, then per entry its time as
// microseconds (the first absolute, the others after the previous one) and its calls, as
// uvarints. An empty window encodes as nil.
func (w RateWindow) MarshalBinary() ([]byte, error) {
	if len(w.entries) == 0 {
		return nil, nil
	}
	b := make([]byte, 1, 1+len(w.entries)*6+8)
	b[0] = rateWindowFormat
	prev := int64(0)
	for _, e := range w.entries {
		b = binary.AppendUvarint(b, uint64(e.at-prev))
		b = binary.AppendUvarint(b, uint64(e.calls))
		prev = e.at
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded; nil or empty is the empty window.
func (w *RateWindow) UnmarshalBinary(b []byte) error {
	w.entries = nil
	if len(b) == 0 {
		return nil
	}
	if b[0] != rateWindowFormat {
		return errRateWindow
	}
	b = b[1:]
	entries := make([]rateEntry, 0, min(len(b)/2, maxRateEntries))
	prev := int64(0)
	for len(b) > 0 {
		delta, n := binary.Uvarint(b)
		if n <= 0 || delta > 1<<62 {
			return errRateWindow
		}
		b = b[n:]
		calls, n := binary.Uvarint(b)
		if n <= 0 || calls == 0 || calls > 1<<40 || len(entries) == maxRateEntries ||
			(len(entries) > 0 && delta == 0) {
			return errRateWindow
		}
		b = b[n:]
		prev += int64(delta)
		entries = append(entries, rateEntry{at: prev, calls: int64(calls)})
	}
	w.entries = entries
	return nil
}
