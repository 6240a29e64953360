package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
)

// oa creates an Official Account of dev's on a new Messaging API channel
// of the fixture's provider, with Japan's Light plan and info as its
// business information.
func (f *fixture) oa(t *testing.T, info portal.BusinessInfo) portal.OfficialAccount {
	t.Helper()
	ch := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	oa, err := f.db.CreateOfficialAccount(ctx, f.dev, portal.OfficialAccount{
		ChannelID: ch.ID, BasicID: fmt.Sprintf("@oa%d", f.channels), Name: fmt.Sprintf("Account %d", f.channels), Plan: portal.PlanJPLight, Info: info,
	})
	if err != nil {
		t.Fatalf("CreateOfficialAccount: %v", err)
	}
	return oa
}

// linkOA links oa to org: dev makes boss an Admin of the account, and boss,
// who administers org, links it.
func (f *fixture) linkOA(t *testing.T, oa portal.OfficialAccount, org portal.Organization) portal.Link {
	t.Helper()
	if err := f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, f.boss.ID, portal.RoleAdmin); err != nil {
		t.Fatalf("SetOfficialAccountRole: %v", err)
	}
	link, err := f.db.LinkOfficialAccountToOrganization(ctx, f.boss, oa.ID, portal.OrganizationID(org.ID))
	if err != nil {
		t.Fatalf("LinkOfficialAccountToOrganization: %v", err)
	}
	return link
}

func (f *fixture) reloadOA(t *testing.T, oa portal.OfficialAccount) portal.OfficialAccount {
	t.Helper()
	oa, err := f.db.FindOfficialAccountByID(ctx, oa.ID)
	if err != nil {
		t.Fatalf("FindOfficialAccountByID: %v", err)
	}
	return oa
}

func TestStore_CreateOfficialAccount(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	in := portal.OfficialAccount{ChannelID: ch.ID, BasicID: "@acme", Name: " Acme Shop ", PictureURL: "https://example.com/acme.png", Plan: portal.PlanJPCommunication,
		Info: portal.BusinessInfo{CompanyName: " Acme K.K.", Address: acme.Address}}
	f.clock.Set(start.Add(time.Minute))
	mark := f.auditMark(t)
	oa, err := f.db.CreateOfficialAccount(ctx, f.dev, in)
	mustNil(t, err)
	want := portal.OfficialAccount{ID: oa.ID, BasicID: "@acme", Name: "Acme Shop", PictureURL: "https://example.com/acme.png",
		ChannelID: ch.ID, LINEChannelID: ch.LINEChannelID, ChannelName: ch.Name, Provider: f.provider, Plan: portal.PlanJPCommunication, Info: acme,
		CreatedAt: start.Add(time.Minute)}
	if oa != want {
		t.Errorf("created\n %+v\nwant\n %+v", oa, want)
	}
	if got := f.reloadOA(t, oa); got != want {
		t.Errorf("re-read\n %+v\nwant\n %+v", got, want)
	}
	f.assertAudit(t, mark, "official_account.create official_account:  → oa_created(Address=1-2-3 Chiyoda, Tokyo, Admin=Dev, BasicID=@acme, Company=Acme K.K., LINEChannelID="+ch.LINEChannelID+
		", Name=Acme Shop, PictureURL=https://example.com/acme.png, Plan=jp_communication)")
	entries, _, err := f.db.FindAuditEntries(ctx, store.AuditFilter{OfficialAccountID: oa.ID})
	mustNil(t, err)
	if len(entries) != 1 || entries[0].OfficialAccountID != oa.ID || entries[0].ChannelID != ch.ID || entries[0].SubjectID != itoa(oa.ID) {
		t.Errorf("account's audit entries = %+v", entries)
	}
	if a, err := f.db.FindOfficialAccountAccess(ctx, f.dev, oa.ID); err != nil || a != (portal.OfficialAccountAccess{Role: portal.RoleAdmin}) {
		t.Errorf("creator's access = %+v, %v", a, err)
	}

	login := f.channel(t, portal.Channel{Kind: portal.KindLogin})
	fresh := f.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, fresh.ID, mia.ID, portal.RoleMember))
	create := func(actor portal.Admin, channelID int64, basicID string) func() error {
		return func() error {
			_, err := f.db.CreateOfficialAccount(ctx, actor, portal.OfficialAccount{ChannelID: channelID, BasicID: basicID, Name: "x", Plan: portal.PlanJPStandard})
			return err
		}
	}
	tests := []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"ErrBasicID", create(f.dev, fresh.ID, "acme"), portal.EINVALID, "Enter the basic ID as @ followed by up to 18 letters, digits, \".\", \"_\" or \"-\", for example @linedevelopers."},
		{"ErrNoSuchChannel", create(f.dev, 999, "@new"), portal.ENOTFOUND, "No such channel."},
		{"ErrNotMessagingAPI", create(f.dev, login.ID, "@new"), portal.EINVALID,
			"Choose a Messaging API channel: a LINE Official Account sends and receives messages through one. This is a LINE Login channel."},
		{"ErrNotChannelAdmin", create(mia, fresh.ID, "@new"), portal.EFORBIDDEN, "Only an Admin of this channel can create its LINE Official Account."},
		{"ErrChannelHasAccount", create(f.dev, ch.ID, "@new"), portal.ECONFLICT,
			"This Messaging API channel already belongs to LINE Official Account @acme. A Messaging API channel has one LINE Official Account."},
		// The edge reads what a person typed (portal.ParseBasicID): the
		// store takes the basic ID in its written form only.
		{"ErrBasicID not in its written form", create(f.dev, fresh.ID, "@ACME"), portal.EINVALID, "Enter the basic ID as @ followed by up to 18 letters, digits, \".\", \"_\" or \"-\", for example @linedevelopers."},
		{"ErrBasicIDTaken", create(f.dev, fresh.ID, "@acme"), portal.ECONFLICT, "A LINE Official Account with the basic ID @acme is already registered in the portal."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.refuses(t, tt.code, tt.message, tt.call) })
	}
}

