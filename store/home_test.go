package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"lineportal/internal/portal"
)

// describeWaiting writes what waits in one line per item, for comparing.
func describeWaiting(w portal.Waiting) []string {
	var lines []string
	for _, a := range w.LinkRequests {
		lines = append(lines, fmt.Sprintf("approve %s → %s", a.Channel.Name, a.Organization.ID))
	}
	for _, list := range []struct {
		kind     string
		rejected []portal.RejectedReview
	}{{"rejected", w.Rejected}, {"rejected here", w.RejectedHere}} {
		kind := list.kind
		for _, r := range list.rejected {
			var cases []string
			for _, g := range r.Guidance {
				cases = append(cases, string(g.Case))
			}
			lines = append(lines, fmt.Sprintf("%s %s %v", kind, r.Channel.Name, cases))
		}
	}
	for _, e := range w.Expiring {
		lines = append(lines, fmt.Sprintf("expiring %s → %s", e.ChannelName, e.Request.OrgID))
	}
	if w.OrganizationQueue+w.MiniAppQueue > 0 {
		lines = append(lines, fmt.Sprintf("queues %d %d", w.OrganizationQueue, w.MiniAppQueue))
	}
	for _, b := range w.SuspendedBots {
		lines = append(lines, fmt.Sprintf("suspended %s of %s", b.BotName, b.ModuleName))
	}
	return lines
}

// Home lists exactly what concerns each of four people: a developer, an
// organization's administrator, an operator and someone with no role.
func TestFindWaiting_FourPeople(t *testing.T) {
	f := newFixture(t)
	nobody := f.admin(t, newUserID, "Nobody")
	org := f.org(t, portal.RegionJapan, acme, true)
	pending := f.miniApp(t, acme)
	f.send(t, pending, org)
	rejected := f.miniApp(t, other)
	f.link(t, rejected, org) // the business info differs: Rejected
	queued := f.org(t, portal.RegionJapan, acme, false)
	mustNil(t, f.db.SubmitOrganizationForVerification(ctx, f.boss, queued.ID))
	module := f.channel(t, portal.Channel{Kind: portal.KindModule, Name: "Chat Module"})
	if _, err := f.raw.Exec(`INSERT INTO module_attachments (channel_id, bot_id, display_name, state, attached_at, suspended, suspension_changed_at, updated_at)
		VALUES (?, ?, 'Sakura Cafe', 'attached', 0, 1, 0, 0)`, module.ID, "U"+fmt.Sprintf("%032x", 7)); err != nil {
		t.Fatal(err)
	}

	// Nearly 7 days later the pending request's URL expires within a day.
	f.clock.Set(start.Add(7*24*time.Hour - time.Hour))
	want := map[string][]string{
		"dev": {
			fmt.Sprintf("rejected %s %v", rejected.Name, []string{"channel_info", "organization_info_verified", "wrong_organization"}),
			"expiring " + pending.Name + " → " + org.ID,
			"suspended Sakura Cafe of Chat Module",
		},
		"boss": {"approve " + pending.Name + " → " + org.ID,
			// Only the organization's administrator requests the resubmission.
			fmt.Sprintf("rejected here %s %v", rejected.Name, []string{"channel_info", "organization_info_verified", "wrong_organization"})},
		"op":     {"queues 1 0"},
		"nobody": nil,
	}
	for name, who := range map[string]portal.Admin{"dev": f.dev, "boss": f.boss, "op": f.op, "nobody": nobody} {
		w, err := f.db.FindWaiting(ctx, who, f.clock.Now())
		mustNil(t, err)
		if got := describeWaiting(w); !slices.Equal(got, want[name]) {
			t.Errorf("%s's Home:\n got %q\nwant %q", name, got, want[name])
		}
		if w.Empty() != (len(want[name]) == 0) {
			t.Errorf("%s: Empty() = %v", name, w.Empty())
		}
		// The developer and the administrator are in teams; the operator
		// holds no role, only configuration, and nobody none.
		if wantInTeam := name == "dev" || name == "boss"; w.InTeam != wantInTeam {
			t.Errorf("%s: InTeam = %v", name, w.InTeam)
		}
	}
	// An organization's administrator who holds a role on the rejected
	// channel too finds it where they request the resubmission, once.
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, rejected.ID, f.boss.ID, portal.RoleMember))
	if w, err := f.db.FindWaiting(ctx, f.boss, f.clock.Now()); err != nil || len(w.Rejected) != 0 || len(w.RejectedHere) != 1 {
		t.Errorf("an administrator with a role on the channel: Rejected %d, RejectedHere %d (%v)", len(w.Rejected), len(w.RejectedHere), err)
	}
	// A role on an Official Account alone is a team too.
	oa := f.oa(t, acme)
	if _, err := f.raw.Exec(`INSERT INTO official_account_roles (official_account_id, admin_id, role) VALUES (?, ?, 'member')`, oa.ID, nobody.ID); err != nil {
		t.Fatal(err)
	}
	if w, err := f.db.FindWaiting(ctx, nobody, f.clock.Now()); err != nil || !w.InTeam || !w.Empty() {
		t.Errorf("a Member of an Official Account: InTeam %v, Empty %v, %v", w.InTeam, w.Empty(), err)
	}

	// Once the URL has expired, it waits for nobody.
	f.clock.Set(start.Add(7 * 24 * time.Hour))
	for _, who := range []portal.Admin{f.dev, f.boss} {
		w, err := f.db.FindWaiting(ctx, who, f.clock.Now())
		mustNil(t, err)
		if len(w.LinkRequests)+len(w.Expiring) != 0 {
			t.Errorf("an expired request still waits for %s: %q", who.Name, describeWaiting(w))
		}
	}
}

