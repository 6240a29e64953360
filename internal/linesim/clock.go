package linesim

import (
	"errors"
	"sync/atomic"
	"time"
)

// clock is the simulator's time: the configured clock moved forward by
// whatever the control surface added, so that tests and demos can let
// codes, tokens and continuation tokens expire without waiting.
type clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds added to base
}

func (c *clock) now() time.Time { return c.base().Add(time.Duration(c.offset.Load())) }

// maxClockStep bounds one move of the clock: ten years is past every
// lifetime LINE documents.
const maxClockStep = 10 * 365 * 24 * time.Hour

// Now is the simulator's current time. A portal running the simulator
// in-process uses it as its own clock, so that what the simulator issues
// never looks issued in the future after the clock is moved forward.
func (s *Server) Now() time.Time { return s.clock.now() }

// AdvanceClock moves the simulator's clock forward by d. Time never goes
// back: what was issued stays issued in the past.
func (s *Server) AdvanceClock(d time.Duration) error {
	if d <= 0 || d > maxClockStep {
		return errors.New("the clock moves forward only, by more than nothing and at most ten years")
	}
	s.clock.offset.Add(int64(d))
	return nil
}
