package web

import (
	"bytes"
	"encoding/gob"
	"maps"
	"testing"
)

func gobValues(t *testing.T, values map[any]any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(values); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Session data decoded again from the cache reads as the first time, and
// what one request changes in its session's values is not what the next
// request of the same session starts from.
func TestDecodedSessionsAreCopies(t *testing.T) {
	var d decodedSessions
	data := gobValues(t, map[any]any{keyAdminID: int64(7), keyAttachState: "state"})
	for i := range 3 {
		got := map[any]any{}
		if err := d.decode(data, got); err != nil {
			t.Fatal(err)
		}
		if want := (map[any]any{keyAdminID: int64(7), keyAttachState: "state"}); !maps.Equal(got, want) {
			t.Fatalf("decode %d: %v, want %v", i, got, want)
		}
		got[keyAdminID] = int64(8) // a request changes its own copy
		delete(got, keyAttachState)
	}
	if len(d.values) != 1 {
		t.Errorf("%d cached entries for one session's data, want 1", len(d.values))
	}
	if err := d.decode([]byte("not gob"), map[any]any{}); err == nil {
		t.Error("data that is not gob decoded without an error")
	}
	if len(d.values) != 1 {
		t.Errorf("undecodable data was cached: %d entries", len(d.values))
	}
}

// Values a request could change in place are never shared, and the cache
// starts over once full.
func TestDecodedSessionsStayBounded(t *testing.T) {
	var d decodedSessions
	if err := d.decode(gobValues(t, map[any]any{"list": []string{"a"}}), map[any]any{}); err != nil {
		t.Fatal(err)
	}
	if len(d.values) != 0 {
		t.Error("a session holding a slice was cached")
	}
	for i := range maxDecodedSessions + 1 {
		if err := d.decode(gobValues(t, map[any]any{keyAdminID: int64(i)}), map[any]any{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.values) != 1 {
		t.Errorf("%d entries after %d sessions, want the cache started over (1)", len(d.values), maxDecodedSessions+1)
	}
}
