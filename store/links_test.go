package store_test

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
)

const (
	msgApproved = "This link request has already been approved, so the channel is linked. There is nothing more to do."
	msgExpired  = "This link request URL has expired: it works for 168 hours (7 days) after it is issued. Ask the channel's developer to send the link request again."
	msgReplaced = "This link request URL was replaced by a newer one and no longer works. Ask the channel's developer for the latest URL, or to send the link request again."
)

func TestStore_SendLinkRequest(t *testing.T) {
	t.Run("OK issues a URL", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
		mark := f.auditMark(t)
		req, token, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		// rand.Text: base32, 5 bits a character.
		if len(token)*5 < 128 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Errorf("token %q is not at least 128 random bits in URL-safe characters", token)
		}
		if req.State != portal.LinkRequestPending || req.OrgID != org.ID || req.ChannelID != ch.ID || req.ApprovedAtOnce ||
			!req.IssuedAt.Equal(start) || !req.ExpiresAt.Equal(start.Add(168*time.Hour)) || req.SentByName != "Dev" {
			t.Errorf("request = %+v", req)
		}
		var hash []byte
		mustNil(t, f.raw.QueryRow(`SELECT token_hash FROM link_requests WHERE id = ?`, req.ID).Scan(&hash))
		if want := sha256.Sum256([]byte(token)); !bytes.Equal(hash, want[:]) {
			t.Errorf("stored hash %x is not SHA-256 of the token", hash)
		}
		if strings.Contains(f.snapshot(t), token) {
			t.Error("the plain token is stored")
		}
		f.assertAudit(t, mark, "link_request.send link_request:  → link_request(RequestState=pending)")
		f.returnedAsStored(t, req)
		a, err := f.db.FindLinkRequestByToken(ctx, f.boss, token)
		if err != nil || a.Request.ID != req.ID || a.Channel.ID != ch.ID || a.Organization.ID != org.ID || !a.ActorIsOrgAdmin {
			t.Errorf("FindLinkRequestByToken = %+v, %v", a, err)
		}
	})

	t.Run("OK sending again replaces the older URL", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
		first := f.send(t, ch, org)
		f.clock.Set(start.Add(200 * time.Hour)) // the first URL has expired meanwhile
		mark := f.auditMark(t)
		second := f.send(t, ch, org)
		f.assertAudit(t, mark, "link_request.replace link_request: link_request(RequestState=expired) → link_request(RequestState=replaced)", "link_request.send link_request:  → link_request(RequestState=pending)")
		a, err := f.db.FindLinkRequestByToken(ctx, f.boss, first)
		mustNil(t, err)
		if err := portal.CanApprove(f.boss, a, f.clock.Now()); english(err) != msgReplaced {
			t.Errorf("first URL: %v, want replaced", err)
		}
		f.refuses(t, portal.EGONE, msgReplaced, func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, first); return err })
		if _, err := f.db.ApproveLinkRequest(ctx, f.boss, second); err != nil {
			t.Errorf("second URL: %v", err)
		}
	})

	t.Run("OK approved at once when the sender administers the organization", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
		old := f.send(t, ch, org)
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, f.dev.ID))
		mark := f.auditMark(t)
		req, token, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
		if err != nil || token != "" || req.State != portal.LinkRequestApproved || !req.ApprovedAtOnce || req.DecidedBy != f.dev.ID {
			t.Fatalf("SendLinkRequest = %+v, %q, %v", req, token, err)
		}
		f.returnedAsStored(t, req)
		f.assertAudit(t, mark,
			"link_request.replace link_request: link_request(RequestState=pending) → link_request(RequestState=replaced)",
			"link_request.send link_request:  → link_request(RequestState=approved)",
			"link.create link:  → linked_to_org(OrgID="+org.ID+")",
			"review.start link:  → review(Review=verified)")
		ch = f.reload(t, ch)
		if ch.Link == nil || ch.Link.OrgID != org.ID || ch.Link.Review.Status != portal.ReviewVerified || ch.Link.Review.Event != portal.ReviewStart {
			t.Errorf("channel link = %+v", ch.Link)
		}
		f.refuses(t, portal.EGONE, msgReplaced, func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, old); return err })
	})

	t.Run("refusals", func(t *testing.T) {
		f := newFixture(t)
		jp := f.org(t, portal.RegionJapan, acme, true)
		tw := f.org(t, portal.RegionTaiwan, acme, false)
		good := f.miniApp(t, acme)
		linked := f.miniApp(t, acme)
		f.link(t, linked, jp)
		login := f.channel(t, portal.Channel{Kind: portal.KindLogin})
		unverified := f.channel(t, portal.Channel{Draft: portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true}})
		thai := f.reviewed(t, portal.Channel{Region: portal.RegionThailand, Draft: portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true}})
		devCompany := f.reviewed(t, portal.Channel{Draft: portal.MiniAppInfo{ServiceCompany: acme}})
		member := f.admin(t, "Umember", "Mia")
		mustNil(t, f.db.SetChannelRole(ctx, f.dev, good.ID, member.ID, portal.RoleMember))

		tests := []struct {
			name          string
			actor         portal.Admin
			ch            portal.Channel
			input         string
			code, message string
		}{
			{"ErrNotChannelAdmin", member, good, jp.ID, portal.EFORBIDDEN, "Only an Admin of this channel can send a link request."},
			{"ErrNoSuchOrganization", f.dev, good, "BM00000000000", portal.EINVALID,
				"There is no organization with the ID BM00000000000. Ask the organization's administrator for the ID shown in the Business Manager header."},
			{"ErrNotMiniApp", f.dev, login, jp.ID, portal.EINVALID, "Only a LINE MINI App channel can be linked to a Business Manager organization; this is a LINE Login channel."},
			{"ErrNotVerifiedMiniApp", f.dev, unverified, jp.ID, portal.EINVALID,
				"This LINE MINI App is not a verified MINI App. Only a verified MINI App can be linked; it becomes verified when it passes the MINI App review."},
			{"ErrServiceRegion", f.dev, thai, jp.ID, portal.EINVALID, "The channel's service region is Thailand. Only a LINE MINI App whose service region is Japan can be linked."},
			{"ErrProviderNotServiceCompany", f.dev, devCompany, jp.ID, portal.EINVALID,
				"The provider and the service company must match in the published business information: turn on \"Same as the service company\" for the development company, or set the provider to \"Service company\". Change the draft and have it re-reviewed."},
			{"ErrOrganizationRegion", f.dev, good, tw.ID, portal.EINVALID,
				"Organization " + tw.ID + " is registered in Taiwan. Only an organization whose region is Japan can be linked."},
			{"ErrAlreadyLinked", f.dev, linked, jp.ID, portal.ECONFLICT,
				"This channel is already linked to organization " + jp.ID + ", and a link can't be removed. To move the channel to another organization, transfer it in the organization instead."},
			{"ErrNoSuchChannel", f.dev, portal.Channel{ID: 999}, jp.ID, portal.ENOTFOUND, "No such channel."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.refuses(t, tt.code, tt.message, func() error {
					_, token, err := f.db.SendLinkRequest(ctx, tt.actor, tt.ch.ID, portal.OrganizationID(tt.input))
					if token != "" {
						t.Error("a refused request returned a token")
					}
					return err
				})
			})
		}
	})
}

