package store_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
)

// pages reads a whole list page by page and returns the IDs in order and
// the number of pages.
func pages[T any](t *testing.T, size int, id func(T) int64, find func(store.Page) ([]T, store.Cursor, error)) ([]int64, int) {
	t.Helper()
	var ids []int64
	p := store.Page{Limit: size}
	for n := 1; ; n++ {
		items, next, err := find(p)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if len(items) > size {
			t.Fatalf("page %d holds %d items, more than %d", n, len(items), size)
		}
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if next == "" {
			return ids, n
		}
		if n > 100 {
			t.Fatal("the list never ends")
		}
		p.After = next
	}
}

func descending(n int64, from int64) []int64 {
	var ids []int64
	for i := range n {
		ids = append(ids, from-i)
	}
	return ids
}

func TestStore_FindLinkRequests(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch, other := f.miniApp(t, acme), f.miniApp(t, acme)
	for range 7 {
		f.send(t, ch, org)
	}
	f.send(t, other, org)
	reqID := func(r portal.LinkRequest) int64 { return r.ID }

	ids, n := pages(t, 3, reqID, func(p store.Page) ([]portal.LinkRequest, store.Cursor, error) {
		return f.db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: ch.ID, Page: p})
	})
	if !slices.Equal(ids, descending(7, 7)) || n != 3 {
		t.Errorf("channel's requests by pages of 3 = %v in %d pages, want 7…1 in 3", ids, n)
	}
	ids, _ = pages(t, 5, reqID, func(p store.Page) ([]portal.LinkRequest, store.Cursor, error) {
		return f.db.FindLinkRequests(ctx, store.LinkRequestFilter{OrgID: org.ID, Page: p})
	})
	if !slices.Equal(ids, descending(8, 8)) {
		t.Errorf("organization's requests = %v", ids)
	}
	reqs, _, err := f.db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: ch.ID})
	mustNil(t, err)
	if reqs[0].State != portal.LinkRequestPending || reqs[1].State != portal.LinkRequestReplaced || reqs[1].DecidedAt.IsZero() {
		t.Errorf("newest requests = %+v", reqs[:2])
	}
	_, _, err = f.db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: ch.ID, Page: store.Page{After: "abc"}})
	if portal.ErrorCode(err) != portal.EINVALID || english(err) != "This page link is not valid. Go back to the first page of the list." {
		t.Errorf("bad cursor: %v", err)
	}
	if _, _, err := f.db.FindLinkRequests(ctx, store.LinkRequestFilter{}); portal.ErrorCode(err) != portal.EINTERNAL {
		t.Errorf("no filter: %v, want an internal error", err)
	}
}

func TestStore_FindChannels(t *testing.T) {
	f := newFixture(t)
	a := f.channel(t, portal.Channel{Name: "Shop 50% off"})
	b := f.channel(t, portal.Channel{Name: "Login", Kind: portal.KindLogin})
	c := f.channel(t, portal.Channel{Name: "shop_two"})
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, b.ID, mia.ID, portal.RoleMember))
	chID := func(ch portal.Channel) int64 { return ch.ID }
	tests := []struct {
		name   string
		filter store.ChannelFilter
		want   []int64
	}{
		{"mine", store.ChannelFilter{Actor: f.dev}, []int64{c.ID, b.ID, a.ID}},
		{"member", store.ChannelFilter{Actor: mia}, []int64{b.ID}},
		{"no role", store.ChannelFilter{Actor: f.boss}, nil},
		{"kind", store.ChannelFilter{Actor: f.dev, Kind: portal.KindMiniApp}, []int64{c.ID, a.ID}},
		{"name, any case", store.ChannelFilter{Actor: f.dev, Name: "SHOP"}, []int64{c.ID, a.ID}},
		{"name with %", store.ChannelFilter{Actor: f.dev, Name: "50%"}, []int64{a.ID}},
		{"name with _", store.ChannelFilter{Actor: f.dev, Name: "p_t"}, []int64{c.ID}},
		{"every channel, operator", store.ChannelFilter{Actor: f.op, All: true}, []int64{c.ID, b.ID, a.ID}},
		{"every channel of a kind, operator", store.ChannelFilter{Actor: f.op, All: true, Kind: portal.KindLogin}, []int64{b.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := pages(t, 2, chID, func(p store.Page) ([]portal.Channel, store.Cursor, error) {
				tt.filter.Page = p
				return f.db.FindChannels(ctx, tt.filter)
			})
			if !slices.Equal(ids, tt.want) {
				t.Errorf("channels = %v, want %v", ids, tt.want)
			}
		})
	}
	t.Run("ErrEveryChannelNotOperator", func(t *testing.T) {
		_, _, err := f.db.FindChannels(ctx, store.ChannelFilter{Actor: f.dev, All: true})
		if portal.ErrorCode(err) != portal.EFORBIDDEN || english(err) != "Only an operator can list every channel and organization." {
			t.Errorf("err = %v", err)
		}
	})
}