func TestStore_UpdateOfficialAccount(t *testing.T) {
	f := newFixture(t)
	oa := f.oa(t, other)
	edit := portal.OfficialAccountEdit{Name: " Acme Cafe ", PictureURL: "https://example.com/cafe.png", Plan: portal.PlanJPStandard, Info: acme}
	mark := f.auditMark(t)
	mustNil(t, f.db.UpdateOfficialAccount(ctx, f.dev, oa.ID, edit))
	f.assertAudit(t, mark, fmt.Sprintf("official_account.update official_account: official_account(Address=9-9 Minato, Tokyo, BasicID=%s, Company=Other K.K., Name=Account 1, PictureURL=, Plan=jp_light) → "+
		"official_account(Address=1-2-3 Chiyoda, Tokyo, BasicID=%s, Company=Acme K.K., Name=Acme Cafe, PictureURL=https://example.com/cafe.png, Plan=jp_standard)", oa.BasicID, oa.BasicID))
	got := f.reloadOA(t, oa)
	if got.Edit() != (portal.OfficialAccountEdit{Name: "Acme Cafe", PictureURL: "https://example.com/cafe.png", Plan: portal.PlanJPStandard, Info: acme}) || got.BasicID != oa.BasicID {
		t.Errorf("after the update = %+v", got)
	}

	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, mia.ID, portal.RoleMember))
	f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can edit it.",
		func() error { return f.db.UpdateOfficialAccount(ctx, mia, oa.ID, edit) })
	f.refuses(t, portal.EINVALID, "Choose the country and plan of the LINE Official Account: plans differ by country.",
		func() error {
			return f.db.UpdateOfficialAccount(ctx, f.dev, oa.ID, portal.OfficialAccountEdit{Name: "x", Plan: "basic"})
		})
	f.refuses(t, portal.ENOTFOUND, "No such LINE Official Account.", func() error { return f.db.UpdateOfficialAccount(ctx, f.dev, 999, edit) })
	f.refuses(t, portal.ENOTFOUND, "No such LINE Official Account.", func() error {
		_, err := f.db.FindOfficialAccountByBasicID(ctx, "@nobody")
		return err
	})

	// Verified, its business information is final; the rest is not.
	org := f.org(t, portal.RegionJapan, acme, true)
	if link := f.linkOA(t, oa, org); link.Review.Status != portal.ReviewVerified {
		t.Fatalf("review = %+v", link.Review)
	}
	f.refuses(t, portal.EINVALID, "The account linking review of this LINE Official Account is Verified, so its business information can't change: the review compared it with the business info of organization "+org.ID+".",
		func() error {
			return f.db.UpdateOfficialAccount(ctx, f.dev, oa.ID, portal.OfficialAccountEdit{Name: "x", Plan: portal.PlanJPCommunication, Info: other})
		})
	mustNil(t, f.db.UpdateOfficialAccount(ctx, f.dev, oa.ID, portal.OfficialAccountEdit{Name: "Acme", Plan: portal.PlanJPCommunication, Info: acme}))
}