// returnedAsStored checks that the request SendLinkRequest returned (made
// from what it inserted, not read back) is the one stored.
func (f *fixture) returnedAsStored(t *testing.T, req portal.LinkRequest) {
	t.Helper()
	stored, _, err := f.db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: req.ChannelID})
	if err != nil || len(stored) == 0 || !reflect.DeepEqual(stored[0], req) {
		t.Errorf("returned %+v, stored %+v (%v)", req, stored, err)
	}
}

func TestStore_ApproveLinkRequest(t *testing.T) {
	t.Run("OK links and starts the review", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
		token := f.send(t, ch, org)
		f.clock.Set(start.Add(time.Hour))
		mark := f.auditMark(t)
		link, err := f.db.ApproveLinkRequest(ctx, f.boss, token)
		if err != nil {
			t.Fatal(err)
		}
		f.assertAudit(t, mark,
			"link_request.approve link_request: link_request(RequestState=pending) → link_request(RequestState=approved)",
			"link.create link:  → linked_to_org(OrgID="+org.ID+")",
			"review.start link:  → review(Review=verified)")
		if link.ChannelID != ch.ID || link.OrgID != org.ID || link.LinkedBy != f.boss.ID || !link.LinkedAt.Equal(start.Add(time.Hour)) ||
			link.Review.Status != portal.ReviewVerified || link.Review.ActorID != f.boss.ID {
			t.Errorf("link = %+v", link)
		}
		a, err := f.db.FindLinkRequestByToken(ctx, f.boss, token)
		mustNil(t, err)
		if r := a.Request; r.State != portal.LinkRequestApproved || r.DecidedBy != f.boss.ID || r.DecidedByName != "Boss" || !r.DecidedAt.Equal(start.Add(time.Hour)) {
			t.Errorf("request after approval = %+v", r)
		}
		if got := f.reload(t, ch).Link; got == nil || got.ID != link.ID || got.Review.ID != link.Review.ID {
			t.Errorf("channel's link = %+v, want %+v", got, link)
		}
	})

	t.Run("ErrReplayedPOST", func(t *testing.T) {
		f := newFixture(t)
		token := f.send(t, f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true))
		_, err := f.db.ApproveLinkRequest(ctx, f.boss, token)
		mustNil(t, err)
		f.refuses(t, portal.ECONFLICT, msgApproved, func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
	})

	t.Run("expiry boundaries", func(t *testing.T) {
		tests := []struct {
			name          string
			after         time.Duration
			code, message string
		}{
			{"OK 1s before 168h", 168*time.Hour - time.Second, "", ""},
			{"ErrExpired at 168h", 168 * time.Hour, portal.EGONE, msgExpired},
			{"ErrExpired 1s after 168h", 168*time.Hour + time.Second, portal.EGONE, msgExpired},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t)
				token := f.send(t, f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true))
				f.clock.Set(start.Add(tt.after))
				if tt.code == "" {
					if _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); err != nil {
						t.Fatalf("ApproveLinkRequest: %v", err)
					}
					return
				}
				f.refuses(t, tt.code, tt.message, func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
			})
		}
	})

	t.Run("refusals", func(t *testing.T) {
		f := newFixture(t)
		org := f.org(t, portal.RegionJapan, acme, true)
		token := f.send(t, f.miniApp(t, acme), org)
		stranger := f.admin(t, "Ustranger", "Sam")
		approve := func(actor portal.Admin, token string) func() error {
			return func() error { _, err := f.db.ApproveLinkRequest(ctx, actor, token); return err }
		}
		f.refuses(t, portal.EUNAUTHENTICATED, "Sign in with LINE to open this link request.", approve(portal.Admin{}, token))
		f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can approve this link request. Forward the URL to one of its administrators.", approve(stranger, token))
		f.refuses(t, portal.ENOTFOUND, "This link request URL is not valid. Check that the whole URL was copied, or ask the channel's developer for a new one.", approve(f.boss, token+"X"))
		f.refuses(t, portal.ENOTFOUND, "This link request URL is not valid. Check that the whole URL was copied, or ask the channel's developer for a new one.", approve(f.boss, ""))
	})

	t.Run("ErrRequirementsChangedSinceSending", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
		token := f.send(t, ch, org)
		mustNil(t, f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, portal.MiniAppInfo{ServiceCompany: acme, CompanyCountry: portal.RegionJapan}))
		mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
		mustNil(t, f.db.ApproveMiniAppReview(ctx, f.op, ch.ID))
		f.refuses(t, portal.EINVALID,
			"The provider and the service company must match in the published business information: turn on \"Same as the service company\" for the development company, or set the provider to \"Service company\". Change the draft and have it re-reviewed.",
			func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
	})
}

