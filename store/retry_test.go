package store_test

import (
	"testing"

	"lineportal/internal/portal"
)

// A transaction PostgreSQL runs again starts from nothing: what the first
// attempt decided does not leak into the second. Here the sender becomes an
// administrator of the organization between the first attempt and its
// commit, so the second attempt approves at once, and no URL token may be
// returned (its hash was never stored).
func TestRetriedSendLinkRequestReturnsOnlyTheLastAttempt(t *testing.T) {
	if cluster == nil {
		t.Skip("only PostgreSQL runs a transaction again")
	}
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	f.db.SetBeforeCommit(func(attempt int) {
		if attempt != 0 {
			return
		}
		// A concurrent writer that reads what the send writes and writes
		// what it read: one of the two must be aborted, and the send,
		// committing second, is.
		tx, err := f.raw.Begin()
		mustNil(t, err)
		defer func() { _ = tx.Rollback() }()
		_, err = tx.Exec(`SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`)
		mustNil(t, err)
		var n int
		mustNil(t, tx.QueryRow(`SELECT count(*) FROM link_requests WHERE channel_id = ?`, ch.ID).Scan(&n))
		_, err = tx.Exec(`INSERT INTO organization_admins (org_id, admin_id, added_at) VALUES (?, ?, 0)`, org.ID, f.dev.ID)
		mustNil(t, err)
		mustNil(t, tx.Commit())
	})
	defer f.db.SetBeforeCommit(nil)

	req, token, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
	mustNil(t, err)
	if req.State != portal.LinkRequestApproved || token != "" {
		t.Errorf("after a retry that approved at once: request %s, token %q", req.State, token)
	}
	if f.reload(t, ch).Link == nil {
		t.Error("the channel is not linked")
	}
}
