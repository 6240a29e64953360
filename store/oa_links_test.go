package store_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
)

// verifiedPair is a verified organization with an Official Account and a
// MINI App channel, both linked to it with Verified reviews: ready to link.
func (f *fixture) verifiedPair(t *testing.T) (portal.Organization, portal.OfficialAccount, portal.Channel) {
	t.Helper()
	org := f.org(t, portal.RegionJapan, acme, true)
	oa := f.oa(t, acme)
	f.linkOA(t, oa, org)
	ch := f.miniApp(t, acme)
	f.link(t, ch, org)
	return org, f.reloadOA(t, oa), f.reload(t, ch)
}

func TestStore_LinkMiniAppToOfficialAccount(t *testing.T) {
	f := newFixture(t)
	org, oa, ch := f.verifiedPair(t)
	f.clock.Set(start.Add(2 * time.Hour))
	mark := f.auditMark(t)
	link, err := f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, oa.ID, ch.ID)
	mustNil(t, err)
	want := portal.OALink{ChannelID: ch.ID, ChannelKind: portal.KindMiniApp, ChannelName: ch.Name, OfficialAccountID: oa.ID, BasicID: oa.BasicID, OAName: oa.Name,
		OrgID: org.ID, LinkedAt: start.Add(2 * time.Hour), LinkedBy: f.boss.ID, LinkedByName: "Boss"}
	if link != want {
		t.Errorf("link =\n %+v\nwant\n %+v", link, want)
	}
	f.assertAudit(t, mark, "oa_link.create oa_link:  → oa_link(BasicID="+oa.BasicID+", LINEChannelID="+ch.LINEChannelID+", Name="+ch.Name+", OAName="+oa.Name+")")

	// The channel's page and the account's show it, and since when.
	if got := f.reload(t, ch).LinkedOA; got == nil || *got != want {
		t.Errorf("channel's linked OA = %+v", got)
	}
	linked, err := f.db.FindOfficialAccountChannels(ctx, oa.ID)
	mustNil(t, err)
	if len(linked) != 1 || linked[0] != want {
		t.Errorf("account's channels = %+v", linked)
	}
	for _, filter := range []store.AuditFilter{{ChannelID: ch.ID}, {OfficialAccountID: oa.ID}, {OrgID: org.ID}} {
		entries, _, err := f.db.FindAuditEntries(ctx, filter)
		mustNil(t, err)
		if len(entries) == 0 || entries[0].Action != portal.ActionOALinkCreate || entries[0].SubjectKind != portal.SubjectOALink || entries[0].SubjectID != itoa(ch.ID) {
			t.Errorf("%+v: newest entry = %+v", filter, entries[0])
		}
	}
	// The list of channels carries it too.
	chs, _, err := f.db.FindChannels(ctx, store.ChannelFilter{Actor: f.dev})
	mustNil(t, err)
	if i := slices.IndexFunc(chs, func(c portal.Channel) bool { return c.ID == ch.ID }); i < 0 || chs[i].LinkedOA == nil || *chs[i].LinkedOA != want {
		t.Errorf("channels = %+v", chs)
	}

	second := f.oa(t, acme)
	f.linkOA(t, second, org)
	f.refuses(t, portal.ECONFLICT, "This channel is already linked to LINE Official Account "+oa.BasicID+" ("+oa.Name+"). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed.",
		func() error { _, err := f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, second.ID, ch.ID); return err })
	// An account links any number of channels.
	another := f.miniApp(t, acme)
	f.link(t, another, org)
	_, err = f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, oa.ID, another.ID)
	mustNil(t, err)
	if linked, _ := f.db.FindOfficialAccountChannels(ctx, oa.ID); len(linked) != 2 || linked[0].ChannelID != another.ID {
		t.Errorf("account's channels = %+v", linked)
	}
}