func TestStore_ApproveLinkRequest_Concurrent(t *testing.T) {
	const approvers, iterations = 50, 5
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	admins := []portal.Admin{f.boss}
	for i := 1; i < approvers; i++ {
		a := f.admin(t, "Uapprover"+strconv.Itoa(i), "Approver")
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, a.ID))
		admins = append(admins, a)
	}
	for iteration := range iterations {
		ch := f.miniApp(t, acme)
		token := f.send(t, ch, org)
		mark := f.auditMark(t)

		errs := make([]error, approvers)
		var ready, done sync.WaitGroup
		bell := make(chan struct{})
		for i, a := range admins {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-bell // start together, to collide
				_, errs[i] = f.db.ApproveLinkRequest(ctx, a, token)
			}()
		}
		ready.Wait()
		close(bell)
		done.Wait()

		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy"):
				t.Fatalf("iteration %d: %v", iteration, err)
			case portal.ErrorCode(err) != portal.ECONFLICT || english(err) != msgApproved:
				t.Errorf("iteration %d: loser told %q (%v), want %q", iteration, english(err), err, msgApproved)
			}
		}
		if wins != 1 {
			t.Fatalf("iteration %d: %d approvals succeeded, want exactly 1", iteration, wins)
		}
		var links int
		mustNil(t, f.raw.QueryRow(`SELECT count(*) FROM links WHERE channel_id = ?`, ch.ID).Scan(&links))
		if links != 1 {
			t.Errorf("iteration %d: %d links, want 1", iteration, links)
		}
		f.assertAudit(t, mark,
			"link_request.approve link_request: link_request(RequestState=pending) → link_request(RequestState=approved)",
			"link.create link:  → linked_to_org(OrgID="+org.ID+")",
			"review.start link:  → review(Review=verified)")
	}
}