func TestStore_OfficialAccountRoles(t *testing.T) {
	f := newFixture(t)
	oa := f.oa(t, acme)
	mia, sam := f.admin(t, "Umia", "Mia"), f.admin(t, "Usam", "Sam")
	mark := f.auditMark(t)
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, mia.ID, portal.RoleMember))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, sam.ID, portal.RoleMember))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, mia.ID, portal.RoleAdmin))
	f.assertAudit(t, mark,
		"official_account.role_set official_account: role(Name=Mia, Role=) → role(Name=Mia, Role=member)",
		"official_account.role_set official_account: role(Name=Sam, Role=) → role(Name=Sam, Role=member)",
		"official_account.role_set official_account: role(Name=Mia, Role=member) → role(Name=Mia, Role=admin)")
	roles, err := f.db.FindOfficialAccountRoles(ctx, oa.ID)
	mustNil(t, err)
	var got []string
	for _, r := range roles {
		got = append(got, r.Admin.Name+" "+r.Role.String())
	}
	if want := []string{"Dev Admin", "Mia Admin", "Sam Member"}; !slices.Equal(got, want) || roles[0].Admin.LINEUserID != "Udev" {
		t.Errorf("roles = %q, want %q", got, want)
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can change its roles.",
		func() error { return f.db.SetOfficialAccountRole(ctx, sam, oa.ID, sam.ID, portal.RoleAdmin) })
	f.refuses(t, portal.EINVALID, "Choose the role: Admin or Member.",
		func() error { return f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, sam.ID, portal.RoleNone) })
	f.refuses(t, portal.ENOTFOUND, "No such admin.", func() error { return f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, 999, portal.RoleMember) })

	org := f.org(t, portal.RegionJapan, acme, true)
	f.linkOA(t, oa, org)
	for _, tt := range []struct {
		actor portal.Admin
		want  portal.OfficialAccountAccess
	}{
		{f.dev, portal.OfficialAccountAccess{Role: portal.RoleAdmin}},
		{sam, portal.OfficialAccountAccess{Role: portal.RoleMember}},
		{f.boss, portal.OfficialAccountAccess{Role: portal.RoleAdmin, OrgAdmin: true}},
		{f.op, portal.OfficialAccountAccess{Operator: true}},
		{f.admin(t, "Ustranger", "Stranger"), portal.OfficialAccountAccess{}},
	} {
		if got, err := f.db.FindOfficialAccountAccess(ctx, tt.actor, oa.ID); err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.actor.Name, got, err, tt.want)
		}
	}
}