func TestStore_LinkMiniAppToOfficialAccount_Refusals(t *testing.T) {
	f := newFixture(t)
	org, oa, ch := f.verifiedPair(t)
	elsewhere := f.org(t, portal.RegionJapan, acme, true)
	otherOrgChannel := f.miniApp(t, acme)
	f.link(t, otherOrgChannel, elsewhere)
	rejectedChannel := f.miniApp(t, other)
	f.link(t, rejectedChannel, org)
	unlinkedChannel := f.miniApp(t, acme)
	rejectedOA := f.oa(t, other)
	f.linkOA(t, rejectedOA, org)
	unlinkedOA := f.oa(t, acme)
	login := f.channel(t, portal.Channel{Kind: portal.KindLogin})
	link := func(actor portal.Admin, oaID, channelID int64) func() error {
		return func() error { _, err := f.db.LinkMiniAppToOfficialAccount(ctx, actor, oaID, channelID); return err }
	}
	tests := []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"ErrNotOrganizationAdmin (an Admin of both is not enough)", link(f.dev, oa.ID, ch.ID), portal.EFORBIDDEN,
			"Only an administrator of organization " + org.ID + " can link its LINE Official Accounts to LINE MINI App channels."},
		{"ErrAccountNotLinked", link(f.boss, unlinkedOA.ID, ch.ID), portal.EINVALID,
			"LINE Official Account " + unlinkedOA.BasicID + " is not linked to a Business Manager organization. Link it to the organization first."},
		{"ErrAccountNotVerified", link(f.boss, rejectedOA.ID, ch.ID), portal.EINVALID,
			"The account linking review of LINE Official Account " + rejectedOA.BasicID + " is Rejected. It can be linked to a LINE MINI App channel once its review is Verified."},
		{"ErrNotMiniApp", link(f.boss, oa.ID, login.ID), portal.EINVALID, "Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Login channel."},
		{"ErrChannelNotLinked", link(f.boss, oa.ID, unlinkedChannel.ID), portal.EINVALID,
			"This channel is not linked to a Business Manager organization. Only a channel linked to organization " + org.ID + ", like the LINE Official Account, can be linked."},
		{"ErrOtherOrganization", link(f.boss, oa.ID, otherOrgChannel.ID), portal.EINVALID,
			"This channel is linked to another organization, " + elsewhere.ID + ". Only a channel linked to organization " + org.ID + ", like the LINE Official Account, can be linked."},
		{"ErrChannelNotVerified", link(f.boss, oa.ID, rejectedChannel.ID), portal.EINVALID,
			"This channel's account linking review is Rejected. Only a channel whose account linking review is Verified can be linked."},
		{"ErrNoSuchAccount", link(f.boss, 999, ch.ID), portal.ENOTFOUND, "No such LINE Official Account."},
		{"ErrNoSuchChannel", link(f.boss, oa.ID, 999), portal.ENOTFOUND, "No such channel."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.refuses(t, tt.code, tt.message, tt.call) })
	}
	t.Run("ErrReviewOverriddenSince", func(t *testing.T) {
		_, err := f.db.OverrideReview(ctx, f.op, f.reload(t, ch).Link.ID, portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization, Reason: "wrong organization"})
		mustNil(t, err)
		f.refuses(t, portal.EINVALID, "This channel's account linking review is Rejected. Only a channel whose account linking review is Verified can be linked.", link(f.boss, oa.ID, ch.ID))
	})
}