// Link-preview bots fetch URLs: opening one, at any time and by anyone,
// must not write.
func TestStore_FindLinkRequestByToken_ChangesNothing(t *testing.T) {
	f := newFixture(t)
	ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
	token := f.send(t, ch, org)
	// SQLite's data_version changes on a pinned connection when any other
	// connection commits a change, to any table; PostgreSQL's next
	// transaction ID moves when any transaction writes (the test cluster
	// runs no autovacuum, the only other writer).
	conn, err := f.raw.Conn(ctx)
	mustNil(t, err)
	defer conn.Close()
	query := `PRAGMA data_version`
	if cluster != nil {
		query = `SELECT CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS TEXT) AS BIGINT)`
	}
	version := func() int64 {
		var v int64
		mustNil(t, conn.QueryRowContext(ctx, query).Scan(&v))
		return v
	}
	before, snap := version(), f.snapshot(t)
	for _, at := range []time.Duration{time.Hour, 168 * time.Hour, 500 * time.Hour} {
		f.clock.Set(start.Add(at))
		for _, actor := range []portal.Admin{{}, f.dev, f.boss} {
			a, err := f.db.FindLinkRequestByToken(ctx, actor, token)
			if err != nil || a.Request.State != portal.LinkRequestPending {
				t.Fatalf("at +%v: %+v, %v", at, a.Request, err)
			}
		}
	}
	if _, err := f.db.FindLinkRequestByToken(ctx, f.boss, "no-such-token"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("unknown token: %v", err)
	}
	if after := version(); after != before {
		t.Errorf("opening the URL wrote to the database (data_version %d → %d)", before, after)
	}
	if f.snapshot(t) != snap {
		t.Error("opening the URL changed the data")
	}
	// The probe itself works: a real write moves data_version.
	f.send(t, ch, org)
	if version() == before {
		t.Fatal("data_version did not notice a write; the check above proves nothing")
	}
}