// Approving from Home follows the same rules as the URL: it re-checks the
// link requirements, refuses other people and other organizations, and
// links once.
func TestApproveLinkRequestByID(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	elsewhere := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	f.send(t, ch, org)
	w, err := f.db.FindWaiting(ctx, f.boss, f.clock.Now())
	mustNil(t, err)
	if len(w.LinkRequests) != 1 {
		t.Fatalf("boss's Home: %q", describeWaiting(w))
	}
	id := w.LinkRequests[0].Request.ID

	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can approve this link request. Forward the URL to one of its administrators.", func() error {
		_, err := f.db.ApproveLinkRequestByID(ctx, f.dev, org.ID, id)
		return err
	})
	f.refuses(t, portal.ENOTFOUND, "This link request URL is not valid. Check that the whole URL was copied, or ask the channel's developer for a new one.", func() error {
		_, err := f.db.ApproveLinkRequestByID(ctx, f.boss, elsewhere.ID, id)
		return err
	})
	// The organization moved out of Japan since the request was sent: the
	// requirement is checked again, as at the URL.
	if _, err := f.raw.Exec(`UPDATE organizations SET region = 'TW' WHERE id = ?`, org.ID); err != nil {
		t.Fatal(err)
	}
	f.refuses(t, portal.EINVALID, "Organization "+org.ID+" is registered in Taiwan. Only an organization whose region is Japan can be linked.", func() error {
		_, err := f.db.ApproveLinkRequestByID(ctx, f.boss, org.ID, id)
		return err
	})
	if _, err := f.raw.Exec(`UPDATE organizations SET region = 'JP' WHERE id = ?`, org.ID); err != nil {
		t.Fatal(err)
	}
	mark := f.auditMark(t)
	link, err := f.db.ApproveLinkRequestByID(ctx, f.boss, org.ID, id)
	mustNil(t, err)
	if link.ChannelID != ch.ID || link.OrgID != org.ID {
		t.Errorf("link = %+v", link)
	}
	if got := f.auditSince(t, mark); len(got) == 0 || got[0] != "link_request.approve link_request: link_request(RequestState=pending) → link_request(RequestState=approved)" {
		t.Errorf("audit: %q", got)
	}
	f.refuses(t, portal.ECONFLICT, "This link request has already been approved, so the channel is linked. There is nothing more to do.", func() error {
		_, err := f.db.ApproveLinkRequestByID(ctx, f.boss, org.ID, id)
		return err
	})
}

// The invitation URLs someone sent that expire within a day are on their
// Home while they still work: not those further off, nor one whose sender
// can no longer give the role.
func TestFindWaiting_ExpiringInvitations(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp, Name: "Invited Channel"})
	team := portal.Team{ChannelID: ch.ID}
	f.clock.Set(start)
	soon, _, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, "")
	mustNil(t, err)
	f.clock.Set(start.Add(48 * time.Hour)) // expires a day after the first
	_, _, err = f.db.CreateInvitation(ctx, f.dev, team, portal.RoleAdmin, "")
	mustNil(t, err)

	f.clock.Set(start.Add(portal.InvitationValidity - time.Hour))
	w, err := f.db.FindWaiting(ctx, f.dev, f.clock.Now())
	mustNil(t, err)
	if len(w.ExpiringInvitations) != 1 || w.ExpiringInvitations[0].ID != soon.ID || w.ExpiringInvitations[0].Team.Name != ch.Name {
		t.Fatalf("expiring invitations: %+v", w.ExpiringInvitations)
	}
	// Its sender made a Member (by another Admin): it works no more.
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, f.boss.ID, portal.RoleAdmin))
	mustNil(t, f.db.SetChannelRole(ctx, f.boss, ch.ID, f.dev.ID, portal.RoleMember))
	if w, err := f.db.FindWaiting(ctx, f.dev, f.clock.Now()); err != nil || len(w.ExpiringInvitations) != 0 {
		t.Fatalf("an invitation whose sender lost the role: %+v %v", w.ExpiringInvitations, err)
	}
}

// Home reads each of its lists in one statement, however many rows it
// shows: each row used to read its channel and organization again.
func TestFindWaiting_ReadsDoNotGrowWithItsLists(t *testing.T) {
	if cluster != nil {
		t.Skip("statements are counted on SQLite's readers")
	}
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	reads := func() int64 {
		before := f.db.Stats().ReadStatements
		w, err := f.db.FindWaiting(ctx, f.boss, f.clock.Now())
		mustNil(t, err)
		if len(w.LinkRequests) == 0 {
			t.Fatal("Home lists no link request")
		}
		return f.db.Stats().ReadStatements - before
	}
	f.send(t, f.miniApp(t, acme), org)
	one := reads()
	for range 3 {
		f.send(t, f.miniApp(t, acme), org)
	}
	if four := reads(); four != one {
		t.Errorf("Home read %d statements with four link requests, %d with one", four, one)
	}
}
