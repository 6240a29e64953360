package store_test

import (
	"strings"
	"testing"

	"lineportal/internal/portal"
)

const newUserID = "U0123456789abcdef0123456789abcdef"

const badIDMessage = "Enter the person's LINE user ID: U followed by 32 hexadecimal digits, for example U4af4980629f1c0b1d6d2e1c7b0e3f5a2. It is not the LINE ID people search for; once signed in, anyone sees theirs on their Profile page."

func TestRegisterChannel(t *testing.T) {
	f := newFixture(t)
	mine := f.channel(t, portal.Channel{Kind: portal.KindLogin}) // dev works in f.provider
	draft := portal.MiniAppInfo{ServiceCompany: acme, ProviderIsServiceCompany: true, CompanyCountry: portal.RegionTaiwan}

	t.Run("under a provider the actor works in", func(t *testing.T) {
		mark := f.auditMark(t)
		ch, err := f.db.RegisterChannel(ctx, f.dev, portal.Channel{Provider: portal.Provider{ID: f.provider.ID}, Kind: portal.KindMiniApp,
			LINEChannelID: "2100000001", Name: " Shop ", Region: portal.RegionTaiwan, Draft: draft})
		mustNil(t, err)
		if ch.Provider != f.provider || ch.Name != "Shop" || ch.Verified || ch.Draft != draft || ch.Published != (portal.MiniAppInfo{CompanyCountry: portal.RegionTaiwan}) {
			t.Errorf("registered = %+v", ch)
		}
		if a, _ := f.db.FindChannelAccess(ctx, f.dev, ch.ID); a.Role != portal.RoleAdmin {
			t.Errorf("creator's role = %s", a.Role)
		}
		f.assertAudit(t, mark, "channel.create channel:  → channel(Admin=Dev, Kind=mini_app, LINEChannelID=2100000001, Name=Shop, Region=TW)")
	})
	t.Run("under a new provider, in the same transaction", func(t *testing.T) {
		mark := f.auditMark(t)
		ch, err := f.db.RegisterChannel(ctx, f.boss, portal.Channel{Provider: portal.Provider{Name: " Boss Co. "}, Kind: portal.KindMessagingAPI,
			LINEChannelID: "2100000002", Name: "Bot", Region: portal.RegionJapan})
		mustNil(t, err)
		if ch.Provider.ID == 0 || ch.Provider.ID == f.provider.ID || ch.Provider.Name != "Boss Co." {
			t.Errorf("provider = %+v", ch.Provider)
		}
		f.assertAudit(t, mark, "provider.create provider:  → provider(Name=Boss Co.)",
			"channel.create channel:  → channel(Admin=Boss, Kind=messaging_api, LINEChannelID=2100000002, Name=Bot, Region=JP)")
	})
	const notYours = "You can register a channel only under a provider you work in (you have a role on one of its channels), or under a new provider."
	cases := []struct {
		name, code, msg string
		actor           portal.Admin
		in              portal.Channel
	}{
		{"ErrSomeoneElsesProvider", portal.EFORBIDDEN, notYours, f.op,
			portal.Channel{Provider: f.provider, Kind: portal.KindLogin, LINEChannelID: "2100000003", Name: "x", Region: portal.RegionJapan}},
		{"ErrNoSuchProviderLooksTheSame", portal.EFORBIDDEN, notYours, f.dev,
			portal.Channel{Provider: portal.Provider{ID: 999}, Kind: portal.KindLogin, LINEChannelID: "2100000003", Name: "x", Region: portal.RegionJapan}},
		{"ErrDuplicateLINEChannelID", portal.ECONFLICT, "A channel with the channel ID " + mine.LINEChannelID + " is already registered in the portal.", f.dev,
			portal.Channel{Provider: portal.Provider{Name: "Never Created"}, Kind: portal.KindLogin, LINEChannelID: mine.LINEChannelID, Name: "x", Region: portal.RegionJapan}},
		{"ErrBadChannelID", portal.EINVALID, "Enter the channel ID shown in the LINE Developers Console: 10 digits.", f.dev,
			portal.Channel{Provider: portal.Provider{Name: "Never Created"}, Kind: portal.KindLogin, LINEChannelID: "21000", Name: "x", Region: portal.RegionJapan}},
		{"ErrNewProviderName", portal.EINVALID, "Enter the provider's name.", f.dev,
			portal.Channel{Provider: portal.Provider{Name: " "}, Kind: portal.KindLogin, LINEChannelID: "2100000003", Name: "x", Region: portal.RegionJapan}},
		{"ErrModule", portal.EINVALID, "A module channel is registered with its channel secret and access token: use Module channels → Register a module channel.", f.dev,
			portal.Channel{Provider: f.provider, Kind: portal.KindModule, LINEChannelID: "2100000003", Name: "x", Region: portal.RegionJapan}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.refuses(t, c.code, c.msg, func() error { _, err := f.db.RegisterChannel(ctx, c.actor, c.in); return err })
		})
	}
	t.Run("the new provider's name error is on its field", func(t *testing.T) {
		_, err := f.db.RegisterChannel(ctx, f.dev, cases[4].in)
		if portal.ErrorFields(err)["new_provider"] == "" || english(err) != "Enter the provider's name." {
			t.Errorf("fields = %v", portal.ErrorFields(err))
		}
	})
	t.Run("CreateChannelUnderAnyProvider, for trusted callers, takes any existing provider or a new one", func(t *testing.T) {
		ch, err := f.db.CreateChannelUnderAnyProvider(ctx, f.op, portal.Channel{Provider: portal.Provider{Name: "Seeded"}, Kind: portal.KindLogin,
			LINEChannelID: "2100000004", Name: "Seeded", Region: portal.RegionJapan})
		if err != nil || ch.Provider.Name != "Seeded" {
			t.Fatalf("CreateChannelUnderAnyProvider(new provider) = %+v, %v", ch, err)
		}
		if _, err := f.db.CreateChannelUnderAnyProvider(ctx, f.op, portal.Channel{Provider: f.provider, Kind: portal.KindLogin,
			LINEChannelID: "2100000005", Name: "Seeded too", Region: portal.RegionJapan}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGrantChannelRole(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Name: "Shop"})

	t.Run("someone who never signed in, named by their ID until they do", func(t *testing.T) {
		mark := f.auditMark(t)
		granted, before, err := f.db.GrantChannelRole(ctx, f.dev, ch.ID, " "+newUserID+" ", portal.RoleMember)
		mustNil(t, err)
		if before != portal.RoleNone || granted.Role != portal.RoleMember || granted.Admin.LINEUserID != newUserID ||
			granted.Admin.Name != newUserID || !granted.Admin.LastSignInAt.IsZero() {
			t.Errorf("granted %+v, before %s", granted, before)
		}
		f.assertAudit(t, mark, "channel.role_set channel: role(Name="+newUserID+", Role=) → role(Name="+newUserID+", Role=member)")
		if a, _ := f.db.FindChannelAccess(ctx, granted.Admin, ch.ID); a.Role != portal.RoleMember {
			t.Errorf("their role = %s", a.Role)
		}
		signedIn, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: newUserID, Name: "Nao"})
		if err != nil || signedIn.ID != granted.Admin.ID {
			t.Fatalf("sign-in = %+v, %v", signedIn, err)
		}
	})
	t.Run("someone already known keeps their name; the same role again changes nothing", func(t *testing.T) {
		mark := f.auditMark(t)
		granted, before, err := f.db.GrantChannelRole(ctx, f.dev, ch.ID, newUserID, portal.RoleAdmin)
		mustNil(t, err)
		if before != portal.RoleMember || granted.Admin.Name != "Nao" {
			t.Errorf("granted %+v, before %s", granted, before)
		}
		_, before, err = f.db.GrantChannelRole(ctx, f.dev, ch.ID, strings.ToUpper(newUserID), portal.RoleAdmin) // the same person, mistyped
		mustNil(t, err)
		if before != portal.RoleAdmin {
			t.Errorf("before = %s", before)
		}
		f.assertAudit(t, mark, "channel.role_set channel: role(Name=Nao, Role=member) → role(Name=Nao, Role=admin)")
	})
	t.Run("roles are listed Admins first, by name", func(t *testing.T) {
		roles, err := f.db.FindChannelRoles(ctx, ch.ID)
		mustNil(t, err)
		var got []string
		for _, r := range roles {
			got = append(got, r.Admin.Name+":"+r.Role.String())
		}
		if want := "Dev:Admin Nao:Admin"; strings.Join(got, " ") != want {
			t.Errorf("roles = %q, want %q", strings.Join(got, " "), want)
		}
		if other, err := f.db.FindChannelRoles(ctx, 999); err != nil || len(other) != 0 {
			t.Errorf("roles of no channel = %v, %v", other, err)
		}
	})
	nao, err := f.db.EnsureAdmin(ctx, newUserID, "")
	mustNil(t, err)
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, nao.ID, portal.RoleMember))
	t.Run("ErrNotAdmin", func(t *testing.T) {
		f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles.", func() error {
			_, _, err := f.db.GrantChannelRole(ctx, nao, ch.ID, "U00000000000000000000000000000001", portal.RoleMember)
			return err
		})
		f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles.", func() error {
			_, _, err := f.db.GrantChannelRole(ctx, nao, ch.ID, "not an ID", portal.RoleMember) // refused before the ID is looked at
			return err
		})
	})
	t.Run("ErrBadLINEUserID", func(t *testing.T) {
		f.refuses(t, portal.EINVALID, badIDMessage, func() error {
			_, _, err := f.db.GrantChannelRole(ctx, f.dev, ch.ID, "@nao", portal.RoleMember)
			return err
		})
	})
	t.Run("ErrRole", func(t *testing.T) {
		f.refuses(t, portal.EINVALID, "Choose the role: Admin or Member.", func() error {
			_, _, err := f.db.GrantChannelRole(ctx, f.dev, ch.ID, newUserID, portal.RoleNone)
			return err
		})
	})
	t.Run("ErrNoChannel", func(t *testing.T) {
		f.refuses(t, portal.ENOTFOUND, "No such channel.", func() error {
			_, _, err := f.db.GrantChannelRole(ctx, f.dev, 999, newUserID, portal.RoleMember)
			return err
		})
	})
	t.Run("ErrLastAdmin", func(t *testing.T) {
		val := f.admin(t, "U00000000000000000000000000000002", "Val")
		solo, err := f.db.CreateChannelUnderAnyProvider(ctx, val, portal.Channel{Provider: f.provider, Kind: portal.KindLogin, LINEChannelID: "2100000009", Name: "Solo", Region: portal.RegionJapan})
		mustNil(t, err)
		msg := "This is the channel's only Admin. Make someone else an Admin first."
		f.refuses(t, portal.ECONFLICT, msg, func() error {
			_, _, err := f.db.GrantChannelRole(ctx, val, solo.ID, val.LINEUserID, portal.RoleMember)
			return err
		})
		f.refuses(t, portal.ECONFLICT, msg, func() error { return f.db.SetChannelRole(ctx, val, solo.ID, val.ID, portal.RoleMember) })
		// With a second Admin, the first may step down.
		if _, _, err := f.db.GrantChannelRole(ctx, val, solo.ID, newUserID, portal.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, before, err := f.db.GrantChannelRole(ctx, val, solo.ID, val.LINEUserID, portal.RoleMember); err != nil || before != portal.RoleAdmin {
			t.Fatalf("stepping down = %s, %v", before, err)
		}
	})
}