func TestStore_AuditIsInTheSameTransaction(t *testing.T) {
	f := newFixture(t)
	ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
	token := f.send(t, ch, org)
	// Make the audit entry of the approval fail: the approval must then not
	// happen at all.
	recovered := refuseInserts(t, f.raw, "audit_log", "NEW.action = 'link_request.approve'", "audit unavailable")
	f.refuses(t, portal.EINTERNAL, "Internal error.", func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
	recovered()
	if _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); err != nil {
		t.Fatalf("approval after the audit log recovered: %v", err)
	}
}

func TestStore_TransferChannel(t *testing.T) {
	f := newFixture(t)
	from := f.org(t, portal.RegionJapan, other, true)
	to := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	old := f.link(t, ch, from)
	if old.Review.Status != portal.ReviewRejected || old.Review.Cause != portal.CauseMismatch {
		t.Fatalf("review under the wrong organization = %+v", old.Review)
	}

	outsider := f.admin(t, "Uoutsider", "Otto")
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, from.ID, outsider.ID))
	elsewhere := f.org(t, portal.RegionJapan, acme, true)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, elsewhere.ID, outsider.ID))
	transfer := func(actor portal.Admin, dest string) func() error {
		return func() error {
			_, err := f.db.TransferChannel(ctx, actor, ch.ID, from.ID, portal.OrganizationID(dest))
			return err
		}
	}
	f.refuses(t, portal.EFORBIDDEN, "You can transfer the channel only to an organization you also administer, and you are not an administrator of "+to.ID+".", transfer(outsider, to.ID))
	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+from.ID+", where the channel is linked, can transfer it.", transfer(f.dev, to.ID))
	f.refuses(t, portal.EINVALID, "The channel is already linked to organization "+from.ID+". Enter the organization to transfer it to.", transfer(f.boss, from.ID))
	unlinked := f.miniApp(t, acme)
	f.refuses(t, portal.EINVALID, "This channel is not linked to an organization, so there is nothing to transfer. Send a link request instead.",
		func() error {
			_, err := f.db.TransferChannel(ctx, f.boss, unlinked.ID, from.ID, portal.OrganizationID(to.ID))
			return err
		})

	f.clock.Set(start.Add(time.Hour))
	mark := f.auditMark(t)
	link, err := f.db.TransferChannel(ctx, f.boss, ch.ID, from.ID, portal.OrganizationID(to.ID))
	mustNil(t, err)
	f.assertAudit(t, mark,
		"link.transfer link: linked_to_org(OrgID="+from.ID+") → transferred_to(OrgID="+to.ID+")",
		"link.create link:  → linked_to_org(OrgID="+to.ID+")",
		"review.start link:  → review(Review=verified)")
	if link.ID == old.ID || link.OrgID != to.ID || link.Review.Status != portal.ReviewVerified {
		t.Errorf("new link = %+v", link)
	}
	history, _, err := f.db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: ch.ID})
	mustNil(t, err)
	if len(history) != 2 || history[0].LinkID != link.ID || history[0].OrgID != to.ID || history[1].LinkID != old.ID || history[1].Status != portal.ReviewRejected {
		t.Errorf("review history = %+v", history)
	}
	// The old link stays, ended; its review is frozen.
	var ended int64
	mustNil(t, f.raw.QueryRow(`SELECT ended_at FROM links WHERE id = ?`, old.ID).Scan(&ended))
	if ended != start.Add(time.Hour).UnixMilli() {
		t.Errorf("old link ended_at = %d", ended)
	}
	f.refuses(t, portal.ECONFLICT,
		"This channel was transferred to another organization since, so the review of this link can't change any more. Open the channel from its current organization.",
		func() error {
			_, err := f.db.OverrideReview(ctx, f.op, old.ID, portal.Verdict{Status: portal.ReviewVerified, Reason: "x"})
			return err
		})
}