// AdminOnly keeps the channels on which the actor is an Admin, in one
// query: the channels an Official Account can be registered on.
func TestStore_FindChannels_AdminOnly(t *testing.T) {
	f := newFixture(t)
	a := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	b := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	c := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	d := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, a.ID, mia.ID, portal.RoleMember))
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, b.ID, mia.ID, portal.RoleAdmin))
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, c.ID, mia.ID, portal.RoleAdmin))
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, d.ID, f.op.ID, portal.RoleAdmin))
	chID := func(ch portal.Channel) int64 { return ch.ID }
	tests := []struct {
		name   string
		filter store.ChannelFilter
		want   []int64
	}{
		{"Admin of every channel", store.ChannelFilter{Actor: f.dev, AdminOnly: true}, []int64{d.ID, c.ID, b.ID, a.ID}},
		{"every role, for contrast", store.ChannelFilter{Actor: mia}, []int64{c.ID, b.ID, a.ID}},
		{"Member role left out", store.ChannelFilter{Actor: mia, AdminOnly: true}, []int64{c.ID, b.ID}},
		{"with kind: OA registration choices", store.ChannelFilter{Actor: mia, Kind: portal.KindMessagingAPI, AdminOnly: true}, []int64{b.ID}},
		{"no role", store.ChannelFilter{Actor: f.boss, AdminOnly: true}, nil},
		{"with All, the operator's own roles only", store.ChannelFilter{Actor: f.op, All: true, AdminOnly: true}, []int64{d.ID}},
		{"with All and kind", store.ChannelFilter{Actor: f.op, All: true, Kind: portal.KindMiniApp, AdminOnly: true}, nil},
		{"All without AdminOnly unchanged", store.ChannelFilter{Actor: f.op, All: true}, []int64{d.ID, c.ID, b.ID, a.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := pages(t, 1, chID, func(p store.Page) ([]portal.Channel, store.Cursor, error) {
				tt.filter.Page = p
				return f.db.FindChannels(ctx, tt.filter)
			})
			if !slices.Equal(ids, tt.want) {
				t.Errorf("channels = %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestStore_FindOrganizationAccounts(t *testing.T) {
	f := newFixture(t)
	org, dest := f.org(t, portal.RegionJapan, acme, true), f.org(t, portal.RegionJapan, acme, true)
	verified, rejected, moved := f.miniApp(t, acme), f.miniApp(t, other), f.miniApp(t, acme)
	lv, lr := f.link(t, verified, org), f.link(t, rejected, org)
	f.link(t, moved, org)
	_, err := f.db.TransferChannel(ctx, f.boss, moved.ID, org.ID, portal.OrganizationID(dest.ID))
	mustNil(t, err)
	linkID := func(ch portal.LinkedChannel) int64 { return ch.LinkID }
	tests := []struct {
		name   string
		review portal.ReviewStatus
		want   []int64
	}{
		{"all current links", "", []int64{lr.ID, lv.ID}},
		{"Rejected only", portal.ReviewRejected, []int64{lr.ID}},
		{"Unverified only", portal.ReviewUnverified, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := pages(t, 1, linkID, func(p store.Page) ([]portal.LinkedChannel, store.Cursor, error) {
				return f.db.FindOrganizationAccounts(ctx, org.ID, store.AccountFilter{Review: tt.review, Page: p})
			})
			if !slices.Equal(ids, tt.want) {
				t.Errorf("accounts = %v, want %v", ids, tt.want)
			}
		})
	}
	accounts, _, err := f.db.FindOrganizationAccounts(ctx, org.ID, store.AccountFilter{})
	mustNil(t, err)
	want := portal.LinkedChannel{ID: rejected.ID, Kind: rejected.Kind, Name: rejected.Name, LINEChannelID: rejected.LINEChannelID,
		LinkID: lr.ID, LinkedAt: lr.LinkedAt, Review: portal.ReviewRejected}
	if got := accounts[0]; got != want {
		t.Errorf("account =\n %+v\nwant\n %+v", got, want)
	}
}

func TestStore_FindOrganizations(t *testing.T) {
	f := newFixture(t)
	a, b := f.org(t, portal.RegionJapan, acme, false), f.org(t, portal.RegionJapan, acme, false)
	sam := f.admin(t, "Usam", "Sam")
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, b.ID, sam.ID))
	sorted := []string{a.ID, b.ID}
	slices.Sort(sorted)
	list := func(filter store.OrganizationFilter) []string {
		var ids []string
		for {
			orgs, next, err := f.db.FindOrganizations(ctx, filter)
			mustNil(t, err)
			for _, o := range orgs {
				ids = append(ids, o.ID)
			}
			if next == "" {
				return ids
			}
			filter.Page.After = next
		}
	}
	if got := list(store.OrganizationFilter{Actor: f.boss, Page: store.Page{Limit: 1}}); !slices.Equal(got, sorted) {
		t.Errorf("boss's organizations = %v, want %v", got, sorted)
	}
	if got := list(store.OrganizationFilter{Actor: sam}); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("sam's organizations = %v", got)
	}
	if got := list(store.OrganizationFilter{Actor: f.op, All: true, Page: store.Page{Limit: 1}}); !slices.Equal(got, sorted) {
		t.Errorf("every organization = %v", got)
	}
	admins, err := f.db.FindOrganizationAdmins(ctx, b.ID)
	mustNil(t, err)
	if len(admins) != 2 || admins[0].ID != f.boss.ID || admins[1].ID != sam.ID {
		t.Errorf("administrators = %+v", admins)
	}
}

