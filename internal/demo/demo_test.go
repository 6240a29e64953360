package demo_test

import (
	"context"
	"path/filepath"
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
	channels, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: dev})
	if err != nil || len(channels) != 5 {
		t.Fatalf("developer's channels: %d, %v", len(channels), err)
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
		case w != "" && (err == nil || !strings.Contains(portal.ErrorMessage(err), w)):
			t.Errorf("%s: got %v, want a refusal mentioning %q", ch.Name, err, w)
		}
	}
}