// Two administrators link the same channel to two accounts at the same
// moment: exactly one link, and the other is told why.
func TestStore_LinkMiniAppToOfficialAccount_Concurrent(t *testing.T) {
	const iterations = 50
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	second := f.admin(t, "Usecond", "Sora")
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, second.ID))
	oas := []portal.OfficialAccount{f.oa(t, acme), f.oa(t, acme)}
	for i := range oas {
		f.linkOA(t, oas[i], org)
		oas[i] = f.reloadOA(t, oas[i])
	}
	admins := []portal.Admin{f.boss, second}
	for iteration := range iterations {
		ch := f.miniApp(t, acme)
		f.link(t, ch, org)
		mark := f.auditMark(t)
		errs := make([]error, 2)
		var ready, done sync.WaitGroup
		bell := make(chan struct{})
		for i := range 2 {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-bell
				_, errs[i] = f.db.LinkMiniAppToOfficialAccount(ctx, admins[i], oas[i].ID, ch.ID)
			}()
		}
		ready.Wait()
		close(bell)
		done.Wait()

		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("iteration %d: both links succeeded", iteration)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("iteration %d: no link succeeded: %v", iteration, errs)
		}
		loser, won := errs[1-winner], oas[winner]
		wantMsg := "This channel is already linked to LINE Official Account " + won.BasicID + " (" + won.Name + "). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed."
		if portal.ErrorCode(loser) != portal.ECONFLICT || english(loser) != wantMsg {
			t.Errorf("iteration %d: loser told %q (%v), want %q", iteration, english(loser), loser, wantMsg)
		}
		var n int
		var linkedTo int64
		mustNil(t, f.raw.QueryRow(`SELECT count(*), max(official_account_id) FROM mini_app_oa_links WHERE channel_id = ?`, ch.ID).Scan(&n, &linkedTo))
		if n != 1 || linkedTo != won.ID {
			t.Errorf("iteration %d: %d links, to %d; want 1, to %d", iteration, n, linkedTo, won.ID)
		}
		if got := f.auditSince(t, mark); len(got) != 1 || !strings.Contains(got[0], won.BasicID) {
			t.Errorf("iteration %d: audit = %q", iteration, got)
		}
	}
}