func TestStore_FindAuditEntries(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	link := f.link(t, ch, org)
	entries, _, err := f.db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: ch.ID})
	mustNil(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, string(e.Action)+" by "+e.ActorName)
	}
	want := []string{"review.start by Boss", "link.create by Boss", "link_request.approve by Boss", "link_request.send by Dev",
		"miniapp_review.approve by Olivia", "miniapp_review.submit by Dev", "channel.create by Dev"}
	if !slices.Equal(got, want) {
		t.Errorf("channel's audit entries:\n got %q\nwant %q", got, want)
	}
	newest := entries[0]
	if newest.SubjectKind != portal.SubjectLink || newest.SubjectID != itoa(link.ID) || newest.ChannelID != ch.ID || newest.OrgID != org.ID ||
		newest.Before != (portal.AuditNote{}) || newest.After != portal.Note(portal.NoteReview, "Review", string(portal.ReviewVerified)) || !newest.At.Equal(start) {
		t.Errorf("newest entry = %+v", newest)
	}
	orgEntries, _, err := f.db.FindAuditEntries(ctx, store.AuditFilter{OrgID: org.ID, Page: store.Page{Limit: 2}})
	mustNil(t, err)
	if len(orgEntries) != 2 || orgEntries[0].Action != "review.start" || orgEntries[1].Action != "link.create" {
		t.Errorf("organization's newest entries = %+v", orgEntries)
	}
}