func TestStore_Triggers(t *testing.T) {
	f := newFixture(t)
	from, to := f.org(t, portal.RegionJapan, acme, true), f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	token := f.send(t, ch, from)
	link, err := f.db.ApproveLinkRequest(ctx, f.boss, token)
	mustNil(t, err)
	replacedCh := f.miniApp(t, acme)
	f.send(t, replacedCh, from)
	f.send(t, replacedCh, from)
	tests := []struct {
		name, sql, want string
	}{
		{"delete a link", `DELETE FROM links`, "a link can never be removed"},
		{"move a link", `UPDATE links SET org_id = '` + to.ID + `'`, "a link can only be ended, once, by a transfer"},
		{"approved request back to pending", `UPDATE link_requests SET state = 'pending', decided_at = NULL, decided_by = NULL WHERE state = 'approved'`, "a decided link request never changes"},
		{"replaced request back to pending", `UPDATE link_requests SET state = 'pending', decided_at = NULL WHERE state = 'replaced'`, "a decided link request never changes"},
		{"extend a pending request", `UPDATE link_requests SET expires_at = expires_at + 1000, issued_at = issued_at + 1000 WHERE state = 'pending'`, "a link request keeps"},
		{"delete a link request", `DELETE FROM link_requests`, "link requests are never deleted"},
		{"store an expired state", `UPDATE link_requests SET state = 'expired' WHERE state = 'pending'`, "CHECK constraint failed"},
		{"validity other than 168 h", `INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at)
			VALUES (` + itoa(ch.ID) + `, '` + from.ID + `', ` + itoa(f.dev.ID) + `, ` + zeroBlob32() + `, 'pending', 0, 1)`, "CHECK constraint failed"},
		{"rewrite review history", `UPDATE link_reviews SET status = 'verified'`, "review history is append-only"},
		{"delete review history", `DELETE FROM link_reviews`, "review history is append-only"},
		{"review under another organization", `INSERT INTO link_reviews (link_id, org_id, event, status, reason, actor_id, at)
			VALUES (` + itoa(link.ID) + `, '` + to.ID + `', 'override', 'verified', 'x', ` + itoa(f.op.ID) + `, 0)`, "a review belongs to a current link"},
		{"rewrite the audit log", `UPDATE audit_log SET after = 'nothing'`, "the audit log is append-only"},
		{"delete the audit log", `DELETE FROM audit_log`, "the audit log is append-only"},
		{"audit an unknown subject", `INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, before, after)
			VALUES (0, ` + itoa(f.dev.ID) + `, 'link.create', 'links', '1', '', '')`, "unknown audit subject kind"},
		{"change a verified organization's info", `UPDATE organizations SET company_name = 'Else' WHERE id = '` + from.ID + `'`, "the business info of a verified organization never changes"},
		{"unknown review status", `INSERT INTO link_reviews (link_id, org_id, event, status, reason, actor_id, at)
			VALUES (` + itoa(link.ID) + `, '` + from.ID + `', 'override', 'maybe', 'x', ` + itoa(f.op.ID) + `, 0)`, "CHECK constraint failed"},
		{"malformed organization ID", `INSERT INTO organizations (id, name, region, created_at) VALUES ('BM123', 'x', 'JP', 0)`, "CHECK constraint failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			_, err := f.raw.Exec(tt.sql)
			if err == nil || !strings.Contains(err.Error(), engineMessage(tt.want)) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
			if f.snapshot(t) != before {
				t.Error("the refused statement changed the database")
			}
		})
	}
	t.Run("the guards leave legal changes alone", func(t *testing.T) {
		if _, err := f.db.TransferChannel(ctx, f.boss, ch.ID, from.ID, portal.OrganizationID(to.ID)); err != nil {
			t.Errorf("transfer: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two transfers decided on the same link (from A, to B and to C) move the
// channel once: the second finds it no longer linked to A, whoever asks
// first, and however they interleave.
func TestStore_TransfersDecidedOnOneLinkMoveOnce(t *testing.T) {
	f := newFixture(t)
	a, b, c := f.org(t, portal.RegionJapan, acme, true), f.org(t, portal.RegionJapan, acme, true), f.org(t, portal.RegionJapan, acme, true)
	t.Run("one after the other", func(t *testing.T) {
		ch := f.miniApp(t, acme)
		f.link(t, ch, a)
		_, err := f.db.TransferChannel(ctx, f.boss, ch.ID, a.ID, portal.OrganizationID(b.ID))
		mustNil(t, err)
		f.refuses(t, portal.ECONFLICT, "This channel is no longer linked to organization "+a.ID+": it was transferred meanwhile, so nothing was changed. Open it from its current organization.",
			func() error {
				_, err := f.db.TransferChannel(ctx, f.boss, ch.ID, a.ID, portal.OrganizationID(c.ID))
				return err
			})
		oa := f.oa(t, acme)
		f.linkOA(t, oa, a)
		_, err = f.db.TransferOfficialAccount(ctx, f.boss, oa.ID, a.ID, portal.OrganizationID(b.ID))
		mustNil(t, err)
		f.refuses(t, portal.ECONFLICT, "This LINE Official Account is no longer linked to organization "+a.ID+": it was transferred meanwhile, so nothing was changed. Open it from its current organization.",
			func() error {
				_, err := f.db.TransferOfficialAccount(ctx, f.boss, oa.ID, a.ID, portal.OrganizationID(c.ID))
				return err
			})
	})
	t.Run("at the same time", func(t *testing.T) {
		for range 5 {
			ch := f.miniApp(t, acme)
			f.link(t, ch, a)
			errs := make(chan error, 2)
			for _, dest := range []string{b.ID, c.ID} {
				go func() {
					_, err := f.db.TransferChannel(ctx, f.boss, ch.ID, a.ID, portal.OrganizationID(dest))
					errs <- err
				}()
			}
			var failed []error
			for range 2 {
				if err := <-errs; err != nil {
					failed = append(failed, err)
				}
			}
			if len(failed) != 1 || portal.ErrorCode(failed[0]) != portal.ECONFLICT {
				t.Fatalf("two transfers from one link: refusals %v, want exactly one conflict", failed)
			}
			history, _, err := f.db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: ch.ID})
			mustNil(t, err)
			if len(history) != 2 {
				t.Fatalf("the channel has %d reviews, want 2 (A, then one destination)", len(history))
			}
		}
	})
}

// Sending and approving are what make bench measures behind the one
// writer, where every statement costs every write's time (issue 15). Their
// statements are counted here, so that one more is a decision, not an
// accident: a send that replaces a pending request, and an approval that
// links a channel whose review is decided at once, each notifying one
// administrator, none of them a friend of the portal's Official Account
// (a friend's LINE message is one statement more).
func TestStore_LinkRequestStatementsOnTheWriter(t *testing.T) {
	if cluster != nil {
		t.Skip("statements are counted on SQLite's writer")
	}
	f := newFixture(t)
	ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
	f.send(t, ch, org)
	statements := func(action func()) int64 {
		before := f.db.Stats().WriteStatements
		action()
		return f.db.Stats().WriteStatements - before
	}
	var token string
	// BEGIN, the channel with the sender's role, the organization with
	// whether the sender administers it, the replaced request, its notices
	// read, the new request, its notice, the audit log, COMMIT.
	if n := statements(func() { token = f.send(t, ch, org) }); n != 9 {
		t.Errorf("sending ran %d statements on the writer, want 9", n)
	}
	// BEGIN, the request with its channel, its organization and whether
	// the approver administers it, the request approved, its notices read,
	// the link, its review, two notices, the audit log, COMMIT.
	n := statements(func() {
		if _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); err != nil {
			t.Fatal(err)
		}
	})
	if n != 10 {
		t.Errorf("approving ran %d statements on the writer, want 10", n)
	}
}