func TestStore_LinkOfficialAccountToOrganization(t *testing.T) {
	t.Run("OK verified organization: Verified at once", func(t *testing.T) {
		f := newFixture(t)
		oa, org := f.oa(t, acme), f.org(t, portal.RegionJapan, acme, true)
		mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, f.boss.ID, portal.RoleAdmin))
		f.clock.Set(start.Add(time.Hour))
		mark := f.auditMark(t)
		link, err := f.db.LinkOfficialAccountToOrganization(ctx, f.boss, oa.ID, portal.OrganizationID(org.ID))
		mustNil(t, err)
		f.assertAudit(t, mark, "link.create link:  → linked_to_org(OrgID="+org.ID+")", "review.start link:  → review(Review=verified)")
		if link.OfficialAccountID != oa.ID || link.ChannelID != 0 || link.OrgID != org.ID || !link.LinkedAt.Equal(start.Add(time.Hour)) ||
			link.Review.Status != portal.ReviewVerified || link.Review.OfficialAccountID != oa.ID || link.Review.ActorID != f.boss.ID {
			t.Errorf("link = %+v", link)
		}
		got := f.reloadOA(t, oa).Link
		if got == nil || got.ID != link.ID || got.Review != link.Review {
			t.Errorf("account's link = %+v, want %+v", got, link)
		}
		history, _, err := f.db.FindReviewHistory(ctx, store.ReviewFilter{OfficialAccountID: oa.ID})
		mustNil(t, err)
		if len(history) != 1 || history[0] != link.Review {
			t.Errorf("history = %+v", history)
		}
		entries, _, err := f.db.FindAuditEntries(ctx, store.AuditFilter{OfficialAccountID: oa.ID, OrgID: org.ID})
		mustNil(t, err)
		if len(entries) != 2 || entries[0].Action != "review.start" || entries[1].Action != "link.create" {
			t.Errorf("account's entries in the organization = %+v", entries)
		}
	})

	t.Run("OK both reviews together, then verification runs it", func(t *testing.T) {
		f := newFixture(t)
		oa, org := f.oa(t, acme), f.org(t, portal.RegionJapan, acme, false)
		mark := f.auditMark(t)
		link := f.linkOA(t, oa, org)
		f.assertAudit(t, mark,
			"official_account.role_set official_account: role(Name=Boss, Role=) → role(Name=Boss, Role=admin)",
			"link.create link:  → linked_to_org(OrgID="+org.ID+")",
			"verification.submit organization: verification(Verification=unverified) → verification(Verification=in_review)",
			"review.start link:  → review(Review=unverified)")
		if link.Review.Status != portal.ReviewUnverified {
			t.Errorf("review = %+v", link.Review)
		}
		mark = f.auditMark(t)
		mustNil(t, f.db.VerifyOrganization(ctx, f.op, org.ID))
		f.assertAudit(t, mark, "verification.verify organization: verification(Verification=in_review) → verification(Verification=verified)", "review.run link: review(Review=unverified) → review(Review=verified)")
		if got := f.reloadOA(t, oa).Link.Review; got.Status != portal.ReviewVerified || got.Event != portal.ReviewRun {
			t.Errorf("review after verification = %+v", got)
		}
	})

	t.Run("mismatch rejects while unverified; fix, verify, resubmit", func(t *testing.T) {
		f := newFixture(t)
		oa, org := f.oa(t, other), f.org(t, portal.RegionJapan, acme, false)
		link := f.linkOA(t, oa, org)
		if link.Review.Status != portal.ReviewRejected || link.Review.Cause != portal.CauseMismatch {
			t.Fatalf("review = %+v", link.Review)
		}
		resubmit := func() error { _, err := f.db.ResubmitReview(ctx, f.boss, link.ID); return err }
		f.refuses(t, portal.EINVALID, "Organization "+org.ID+" is not verified. Complete its verification review, then request the resubmission.", resubmit)
		guidance := portal.RejectionGuidance(f.reloadOA(t, oa).Link.Review, f.reloadOrg(t, org))
		if len(guidance) != 3 || guidance[0].Case != portal.CaseOfficialAccountInfo {
			t.Errorf("guidance = %+v", guidance)
		}
		// The account's information was wrong: an Admin corrects it (a
		// Rejected review does not freeze it), then the administrator
		// resubmits once the organization is verified.
		mustNil(t, f.db.UpdateOfficialAccount(ctx, f.dev, oa.ID, portal.OfficialAccountEdit{Name: oa.Name, Plan: oa.Plan, Info: acme}))
		mustNil(t, f.db.VerifyOrganization(ctx, f.op, org.ID))
		mark := f.auditMark(t)
		rv, err := f.db.ResubmitReview(ctx, f.boss, link.ID)
		mustNil(t, err)
		f.assertAudit(t, mark, "review.resubmit link: review(Review=rejected) → review(Review=verified)")
		if rv.Status != portal.ReviewVerified || rv.OfficialAccountID != oa.ID {
			t.Errorf("resubmitted review = %+v", rv)
		}
		// An operator's override works on an account's link as on a
		// channel's.
		mark = f.auditMark(t)
		_, err = f.db.OverrideReview(ctx, f.op, link.ID, portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization, Reason: "linked to the wrong organization"})
		mustNil(t, err)
		f.assertAudit(t, mark, "review.override link: review(Review=verified) → review(Review=rejected)")
		f.refuses(t, portal.EINVALID, "The review was rejected because the LINE Official Account is linked to the wrong organization, which a resubmission can't change. Transfer the LINE Official Account to the correct organization instead.", resubmit)
	})

	t.Run("refusals", func(t *testing.T) {
		f := newFixture(t)
		oa, org := f.oa(t, acme), f.org(t, portal.RegionJapan, acme, true)
		tw := f.org(t, portal.RegionTaiwan, acme, false)
		incomplete := f.oa(t, portal.BusinessInfo{CompanyName: "Acme K.K."})
		linked := f.oa(t, acme)
		f.linkOA(t, linked, org)
		mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, oa.ID, f.boss.ID, portal.RoleMember))
		mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, incomplete.ID, f.boss.ID, portal.RoleAdmin))
		mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, linked.ID, f.boss.ID, portal.RoleAdmin))
		other := f.admin(t, "Uother", "Oscar")
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, other.ID))
		link := func(actor portal.Admin, oa portal.OfficialAccount, input string) func() error {
			return func() error {
				_, err := f.db.LinkOfficialAccountToOrganization(ctx, actor, oa.ID, portal.OrganizationID(input))
				return err
			}
		}
		tests := []struct {
			name          string
			call          func() error
			code, message string
		}{
			{"ErrNotAccountAdmin", link(f.boss, oa, org.ID), portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can link it to an organization."},
			{"ErrNotAccountAdmin even as organization administrator", link(other, oa, org.ID), portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can link it to an organization."},
			{"ErrNotOrganizationAdmin", link(f.dev, oa, org.ID), portal.EFORBIDDEN, "Only an administrator of organization " + org.ID + " can link accounts to it."},
			{"ErrIncompleteInfo", link(f.boss, incomplete, org.ID), portal.EINVALID,
				"Enter the company name and address in the business information of this LINE Official Account first: its account linking review compares them with the organization's business info."},
			{"ErrOrganizationRegion", link(f.boss, linked, tw.ID), portal.EINVALID,
				"Organization " + tw.ID + " is registered in Taiwan. Only an organization whose region is Japan can be linked."},
			{"ErrAlreadyLinked", link(f.boss, linked, org.ID), portal.ECONFLICT,
				"This LINE Official Account is already linked to organization " + org.ID + ", and a link can't be removed. To move the LINE Official Account to another organization, transfer it in the organization instead."},
			{"ErrNoSuchAccount", func() error {
				_, err := f.db.LinkOfficialAccountToOrganization(ctx, f.boss, 999, portal.OrganizationID(org.ID))
				return err
			}, portal.ENOTFOUND, "No such LINE Official Account."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { f.refuses(t, tt.code, tt.message, tt.call) })
		}
	})
}