func TestStore_Access(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, mia.ID, portal.RoleMember))
	// channelAccess reads actor's access to ch alone and with the channel
	// and its organization (the channel's pages), which must agree.
	channelAccess := func(t *testing.T, actor portal.Admin) portal.ChannelAccess {
		t.Helper()
		alone, err := f.db.FindChannelAccess(ctx, actor, ch.ID)
		mustNil(t, err)
		read, with, linkedTo, err := f.db.FindChannelWithAccess(ctx, actor, ch.ID)
		mustNil(t, err)
		if with != alone {
			t.Errorf("%s: access read with the channel = %+v, alone %+v", actor.Name, with, alone)
		}
		want := f.reload(t, ch)
		if !reflect.DeepEqual(read, want) {
			t.Errorf("%s: channel read with the access = %+v, want %+v", actor.Name, read, want)
		}
		if want.Link == nil && linkedTo != nil {
			t.Errorf("%s: an unlinked channel's organization = %+v", actor.Name, linkedTo)
		}
		if want.Link != nil {
			if org, err := f.db.FindOrganizationByID(ctx, want.Link.OrgID); err != nil || linkedTo == nil || !reflect.DeepEqual(*linkedTo, org) {
				t.Errorf("%s: the channel's organization = %+v, want %+v (%v)", actor.Name, linkedTo, org, err)
			}
		}
		return alone
	}
	before := f.snapshot(t)
	t.Run("before linking", func(t *testing.T) {
		for _, tt := range []struct {
			actor portal.Admin
			want  portal.ChannelAccess
		}{
			{f.dev, portal.ChannelAccess{Role: portal.RoleAdmin}},
			{mia, portal.ChannelAccess{Role: portal.RoleMember}},
			{f.boss, portal.ChannelAccess{}},
			{f.op, portal.ChannelAccess{Operator: true}},
		} {
			if got := channelAccess(t, tt.actor); got != tt.want {
				t.Errorf("%s: %+v; want %+v", tt.actor.Name, got, tt.want)
			}
		}
	})
	if f.snapshot(t) != before {
		t.Fatal("reading access wrote")
	}
	f.link(t, ch, org)
	if got := channelAccess(t, f.boss); got != (portal.ChannelAccess{OrgAdmin: true}) {
		t.Errorf("boss after linking = %+v", got)
	}
	if got := channelAccess(t, f.dev); got != (portal.ChannelAccess{Role: portal.RoleAdmin}) {
		t.Errorf("dev after linking = %+v", got)
	}
	if _, _, _, err := f.db.FindChannelWithAccess(ctx, f.dev, ch.ID+1000); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("no such channel: %v", err)
	}
	for _, tt := range []struct {
		actor portal.Admin
		want  portal.OrganizationAccess
	}{
		{f.boss, portal.OrganizationAccess{Admin: true}},
		{f.dev, portal.OrganizationAccess{}},
		{f.op, portal.OrganizationAccess{Operator: true}},
	} {
		got, access, err := f.db.FindOrganizationWithAccess(ctx, tt.actor, org.ID)
		if want, _ := f.db.FindOrganizationByID(ctx, org.ID); err != nil || access != tt.want || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %+v, %v; want %+v, %+v", tt.actor.Name, got, access, err, want, tt.want)
		}
	}
	if _, _, err := f.db.FindOrganizationWithAccess(ctx, f.boss, "BM99999999999"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("no such organization: %v", err)
	}
}