func TestStore_FindOALinkTargets(t *testing.T) {
	f := newFixture(t)
	org, oa, ready := f.verifiedPair(t)
	rejected := f.miniApp(t, other)
	f.link(t, rejected, org)
	otherOA := f.oa(t, acme)
	f.linkOA(t, otherOA, org)
	taken := f.miniApp(t, acme)
	f.link(t, taken, org)
	_, err := f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, otherOA.ID, taken.ID)
	mustNil(t, err)
	elsewhere := f.org(t, portal.RegionJapan, acme, true)
	f.link(t, f.miniApp(t, acme), elsewhere) // not in the list at all

	type row struct {
		id      int64
		isOA    bool
		message string
	}
	var got []row
	p := store.Page{Limit: 2}
	for {
		targets, next, err := f.db.FindOALinkTargets(ctx, org.ID, oa.ID, p)
		mustNil(t, err)
		for _, tg := range targets {
			r := row{message: english(tg.Reason)}
			if tg.Channel != nil {
				r.id = tg.Channel.ID
			} else {
				r.id, r.isOA = tg.OfficialAccount.ID, true
			}
			got = append(got, r)
		}
		if next == "" {
			break
		}
		p.After = next
	}
	want := []row{
		{taken.ID, false, "This channel is already linked to LINE Official Account " + otherOA.BasicID + " (" + otherOA.Name + "). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed."},
		{otherOA.ID, true, "Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Official Account."},
		{rejected.ID, false, "This channel's account linking review is Rejected. Only a channel whose account linking review is Verified can be linked."},
		{ready.ID, false, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("targets = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	_, _, err = f.db.FindOALinkTargets(ctx, elsewhere.ID, oa.ID, store.Page{})
	if portal.ErrorCode(err) != portal.ENOTFOUND || english(err) != "LINE Official Account "+oa.BasicID+" is not linked to organization "+elsewhere.ID+"." {
		t.Errorf("account of another organization: %v", err)
	}
}

func TestStore_SetLinkedOA(t *testing.T) {
	f := newFixture(t)
	login := f.channel(t, portal.Channel{Kind: portal.KindLogin, Name: "Acme Login"})
	first, second := f.oa(t, acme), f.oa(t, acme)
	set := func(actor portal.Admin, channelID, oaID int64) func() error {
		return func() error { _, err := f.db.SetLinkedOA(ctx, actor, channelID, oaID); return err }
	}

	f.clock.Set(start.Add(time.Hour))
	mark := f.auditMark(t)
	link, err := f.db.SetLinkedOA(ctx, f.dev, login.ID, first.ID)
	mustNil(t, err)
	f.assertAudit(t, mark, "channel.linked_oa_set channel: no_oa → oa(BasicID="+first.BasicID+", Name="+first.Name+")")
	want := portal.OALink{ChannelID: login.ID, ChannelKind: portal.KindLogin, ChannelName: "Acme Login", OfficialAccountID: first.ID, BasicID: first.BasicID, OAName: first.Name,
		LinkedAt: start.Add(time.Hour), LinkedBy: f.dev.ID, LinkedByName: "Dev"}
	if link != want {
		t.Errorf("link = %+v, want %+v", link, want)
	}
	if got := f.reload(t, login).LinkedOA; got == nil || *got != want {
		t.Errorf("channel's Linked OA = %+v", got)
	}
	if got, _ := f.db.FindOfficialAccountChannels(ctx, first.ID); len(got) != 1 || got[0] != want {
		t.Errorf("account's channels = %+v", got)
	}

	// At most one: a second account replaces the first, and both accounts'
	// pages show the change.
	f.clock.Set(start.Add(2 * time.Hour))
	mark = f.auditMark(t)
	_, err = f.db.SetLinkedOA(ctx, f.dev, login.ID, second.ID)
	mustNil(t, err)
	change := "channel.linked_oa_set channel: oa(BasicID=" + first.BasicID + ", Name=" + first.Name + ") → oa(BasicID=" + second.BasicID + ", Name=" + second.Name + ")"
	f.assertAudit(t, mark, change, change)
	if got := f.reload(t, login).LinkedOA; got == nil || got.OfficialAccountID != second.ID || !got.LinkedAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("channel's Linked OA = %+v", got)
	}
	if got, _ := f.db.FindOfficialAccountChannels(ctx, first.ID); len(got) != 0 {
		t.Errorf("replaced account's channels = %+v", got)
	}
	for _, oa := range []portal.OfficialAccount{first, second} {
		entries, _, err := f.db.FindAuditEntries(ctx, store.AuditFilter{OfficialAccountID: oa.ID, Page: store.Page{Limit: 1}})
		mustNil(t, err)
		if len(entries) != 1 || entries[0].Action != portal.ActionLinkedOASet || entries[0].After != portal.Note(portal.NoteOA, "BasicID", second.BasicID, "Name", second.Name) {
			t.Errorf("%s's newest entry = %+v", oa.BasicID, entries)
		}
	}
	if entries, _, _ := f.db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: login.ID, Page: store.Page{Limit: 3}}); len(entries) != 3 ||
		entries[0].Action != portal.ActionLinkedOASet || entries[1].Action != portal.ActionLinkedOASet || entries[2].Action != portal.ActionChannelCreate {
		t.Errorf("channel's entries = %+v", entries)
	}

	// The rules.
	otherProvider, err := f.db.CreateProvider(ctx, f.dev, "Other Provider")
	mustNil(t, err)
	otherCh, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, portal.Channel{Provider: otherProvider, Kind: portal.KindMessagingAPI, LINEChannelID: "3000000001", Name: "Other", Region: portal.RegionJapan})
	mustNil(t, err)
	foreign, err := f.db.CreateOfficialAccount(ctx, f.dev, portal.OfficialAccount{ChannelID: otherCh.ID, BasicID: "@foreign", Name: "Foreign", Plan: portal.PlanJPCommunication})
	mustNil(t, err)
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, login.ID, mia.ID, portal.RoleAdmin))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, first.ID, mia.ID, portal.RoleMember))
	sam := f.admin(t, "Usam", "Sam")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, login.ID, sam.ID, portal.RoleMember))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, first.ID, sam.ID, portal.RoleAdmin))
	miniApp := f.miniApp(t, acme)
	tests := []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"ErrDifferentProvider", set(f.dev, login.ID, foreign.ID), portal.EINVALID,
			"The Messaging API channel of LINE Official Account @foreign belongs to provider \"Other Provider\", not to \"Acme Provider\", the provider of this channel. Only an account of the same provider can be the Linked OA."},
		{"ErrNotAdminOfAccount", set(mia, login.ID, first.ID), portal.EFORBIDDEN,
			"You can select only a LINE Official Account for which you have an Admin role, and you are not an Admin of " + first.BasicID + "."},
		{"ErrNotAdminOfChannel", set(sam, login.ID, first.ID), portal.EFORBIDDEN, "Only an Admin of this channel can set its Linked OA."},
		{"ErrSameAccountAgain", set(f.dev, login.ID, second.ID), portal.ECONFLICT, "LINE Official Account " + second.BasicID + " is already the Linked OA of this channel."},
		{"ErrNotLoginChannel", set(f.dev, miniApp.ID, first.ID), portal.EINVALID, "Only a LINE Login channel has a Linked OA; this is a LINE MINI App channel."},
		{"ErrNoSuchAccount", set(f.dev, login.ID, 999), portal.ENOTFOUND, "No such LINE Official Account."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.refuses(t, tt.code, tt.message, tt.call) })
	}
}