func TestStore_TransferOfficialAccount(t *testing.T) {
	f := newFixture(t)
	from, to := f.org(t, portal.RegionJapan, other, true), f.org(t, portal.RegionJapan, acme, true)
	oa := f.oa(t, acme)
	old := f.linkOA(t, oa, from)
	transfer := func(actor portal.Admin, dest string) func() error {
		return func() error {
			_, err := f.db.TransferOfficialAccount(ctx, actor, oa.ID, from.ID, portal.OrganizationID(dest))
			return err
		}
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+from.ID+", where the LINE Official Account is linked, can transfer it.", transfer(f.dev, to.ID))
	unlinked := f.oa(t, acme)
	f.refuses(t, portal.EINVALID, "This LINE Official Account is not linked to an organization, so there is nothing to transfer. Link it to an organization instead.",
		func() error {
			_, err := f.db.TransferOfficialAccount(ctx, f.boss, unlinked.ID, from.ID, portal.OrganizationID(to.ID))
			return err
		})

	mark := f.auditMark(t)
	link, err := f.db.TransferOfficialAccount(ctx, f.boss, oa.ID, from.ID, portal.OrganizationID(to.ID))
	mustNil(t, err)
	f.assertAudit(t, mark,
		"link.transfer link: linked_to_org(OrgID="+from.ID+") → transferred_to(OrgID="+to.ID+")",
		"link.create link:  → linked_to_org(OrgID="+to.ID+")",
		"review.start link:  → review(Review=verified)")
	if link.OfficialAccountID != oa.ID || link.OrgID != to.ID || link.ID == old.ID {
		t.Errorf("new link = %+v", link)
	}
	history, _, err := f.db.FindReviewHistory(ctx, store.ReviewFilter{OfficialAccountID: oa.ID})
	mustNil(t, err)
	if len(history) != 2 || history[0].OrgID != to.ID || history[1].LinkID != old.ID || history[1].Status != portal.ReviewRejected {
		t.Errorf("history = %+v", history)
	}
}