func TestStore_Creation(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Name: "Shop"})
	t.Run("channel creator is its Admin", func(t *testing.T) {
		if ch.Provider != f.provider || ch.Verified || ch.MiniAppReview != portal.MiniAppReviewNone || ch.Link != nil || !ch.CreatedAt.Equal(start) {
			t.Errorf("new channel = %+v", ch)
		}
		if a, _ := f.db.FindChannelAccess(ctx, f.dev, ch.ID); a.Role != portal.RoleAdmin {
			t.Errorf("creator's role = %s", a.Role)
		}
	})
	t.Run("ErrDuplicateLINEChannelID", func(t *testing.T) {
		dup := portal.Channel{Provider: f.provider, Kind: portal.KindLogin, LINEChannelID: ch.LINEChannelID, Name: "Again", Region: portal.RegionJapan}
		msg := "A channel with the channel ID " + ch.LINEChannelID + " is already registered in the portal."
		f.refuses(t, portal.ECONFLICT, msg, func() error {
			_, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, dup)
			var e *portal.Error
			if !errors.As(err, &e) || e.Fields["line_channel_id"] != string(portal.RChannelIDTaken) {
				t.Errorf("the refusal is not on the form field: %#v", e)
			}
			return err
		})
	})
	t.Run("ErrNoSuchProvider", func(t *testing.T) {
		f.refuses(t, portal.ENOTFOUND, "No such provider.", func() error {
			_, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, portal.Channel{Provider: portal.Provider{ID: 99}, Kind: portal.KindLogin, LINEChannelID: "9999999999", Name: "x", Region: portal.RegionJapan})
			return err
		})
	})
	t.Run("ErrInvalidChannel", func(t *testing.T) {
		f.refuses(t, portal.EINVALID, "Enter the channel's name.", func() error { _, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, portal.Channel{}); return err })
	})
	t.Run("roles", func(t *testing.T) {
		mia := f.admin(t, "Umia", "Mia")
		mark := f.auditMark(t)
		mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, mia.ID, portal.RoleMember))
		mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, mia.ID, portal.RoleAdmin))
		f.assertAudit(t, mark, "channel.role_set channel: role(Name=Mia, Role=) → role(Name=Mia, Role=member)", "channel.role_set channel: role(Name=Mia, Role=member) → role(Name=Mia, Role=admin)")
		sam := f.admin(t, "Usam", "Sam")
		mustNil(t, f.db.SetChannelRole(ctx, mia, ch.ID, sam.ID, portal.RoleMember))
		f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles.",
			func() error { return f.db.SetChannelRole(ctx, sam, ch.ID, sam.ID, portal.RoleAdmin) })
		f.refuses(t, portal.ENOTFOUND, "No such admin.", func() error { return f.db.SetChannelRole(ctx, f.dev, ch.ID, 999, portal.RoleMember) })
	})
	t.Run("EnsureAdmin is idempotent", func(t *testing.T) {
		again, err := f.db.EnsureAdmin(ctx, " Udev ", "Someone Else")
		if err != nil || again.ID != f.dev.ID || again.Name != "Dev" {
			t.Errorf("EnsureAdmin again = %+v, %v", again, err)
		}
		f.refuses(t, portal.EINVALID, "Enter the person's LINE user ID.", func() error { _, err := f.db.EnsureAdmin(ctx, " ", "x"); return err })
	})
	t.Run("ErrAlreadyOrganizationAdmin", func(t *testing.T) {
		org := f.org(t, portal.RegionJapan, acme, false)
		f.refuses(t, portal.ECONFLICT, "Boss is already an administrator of organization "+org.ID+".",
			func() error { return f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, f.boss.ID) })
		f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can add administrators.",
			func() error { return f.db.AddOrganizationAdmin(ctx, f.dev, org.ID, f.dev.ID) })
		f.refuses(t, portal.ENOTFOUND, "No such organization.", func() error { return f.db.AddOrganizationAdmin(ctx, f.boss, "BM00000000000", f.dev.ID) })
	})
}
