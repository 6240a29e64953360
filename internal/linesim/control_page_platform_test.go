package linesim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