func TestStore_FindOfficialAccounts(t *testing.T) {
	f := newFixture(t)
	a, b, c := f.oa(t, acme), f.oa(t, acme), f.oa(t, acme)
	otherProvider, err := f.db.CreateProvider(ctx, f.dev, "Other Provider")
	mustNil(t, err)
	ch, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, portal.Channel{Provider: otherProvider, Kind: portal.KindMessagingAPI, LINEChannelID: "3000000001", Name: "Other", Region: portal.RegionJapan})
	mustNil(t, err)
	d, err := f.db.CreateOfficialAccount(ctx, f.dev, portal.OfficialAccount{ChannelID: ch.ID, BasicID: "@elsewhere", Name: "Elsewhere", Plan: portal.PlanJPCommunication})
	mustNil(t, err)
	mia := f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, a.ID, mia.ID, portal.RoleAdmin))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, b.ID, mia.ID, portal.RoleMember))
	mustNil(t, f.db.SetOfficialAccountRole(ctx, f.dev, d.ID, mia.ID, portal.RoleAdmin))
	org := f.org(t, portal.RegionJapan, acme, true)
	f.linkOA(t, c, org)
	f.linkOA(t, a, org)
	oaID := func(oa portal.OfficialAccount) int64 { return oa.ID }
	tests := []struct {
		name   string
		filter store.OfficialAccountFilter
		want   []int64
	}{
		{"mine", store.OfficialAccountFilter{Actor: f.dev}, []int64{d.ID, c.ID, b.ID, a.ID}},
		{"member too", store.OfficialAccountFilter{Actor: mia}, []int64{d.ID, b.ID, a.ID}},
		{"Admin only", store.OfficialAccountFilter{Actor: mia, AdminOnly: true}, []int64{d.ID, a.ID}},
		{"Linked OA choices: Admin, same provider", store.OfficialAccountFilter{Actor: mia, AdminOnly: true, ProviderID: f.provider.ID}, []int64{a.ID}},
		{"no role", store.OfficialAccountFilter{Actor: f.op}, nil},
		{"every account, operator", store.OfficialAccountFilter{Actor: f.op, All: true}, []int64{d.ID, c.ID, b.ID, a.ID}},
		{"organization's, newest link first", store.OfficialAccountFilter{OrgID: org.ID}, []int64{a.ID, c.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := pages(t, 1, oaID, func(p store.Page) ([]portal.OfficialAccount, store.Cursor, error) {
				tt.filter.Page = p
				return f.db.FindOfficialAccounts(ctx, tt.filter)
			})
			if !slices.Equal(ids, tt.want) {
				t.Errorf("accounts = %v, want %v", ids, tt.want)
			}
		})
	}
	t.Run("ErrEveryAccountNotOperator", func(t *testing.T) {
		_, _, err := f.db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{Actor: f.dev, All: true})
		if portal.ErrorCode(err) != portal.EFORBIDDEN {
			t.Errorf("err = %v", err)
		}
	})
	list, _, err := f.db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{OrgID: org.ID})
	mustNil(t, err)
	if list[0].Link == nil || list[0].Link.Review.Status != portal.ReviewVerified || list[0].Provider != f.provider {
		t.Errorf("organization's account = %+v", list[0])
	}
}
