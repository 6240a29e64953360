package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
)

// `portal serve` on the simulator sends notifications by LINE: a link
// request to Sakura Foods reaches Ken, a friend of the portal's Official
// Account, as one push in his saved Japanese once the batching window has
// passed on the simulator's clock.
func TestServe_SendsNotificationsByLINE(t *testing.T) {
	every := lineSenderEvery
	lineSenderEvery = 50 * time.Millisecond
	t.Cleanup(func() { lineSenderEvery = every })
	m := startPortal(t, nil)
	ctx := context.Background()
	yes := true
	ken, err := m.DB.SignIn(ctx, portal.SignIn{LINEUserID: demoOrgAdminID, Name: "Ken Sato", FriendFlag: &yes})
	if err == nil {
		err = m.DB.SetAdminSettings(ctx, ken.ID, "ja", "")
	}
	if err != nil {
		t.Fatal(err)
	}
	aoi, err := m.DB.EnsureAdmin(ctx, demoDeveloperID, "Aoi Tanaka")
	if err != nil {
		t.Fatal(err)
	}
	channels, _, err := m.DB.FindChannels(ctx, store.ChannelFilter{Actor: aoi, Name: "Sakura Order"})
	if err != nil || len(channels) != 1 {
		t.Fatalf("Sakura Order: %v, %v", channels, err)
	}
	if _, _, err := m.DB.SendLinkRequest(ctx, aoi, channels[0].ID, demo.SakuraFoodsID); err != nil {
		t.Fatal(err)
	}
	pushesToKen := func() []string {
		res, err := http.Get(m.SimulatorURL + "/sim/api/pushes")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var pushes []struct {
			To    string   `json:"to"`
			Texts []string `json:"texts"`
		}
		if err := json.NewDecoder(res.Body).Decode(&pushes); err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, p := range pushes {
			if p.To == demoOrgAdminID {
				texts = append(texts, strings.Join(p.Texts, "|"))
			}
		}
		return texts
	}
	time.Sleep(10 * lineSenderEvery)
	if got := pushesToKen(); len(got) != 0 {
		t.Fatalf("pushed within the batching window: %q", got)
	}
	res, err := http.Post(m.SimulatorURL+"/sim/api/clock", "application/json", strings.NewReader(`{"advance":"3m"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = pushesToKen()
	}
	time.Sleep(10 * lineSenderEvery) // later turns push nothing more
	got = pushesToKen()
	if len(got) != 1 || !strings.Contains(got[0], "Aoi Tanakaさんが接続をリクエストしました：チャネル「Sakura Order」") || !strings.Contains(got[0], m.URL+"/organizations/"+demo.SakuraFoodsID+"/link-requests/") {
		t.Errorf("pushes to Ken: %q", got)
	}
}
