package secret_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"lineportal/internal/secret"
)

func mustBox(t *testing.T, fill byte) *secret.Box {
	t.Helper()
	var key [32]byte
	for i := range key {
		key[i] = fill
	}
	b, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	box := mustBox(t, 1)
	const plain = "8c570fa6dd201bb328f1c1eac23a96d8"
	sealed := box.Seal(plain, "module_channel:1:secret")
	if bytes.Contains(sealed, []byte(plain)) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := box.Open(sealed, "module_channel:1:secret")
	if err != nil || got != plain {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if again := box.Seal(plain, "module_channel:1:secret"); bytes.Equal(again, sealed) {
		t.Fatal("sealing twice gave the same bytes: the nonce is not fresh")
	}
}

func TestOpenRefuses(t *testing.T) {
	box := mustBox(t, 1)
	sealed := box.Seal("token-value", "module_channel:1:token")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	cases := map[string]struct {
		box     *secret.Box
		sealed  []byte
		binding string
	}{
		"another key":       {mustBox(t, 2), sealed, "module_channel:1:token"},
		"another binding":   {box, sealed, "module_channel:2:token"},
		"a flipped bit":     {box, flipped, "module_channel:1:token"},
		"truncated":         {box, sealed[:10], "module_channel:1:token"},
		"empty":             {box, nil, "module_channel:1:token"},
		"an unknown format": {box, append([]byte{9}, sealed[1:]...), "module_channel:1:token"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := c.box.Open(c.sealed, c.binding)
			if !errors.Is(err, secret.ErrOpen) || got != "" {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
			if strings.Contains(err.Error(), "token-value") {
				t.Fatal("error leaks the plaintext")
			}
		})
	}
}
