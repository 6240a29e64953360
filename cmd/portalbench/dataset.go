package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"lineportal/internal/dataset"
	"lineportal/internal/simulated"
)

// generate creates the data set of layout l at path, which must not exist,
// with the demo people the portal's simulator will sign in.
func generate(ctx context.Context, path string, l dataset.Layout, now time.Time) error {
	people, err := simulated.DemoPeople()
	if err != nil {
		return err
	}
	return dataset.Generate(ctx, path, l, people, now)
}

// generateReported generates the data set at path and says on log how
// long it took. There is no cache between runs: generating takes a few
// seconds, so a cache would save little, and it could outlive the schema
// or the demo it was made with.
func generateReported(ctx context.Context, path string, l dataset.Layout, log io.Writer) error {
	fmt.Fprintf(log, "data set: generating %d channels and %d link requests...\n", l.Channels(), l.LinkRequests())
	t0 := time.Now()
	if err := generate(ctx, path, l, time.Now()); err != nil {
		return fmt.Errorf("generate data set: %w", err)
	}
	fmt.Fprintf(log, "data set: generated in %.1fs\n", time.Since(t0).Seconds())
	return nil
}
