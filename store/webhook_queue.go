package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"lineportal/internal/portal"
)

// The queue behind RecordWebhookEvents' group commit: batches that arrive
// while another commits wait, then commit together.

// ingestQueue holds the webhook batches waiting to be committed. While
// leading is true one caller commits; the others wait in pending, and when
// it is done it hands over to the oldest waiting one. pending is empty
// whenever leading is false.
type ingestQueue struct {
	mu      sync.Mutex
	pending []*ingestBatch
	leading bool
}

type ingestBatch struct {
	channelID int64
	events    []portal.WebhookEvent
	res       portal.WebhookResult
	err       error
	done      chan struct{} // closed once committed (or failed)
	lead      chan struct{} // closed when this batch's caller is to commit next
}

// maxGroupBatches bounds a group commit, so that one transaction (and
// the wait of the batches in it) stays short.
const maxGroupBatches = 32

// commitQueued commits the oldest waiting batches, the caller's own
// first, then hands over to the next waiting caller, if any.
func (db *DB) commitQueued(ctx context.Context) {
	q := &db.ingest
	q.mu.Lock()
	n := min(len(q.pending), maxGroupBatches)
	group := q.pending[:n:n]
	q.pending = append([]*ingestBatch(nil), q.pending[n:]...)
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		if len(q.pending) > 0 {
			close(q.pending[0].lead)
		} else {
			q.leading = false
		}
		q.mu.Unlock()
	}()
	committed := false
	defer func() {
		if !committed { // a panic: nobody may wait forever
			for _, b := range group {
				b.res, b.err = portal.WebhookResult{Received: len(b.events)}, errors.New("store: record webhook events: aborted")
				close(b.done)
			}
		}
	}()
	err := db.update(ctx, func(tx *Tx) error {
		insert, err := tx.PrepareContext(ctx, insertWebhookEvent)
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, b := range group {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT batch`); err != nil {
				return err
			}
			b.res, b.err = recordBatch(ctx, tx, insert, b.channelID, b.events)
			if isRetryable(b.err) {
				return b.err // PostgreSQL aborted the group for a concurrent writer: all of it runs again
			}
			if b.err != nil {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO batch`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE batch`); err != nil {
				return err
			}
		}
		return nil
	})
	for _, b := range group {
		if err != nil && b.err == nil {
			b.err = err
		}
		if b.err != nil {
			b.res, b.err = portal.WebhookResult{Received: len(b.events)}, fmt.Errorf("store: record webhook events: %w", b.err)
		}
		close(b.done)
	}
	committed = true
}
