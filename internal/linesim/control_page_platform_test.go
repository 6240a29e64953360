package linesim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"lineportal/internal/linesim"
)

// Every control page form works without JavaScript: a post, then back to
// the page (303), or the page again with the problem (422).
func TestControlPagePlatformForms(t *testing.T) {
	f := newModuleFixture(t)
	start := f.sim.Now()
	hana := f.mod.Friends[0].ID
	primary := newReceiver(t, always(http.StatusOK))
	steps := []struct {
		path       string
		form       url.Values
		wantStatus int
	}{
		{"/sim/clock", url.Values{"advance": {"36h"}}, http.StatusSeeOther},
		{"/sim/clock", url.Values{"advance": {"yesterday"}}, http.StatusUnprocessableEntity},
		{"/sim/accounts", url.Values{"name": {"Osaka Books"}, "basic_id": {"@osakabooks"}, "brand_type": {"verified"}, "region": {"JP"}}, http.StatusSeeOther},
		{"/sim/accounts", url.Values{"name": {"Osaka Books"}, "basic_id": {"@osakabooks"}}, http.StatusUnprocessableEntity},
		{"/sim/modules/" + f.mod.Channel.ID + "/bots", url.Values{"count": {"3"}, "scopes": {"message:send message:receive"}}, http.StatusSeeOther},
		{"/sim/modules/" + f.mod.Channel.ID + "/bots", url.Values{"count": {"many"}}, http.StatusUnprocessableEntity},
		{"/sim/primary-webhooks", url.Values{"bot": {f.botID()}, "channel_id": {"2000000301"}, "secret": {"primary-secret"}, "url": {primary.url}}, http.StatusSeeOther},
		{"/sim/messages", url.Values{"user": {hana}, "bot": {f.botID()}, "text": {"one latte"}}, http.StatusSeeOther},
		{"/sim/messages", url.Values{"user": {f.demo.Developer.ID}, "bot": {f.botID()}, "text": {"not a friend"}}, http.StatusUnprocessableEntity},
		{"/sim/login-channels/" + portalChannelID + "/email-permission", url.Values{"granted": {"true"}}, http.StatusSeeOther},
		{"/sim/users", url.Values{"name": {"Mei Ito"}, "email": {"mei@example.com"}}, http.StatusSeeOther},
		{"/sim/consents/revoke", url.Values{"user": {"Uffffffffffffffffffffffffffffffff"}, "channel": {portalChannelID}}, http.StatusUnprocessableEntity},
	}
	for _, s := range steps {
		resp := f.postForm(s.path, s.form)
		if resp.status != s.wantStatus {
			t.Fatalf("POST %s %v: status %d, want %d; body %.300s", s.path, s.form, resp.status, s.wantStatus, resp.body)
		}
		if s.wantStatus == http.StatusUnprocessableEntity && resp.doc(t).Find(".problem").Text() == "" {
			t.Errorf("POST %s: refused without a problem shown", s.path)
		}
	}
	if got := f.sim.Now().Sub(start); got != 36*time.Hour {
		t.Errorf("clock moved %v, want 36h", got)
	}
	if ev := primary.next(t).decode(t).Events[0]; ev["type"] != "message" || ev["mode"] != "active" {
		t.Errorf("the Primary channel got %v", ev)
	}

	page := f.get("/sim/")
	doc := page.doc(t)
	for _, want := range []string{"Osaka Books", "Demo Chat Module customer 3", "mei@example.com", primary.url} {
		if !strings.Contains(page.body, want) {
			t.Errorf("control page lacks %q", want)
		}
	}
	if got := doc.Find("#clock strong").Text(); got != start.Add(36*time.Hour).UTC().Format(time.RFC3339) {
		t.Errorf("clock shows %q", got)
	}
	if doc.Find(`#channels form[action="/sim/login-channels/`+portalChannelID+`/email-permission"] button`).Text() != "Withdraw" {
		t.Errorf("the portal channel's email permission is not shown as granted")
	}

	// A login through the screens shows under Authorized apps, and Unlink
	// there revokes it.
	f.login(authorizeParams(), f.demo.Developer.ID)
	doc = f.get("/sim/").doc(t)
	if doc.Find("#authorized-apps tbody tr").Length() != 1 {
		t.Fatalf("authorized apps: %q", doc.Find("#authorized-apps tbody").Text())
	}
	if resp := f.postForm("/sim/consents/revoke", url.Values{"user": {f.demo.Developer.ID}, "channel": {portalChannelID}}); resp.status != http.StatusSeeOther {
		t.Fatalf("unlink: %d", resp.status)
	}
	if n := f.get("/sim/").doc(t).Find("#authorized-apps tbody tr").Length(); n != 0 {
		t.Errorf("%d authorized apps after unlinking", n)
	}
}

// A module channel is created from the control page as from the LINE
// Developers Console, for trying the portal without the demo: its webhook
// left empty is the portal's receiver for it, and the redirect URI offered
// is the portal's.
func TestControlPageCreatesAModuleChannel(t *testing.T) {
	const portal = "http://127.0.0.1:9"
	f := newModuleFixtureWith(t, linesim.Config{PortalURL: portal + "/"}, always(http.StatusOK))
	if got := f.get("/sim/").doc(t).Find(`form[action="/sim/modules"] input[name=redirect_uri]`).AttrOr("value", ""); got != portal+"/modules/callback" {
		t.Errorf("the form offers the redirect URI %q", got)
	}
	secret := strings.Repeat("ab", 16)
	for _, bad := range []struct{ id, secret, problem string }{
		{"12", secret, "10 digits"},
		{"2000000778", "x", "32 hexadecimal digits"},
	} {
		refused := f.postForm("/sim/modules", url.Values{"id": {bad.id}, "secret": {bad.secret}, "redirect_uri": {portal + "/modules/callback"}})
		if problem := refused.doc(t).Find(".problem").Text(); refused.status != http.StatusUnprocessableEntity || !strings.Contains(problem, bad.problem) {
			t.Errorf("channel %q with secret %q: %d %q", bad.id, bad.secret, refused.status, problem)
		}
	}
	if resp := f.postForm("/sim/modules", url.Values{"id": {"2000000777"}, "name": {"Shop Module"}, "secret": {secret}, "redirect_uri": {portal + "/modules/callback"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("creating a module channel: %d %.300s", resp.status, resp.body)
	}
	type module struct {
		ID           string   `json:"id"`
		RedirectURIs []string `json:"redirectUris"`
		WebhookURL   string   `json:"webhookUrl"`
	}
	var modules []module
	if err := json.Unmarshal([]byte(f.get("/sim/api/modules").body), &modules); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(modules, func(m module) bool { return m.ID == "2000000777" })
	if i < 0 || modules[i].WebhookURL != portal+"/webhooks/line/2000000777" || !slices.Equal(modules[i].RedirectURIs, []string{portal + "/modules/callback"}) {
		t.Errorf("modules: %+v", modules)
	}
	// Its secret is the one LINE knows: a stateless token is issued for it.
	if resp := f.postForm("/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"2000000777"}, "client_secret": {secret}}); resp.status != http.StatusOK {
		t.Errorf("a stateless token for the new channel: %d %.200s", resp.status, resp.body)
	}
}
