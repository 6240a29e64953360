package main

import (
	"context"
	"errors"
	"io"
)

// linesim runs the LINE platform simulator on its own.
func linesim(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("linesim: not wired yet")
}
