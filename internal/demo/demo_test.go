package demo_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
)

var people = demo.People{
	Developer: demo.Person{LINEUserID: "Udc3a0a12e4fd77b99956a97f9e727a12", Name: "Aoi Tanaka"},
	OrgAdmin:  demo.Person{LINEUserID: "U268d10111f82ef643093ebfb1ffafe88", Name: "Ken Sato"},
	Both:      demo.Person{LINEUserID: "U7809b533d69340ec513b782392e3d220", Name: "Yui Suzuki"},
	Operator:  demo.Person{LINEUserID: "U02c4b0fb6ff98aac454b783528d936f8", Name: "Mika Operator"},
}

func TestSeedOnceWithEveryState(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if seeded, err := demo.Seed(ctx, db, people); err != nil || !seeded {
		t.Fatalf("first Seed = %v, %v", seeded, err)
	}
	if seeded, err := demo.Seed(ctx, db, people); err != nil || seeded {
		t.Fatalf("second Seed = %v, %v; want a no-op", seeded, err)
	}

	sakura, err := db.FindOrganizationByID(ctx, demo.SakuraFoodsID)
	if err != nil || sakura.Verification != portal.OrgVerified {
		t.Fatalf("Sakura Foods: %+v, %v", sakura, err)
	}
	// Its notices are history: nobody starts with an unread count.
	for _, p := range []demo.Person{people.Developer, people.OrgAdmin, people.Both, people.Operator} {
		a, err := db.EnsureAdmin(ctx, p.LINEUserID, p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountUnread(ctx, a.ID); err != nil || n != 0 {
			t.Errorf("%s starts with %d unread notifications (%v)", p.Name, n, err)
		}
	}
	hanami, err := db.FindOrganizationByID(ctx, demo.HanamiRetailID)
	if err != nil || hanami.Verification != portal.OrgUnverified {
		t.Fatalf("Hanami Retail: %+v, %v", hanami, err)
	}

	// The developer can send a link request for the ready channel, and each
	// other channel is refused for its own reason.
	dev, err := db.EnsureAdmin(ctx, people.Developer.LINEUserID, people.Developer.Name)
	if err != nil {
		t.Fatal(err)
	}
	channels, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: dev, Name: "Sakura"})
	if err != nil || len(channels) != 5 {
		t.Fatalf("developer's Sakura channels: %d, %v", len(channels), err)
	}
	want := map[string]string{
		"Sakura Order":       "",
		"Sakura Points":      "",
		"Sakura Global":      "service region is Taiwan",
		"Sakura Beta":        "verified MINI App",
		"Sakura Partner App": "Same as the service company",
	}
	for _, ch := range channels {
		access, err := db.FindChannelAccess(ctx, dev, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		org := sakura
		err = portal.CheckLinkRequest(access.Role, ch, demo.SakuraFoodsID, &org)
		w, ok := want[ch.Name]
		if !ok {
			t.Fatalf("unexpected demo channel %q", ch.Name)
		}
		switch {
		case w == "" && err != nil:
			t.Errorf("%s: refused: %v", ch.Name, err)
		case w != "" && (err == nil || !strings.Contains(english(err), w)):
			t.Errorf("%s: got %v, want a refusal mentioning %q", ch.Name, err, w)
		}
	}
}

// The Official Account demo offers each reason a "Select target for
// linking" row can have, and one ready pair.
func TestSeedOfficialAccountLinking(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Seed(ctx, db, people); err != nil {
		t.Fatal(err)
	}
	boss, _ := db.EnsureAdmin(ctx, people.OrgAdmin.LINEUserID, people.OrgAdmin.Name)
	both, _ := db.EnsureAdmin(ctx, people.Both.LINEUserID, people.Both.Name)
	dev, _ := db.EnsureAdmin(ctx, people.Developer.LINEUserID, people.Developer.Name)

	accounts, _, err := db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{OrgID: demo.MomijiFoodsID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var cafe portal.OfficialAccount
	for _, oa := range accounts {
		got = append(got, oa.BasicID+": "+english(portal.CanSelectOfficialAccount(true, oa)))
		if oa.BasicID == "@momijicafe" {
			cafe = oa
		}
	}
	want := []string{
		"@momijibakery: The account linking review of LINE Official Account @momijibakery is Rejected. It can be linked to a LINE MINI App channel once its review is Verified.",
		"@momijidelivery: ",
		"@momijicafe: ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("accounts:\n got %q\nwant %q", got, want)
	}

	targets, _, err := db.FindOALinkTargets(ctx, demo.MomijiFoodsID, cafe.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	var order int64
	for _, tg := range targets {
		name := ""
		if tg.Channel != nil {
			name = tg.Channel.Name
			if name == "Momiji Cafe Order" {
				order = tg.Channel.ID
			}
		} else {
			name = tg.OfficialAccount.Name
		}
		got = append(got, name+": "+english(tg.Reason))
	}
	want = []string{
		"Momiji Reservations: This channel's account linking review is Rejected. Only a channel whose account linking review is Verified can be linked.",
		"Momiji Points: This channel is already linked to LINE Official Account @momijidelivery (Momiji Delivery). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed.",
		"Momiji Cafe Order: ",
		"Momiji Bakery: Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Official Account.",
		"Momiji Delivery: Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Official Account.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("targets:\n got %q\nwant %q", got, want)
	}

	// The developer who administers the organization reaches the screen
	// from the channel; the Login channel is offered its provider's
	// accounts only.
	if a, err := db.FindChannelAccess(ctx, both, order); err != nil || a.Role != portal.RoleAdmin || !a.OrgAdmin {
		t.Errorf("developer-and-administrator's access to the MINI App = %+v, %v", a, err)
	}
	login, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: dev, Kind: portal.KindLogin})
	if err != nil || len(login) != 1 {
		t.Fatalf("login channels: %d %v", len(login), err)
	}
	choices, _, err := db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{Actor: dev, AdminOnly: true, ProviderID: login[0].Provider.ID})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, oa := range choices {
		got = append(got, oa.BasicID)
	}
	if want := []string{"@momijibakery", "@momijidelivery", "@momijicafe"}; !slices.Equal(got, want) {
		t.Errorf("Linked OA choices = %q, want %q", got, want)
	}
	if _, err := db.LinkMiniAppToOfficialAccount(ctx, boss, cafe.ID, order); err != nil {
		t.Errorf("linking the ready pair: %v", err)
	}
}
