// Package secret encrypts the small secrets the portal must keep (LINE
// channel secrets and access tokens) before they are stored, with
// AES-256-GCM.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// version prefixes every sealed value so that the format (or the key) can
// change later without guessing what old rows hold.
const version byte = 1

// ErrOpen is returned for any value that does not decrypt: wrong key,
// wrong binding, tampered or truncated. The cases are not told apart, on
// purpose.
var ErrOpen = errors.New("secret: cannot decrypt value")

// Box seals and opens secrets with one key.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 256-bit key.
func New(key [32]byte) (*Box, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. binding names what the value is for, such as
// "module_channel:1234567890:secret"; Open needs the same binding, so a
// stored value copied to another row or column does not decrypt.
func (b *Box) Seal(plaintext, binding string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	rand.Read(nonce) // a random 96-bit nonce: safe for far more values than the portal will ever seal
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, []byte(plaintext), []byte(binding))
}

// Open decrypts a value made by Seal with the same binding.
func (b *Box) Open(sealed []byte, binding string) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return "", ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(binding))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