// The database itself refuses what can't be undone, whatever writes to it.
func TestStore_OfficialAccountTriggers(t *testing.T) {
	f := newFixture(t)
	org, oa, ch := f.verifiedPair(t)
	_, err := f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, oa.ID, ch.ID)
	mustNil(t, err)
	second := f.oa(t, acme)
	f.linkOA(t, second, org)
	rejected := f.miniApp(t, other)
	f.link(t, rejected, org)
	login := f.channel(t, portal.Channel{Kind: portal.KindLogin})
	otherProvider, err := f.db.CreateProvider(ctx, f.dev, "Other Provider")
	mustNil(t, err)
	otherCh, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, portal.Channel{Provider: otherProvider, Kind: portal.KindMessagingAPI, LINEChannelID: "3000000001", Name: "Other", Region: portal.RegionJapan})
	mustNil(t, err)
	foreign, err := f.db.CreateOfficialAccount(ctx, f.dev, portal.OfficialAccount{ChannelID: otherCh.ID, BasicID: "@foreign", Name: "Foreign", Plan: portal.PlanJPCommunication})
	mustNil(t, err)
	freshCh := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	tests := []struct {
		name, sql, want string
	}{
		{"delete a MINI App's link to an account", `DELETE FROM mini_app_oa_links`, "can never be removed"},
		{"move it to another account", `UPDATE mini_app_oa_links SET official_account_id = ` + id(second.ID), "can never change"},
		{"replace it", replaceRow(`mini_app_oa_links (channel_id, official_account_id, org_id, linked_at, linked_by)
			VALUES (`+id(ch.ID)+`, `+id(second.ID)+`, '`+org.ID+`', 0, `+id(f.boss.ID)+`)`, "channel_id", "official_account_id"), "links to at most one Official Account"},
		{"link a channel whose review is Rejected", `INSERT INTO mini_app_oa_links (channel_id, official_account_id, org_id, linked_at, linked_by)
			VALUES (` + id(rejected.ID) + `, ` + id(second.ID) + `, '` + org.ID + `', 0, ` + id(f.boss.ID) + `)`, "Verified account linking reviews"},
		{"link a Login channel", `INSERT INTO mini_app_oa_links (channel_id, official_account_id, org_id, linked_at, linked_by)
			VALUES (` + id(login.ID) + `, ` + id(second.ID) + `, '` + org.ID + `', 0, ` + id(f.boss.ID) + `)`, "Verified account linking reviews"},
		{"delete an account's link to its organization", `DELETE FROM links WHERE official_account_id IS NOT NULL`, "a link can never be removed"},
		{"move an account's link", `UPDATE links SET official_account_id = ` + id(second.ID) + ` WHERE official_account_id = ` + id(oa.ID), "a link can only be ended"},
		{"a link with two subjects", `INSERT INTO links (channel_id, official_account_id, org_id, linked_at, linked_by)
			VALUES (` + id(rejected.ID) + `, ` + id(foreign.ID) + `, '` + org.ID + `', 0, ` + id(f.boss.ID) + `)`, "a link needs one subject"},
		{"a link with no subject", `INSERT INTO links (org_id, linked_at, linked_by) VALUES ('` + org.ID + `', 0, ` + id(f.boss.ID) + `)`, "a link needs one subject"},
		{"a second current link of an account", `INSERT INTO links (official_account_id, org_id, linked_at, linked_by)
			VALUES (` + id(oa.ID) + `, '` + org.ID + `', 0, ` + id(f.boss.ID) + `)`, "UNIQUE constraint failed"},
		{"a Linked OA of another provider", `INSERT INTO login_linked_oas (channel_id, official_account_id, linked_at, linked_by)
			VALUES (` + id(login.ID) + `, ` + id(foreign.ID) + `, 0, ` + id(f.dev.ID) + `)`, "same provider"},
		{"a Linked OA on a MINI App channel", `INSERT INTO login_linked_oas (channel_id, official_account_id, linked_at, linked_by)
			VALUES (` + id(ch.ID) + `, ` + id(oa.ID) + `, 0, ` + id(f.dev.ID) + `)`, "same provider"},
		{"an account on a MINI App channel", `INSERT INTO official_accounts (basic_id, name, channel_id, plan, created_at)
			VALUES ('@x', 'x', ` + id(ch.ID) + `, 'jp_communication', 0)`, "uses a Messaging API channel"},
		{"move an account to another channel", `UPDATE official_accounts SET channel_id = ` + id(otherCh.ID) + ` WHERE id = ` + id(oa.ID), "keeps its basic ID"},
		{"change a basic ID", `UPDATE official_accounts SET name = 'x', basic_id = '@renamed' WHERE id = ` + id(foreign.ID), "keeps its basic ID"},
		{"a malformed basic ID", `INSERT INTO official_accounts (basic_id, name, channel_id, plan, created_at)
			VALUES ('@Acme!', 'x', ` + id(freshCh.ID) + `, 'jp_communication', 0)`, "CHECK constraint failed"},
		{"an unknown plan", `UPDATE official_accounts SET plan = 'basic'`, "CHECK constraint failed"},
		{"an unknown audit subject", `INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, before, after)
			VALUES (0, ` + id(f.dev.ID) + `, 'x.y', 'bot', '1', '', '')`, "unknown audit subject kind"},
		{"rewrite the audit log", `UPDATE audit_log SET after = 'nothing'`, "the audit log is append-only"},
		{"delete the audit log", `DELETE FROM audit_log`, "the audit log is append-only"},
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
		if _, err := f.db.TransferOfficialAccount(ctx, f.boss, oa.ID, org.ID, portal.OrganizationID(f.org(t, portal.RegionJapan, acme, true).ID)); err != nil {
			t.Errorf("transfer: %v", err)
		}
		// The account moved; its link to the channel stays.
		if got := f.reload(t, ch).LinkedOA; got == nil || got.OfficialAccountID != oa.ID || got.OrgID != org.ID {
			t.Errorf("channel's linked OA after the account's transfer = %+v", got)
		}
		if _, err := f.db.SetLinkedOA(ctx, f.dev, login.ID, oa.ID); err != nil {
			t.Errorf("set Linked OA: %v", err)
		}
		if _, err := f.db.CreateOfficialAccount(ctx, f.dev, portal.OfficialAccount{ChannelID: freshCh.ID, BasicID: "@a.b_c-9", Name: "x", Plan: portal.PlanJPStandard}); err != nil {
			t.Errorf("a basic ID with every allowed character: %v", err)
		}
	})
}
