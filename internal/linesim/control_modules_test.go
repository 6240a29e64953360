package linesim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/linesim"
)

func TestControlPageModuleSections(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:send", "message:receive")
	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(0)+"/control/acquire", `{"expired":false}`); resp.status != 200 {
		t.Fatal(resp.body)
	}
	f.hook.events(t, 1)
	if resp := f.call("POST", "/v2/bot/message/push", `{"to":"`+f.chatID(0)+`","messages":[{"type":"text","text":"Your matcha is ready"}]}`); resp.status != 200 {
		t.Fatal(resp.body)
	}
	waitDelivery(t, f.sim, "2")

	resp := f.get("/sim/")
	if resp.status != http.StatusOK {
		t.Fatalf("status %d", resp.status)
	}
	doc := resp.doc(t)
	// text is a section's text with the cells of each table row joined by
	// a space.
	text := func(sel string) string {
		section := doc.Find(sel).Clone()
		section.Find("td, th").Each(func(_ int, s *goquery.Selection) { s.AppendHtml(" ") })
		return strings.Join(strings.Fields(section.Text()), " ")
	}
	contains := []struct{ section, want string }{
		{"#modules", linesim.DemoModuleChannelID},
		{"#modules", moduleCallback},
		{"#modules", f.hook.url},
		{"#modules", "Sakura Cafe message:send message:receive"},
		{"#modules", "X-Line-Bot-Id"},
		{"#accounts", "Sakura Cafe @sakuracafe " + f.botID() + " JP · verified " + linesim.DemoModuleChannelID + " active"},
		{"#chat-control", "Sakura Cafe Hana Kobayashi " + f.chatID(0) + " " + linesim.DemoModuleChannelID + " no time limit"},
		{"#deliveries", "attached"},
		{"#deliveries", "activated"},
		{"#pushes", "Your matcha is ready"},
		{"#mission-stickers", "20002 400 not_sales_period"},
	}
	for _, c := range contains {
		if got := text(c.section); !strings.Contains(got, c.want) {
			t.Errorf("%s lacks %q: %q", c.section, c.want, got)
		}
	}
	if strings.Contains(resp.body, f.mod.Channel.Secret) || strings.Contains(resp.body, f.mod.Token) {
		t.Errorf("the page shows the module's secret or token")
	}
	if n := doc.Find(`#deliveries form[action="/sim/deliveries/1/redeliver"]`).Length(); n != 1 {
		t.Errorf("%d redeliver forms for delivery 1", n)
	}
	for _, action := range []string{"suspend", "delete"} {
		if doc.Find(`#accounts form[action="/sim/bots/`+f.botID()+`/`+action+`"]`).Length() != 1 {
			t.Errorf("no %s form for Sakura Cafe", action)
		}
	}
}

func TestControlPageBotActions(t *testing.T) {
	f := newModuleFixture(t)
	f.attach()
	post := func(path string) response { return f.postForm(path, url.Values{}) }
	for _, step := range []struct {
		action, wantEvent string
		wantSuspended     bool
	}{
		{"suspend", "botSuspended", true},
		{"resume", "botResumed", false},
	} {
		resp := post("/sim/bots/" + f.botID() + "/" + step.action)
		if resp.status != http.StatusSeeOther || resp.location() != "/sim/" {
			t.Fatalf("%s: status %d, Location %q", step.action, resp.status, resp.location())
		}
		if ev := f.hook.events(t, 1)[0]; ev["type"] != step.wantEvent {
			t.Errorf("%s: event %v, want %s", step.action, ev, step.wantEvent)
		}
		page := f.get("/sim/").doc(t)
		if got := page.Find(`#accounts form[action="/sim/bots/`+f.botID()+`/resume"]`).Length() == 1; got != step.wantSuspended {
			t.Errorf("after %s the page offers Resume: %t", step.action, got)
		}
	}
	if resp := post("/sim/deliveries/1/redeliver"); resp.status != http.StatusSeeOther {
		t.Errorf("redeliver: status %d", resp.status)
	}
	if ev := f.hook.events(t, 1)[0]; ev["type"] != "module" || ev["deliveryContext"].(map[string]any)["isRedelivery"] != true {
		t.Errorf("redelivered event = %v", ev)
	}

	refusals := []struct{ path, wantProblem string }{
		{"/sim/bots/" + f.botID() + "/explode", `action "explode" must be suspend, resume or delete`},
		{"/sim/bots/Uffffffffffffffffffffffffffffffff/suspend", `unknown official account "Uffffffffffffffffffffffffffffffff"`},
		{"/sim/bots/" + f.demo.OfficialAccount.BotID + "/delete", "official account " + f.demo.OfficialAccount.BotID + " is linked to LINE Login channel " + portalChannelID},
		{"/sim/deliveries/42/redeliver", `unknown delivery "42"`},
	}
	for _, tt := range refusals {
		resp := post(tt.path)
		if resp.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.path, resp.status)
			continue
		}
		if got := resp.doc(t).Find("main > .problem").Text(); got != tt.wantProblem {
			t.Errorf("%s: problem %q, want %q", tt.path, got, tt.wantProblem)
		}
	}

	if resp := post("/sim/bots/" + f.botID() + "/delete"); resp.status != http.StatusSeeOther {
		t.Fatalf("delete: status %d", resp.status)
	}
	ev := f.hook.events(t, 1)[0]
	if !reflect.DeepEqual(ev["module"], map[string]any{"type": "detached", "botId": f.botID(), "reason": "bot_deleted"}) {
		t.Errorf("delete sent %v", ev)
	}
	if f.get("/sim/").doc(t).Find("#accounts td").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Text() == "Sakura Cafe"
	}).Length() != 0 {
		t.Errorf("the deleted account is still listed")
	}
	if got := f.sim.Friendship(f.mod.Friends[0].ID, f.botID()); got != linesim.FriendshipNone {
		t.Errorf("friendship with the deleted account = %q", got)
	}
}

func TestControlAPIModules(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:send")

	var modules []map[string]any
	if err := json.Unmarshal([]byte(f.get("/sim/api/modules").body), &modules); err != nil || len(modules) != 1 {
		t.Fatalf("modules = %v (%v)", modules, err)
	}
	attachments := modules[0]["attachments"].([]any)
	if modules[0]["id"] != linesim.DemoModuleChannelID || modules[0]["webhookUrl"] != f.hook.url || len(attachments) != 1 ||
		attachments[0].(map[string]any)["botId"] != f.botID() || !reflect.DeepEqual(attachments[0].(map[string]any)["scopes"], []any{"message:send"}) {
		t.Errorf("module = %v", modules[0])
	}
	if _, leaked := modules[0]["secret"]; leaked {
		t.Errorf("the API shows the secret")
	}

	api := func(action string) response {
		return f.request(http.MethodPost, "/sim/api/bots/"+f.botID()+"/"+action, nil, nil)
	}
	if resp := api("suspend"); resp.status != http.StatusNoContent {
		t.Fatalf("suspend: %d %s", resp.status, resp.body)
	}
	f.hook.events(t, 1)
	if resp := api("suspend"); resp.status != http.StatusNoContent {
		t.Errorf("suspending again: %d", resp.status)
	}
	f.hook.quiet(t) // nothing changed, nothing sent
	var bots []map[string]any
	if err := json.Unmarshal([]byte(f.get("/sim/api/bots").body), &bots); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"botId": f.botID(), "basicId": "@sakuracafe", "name": "Sakura Cafe", "brandType": "verified", "region": "JP",
		"suspended": true, "modules": []any{linesim.DemoModuleChannelID}}
	if len(bots) != 2 || !reflect.DeepEqual(bots[1], want) {
		t.Errorf("bots = %v, want the second %v", bots, want)
	}
	assertMessage(t, api("explode"), http.StatusBadRequest, `action "explode" must be suspend, resume or delete`)

	var pushes []any
	if err := json.Unmarshal([]byte(f.get("/sim/api/pushes").body), &pushes); err != nil || pushes == nil || len(pushes) != 0 {
		t.Errorf("pushes = %v (%v), want []", pushes, err)
	}
}

func TestSeedModuleDemo(t *testing.T) {
	f := newModuleFixture(t)
	if f.mod.Channel.ID != linesim.DemoModuleChannelID || len(f.mod.Channel.Secret) != 32 || f.mod.Token == "" ||
		f.mod.OfficialAccount.Name != "Sakura Cafe" || len(f.mod.Friends) != 3 {
		t.Errorf("demo = %+v", f.mod)
	}
	for _, u := range f.mod.Friends {
		if f.sim.Friendship(u.ID, f.botID()) != linesim.FriendshipFriend || !userIDPattern.MatchString(u.ID) || u.PictureURL == "" {
			t.Errorf("friend %+v", u)
		}
	}
	if resp := f.getBearer("/v2/bot/list", f.mod.Token); resp.status != 200 || resp.body != `{"bots":[]}` {
		t.Errorf("the demo token lists %d %s; want no bots yet", resp.status, resp.body)
	}
	if _, err := f.sim.SeedModuleDemo(linesim.ModuleDemoCredentials{}, moduleCallback, f.hook.url); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("seeding twice: %v", err)
	}
	if n := len(f.sim.Users()); n != 7 {
		t.Errorf("%d users after a refused second seed, want 7", n)
	}
}

func TestAddModuleChannelRefusals(t *testing.T) {
	valid := func() linesim.ModuleChannel {
		return linesim.ModuleChannel{ID: "2000000999", Secret: "s", RedirectURIs: []string{moduleCallback}, WebhookURL: "https://m.example/hook"}
	}
	tests := []struct {
		name    string
		edit    func(*linesim.ModuleChannel)
		wantErr string
	}{
		{"ID not digits", func(c *linesim.ModuleChannel) { c.ID = "abc" }, `channel ID "abc" must be digits`},
		{"ID of a Login channel", func(c *linesim.ModuleChannel) { c.ID = portalChannelID }, "channel " + portalChannelID + " already exists"},
		{"ID of a module channel", func(c *linesim.ModuleChannel) { c.ID = linesim.DemoModuleChannelID }, "channel " + linesim.DemoModuleChannelID + " already exists"},
		{"no secret", func(c *linesim.ModuleChannel) { c.Secret = "" }, "secret is required"},
		{"no redirect URI", func(c *linesim.ModuleChannel) { c.RedirectURIs = nil }, "at least one redirect URI is required"},
		{"relative webhook URL", func(c *linesim.ModuleChannel) { c.WebhookURL = "/hook" }, `webhook URL "/hook" must be an absolute`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			c := valid()
			tt.edit(&c)
			if err := f.sim.AddModuleChannel(c); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	t.Run("a Login channel cannot take a module's ID", func(t *testing.T) {
		f := newModuleFixture(t)
		err := f.sim.AddLoginChannel(linesim.LoginChannel{ID: linesim.DemoModuleChannelID, Secret: otherSecret, RedirectURIs: []string{otherCallback}})
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("account fields", func(t *testing.T) {
		f := newModuleFixture(t)
		for oa, want := range map[linesim.OfficialAccount]string{
			{BotID: "U00000000000000000000000000000001", BasicID: "@a1", Name: "A", Region: "KR"}:                     `region "KR" must be`,
			{BotID: "U00000000000000000000000000000002", BasicID: "@a2", Name: "A", BrandType: "gold"}:                `brand type "gold" must be`,
			{BotID: "U00000000000000000000000000000003", BasicID: "@a3", Name: "A", PictureURL: "http://x.example/a"}: "must start with https://",
			{BotID: "U00000000000000000000000000000004", BasicID: "@a4", Name: "A", PremiumID: "premium"}:             `premium ID "premium" must be @`,
		} {
			if err := f.sim.AddOfficialAccount(oa); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%+v: err = %v, want %q", oa, err, want)
			}
		}
	})
}

// A portal that keeps the demo module's credentials hands them back to a
// fresh simulator, and webhooks and tokens keep working across restarts.
func TestSeedModuleDemoWithGivenCredentials(t *testing.T) {
	sim, err := linesim.New(linesim.Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	creds := linesim.ModuleDemoCredentials{Secret: strings.Repeat("ab", 16), Token: "kept-token"}
	mod, err := sim.SeedModuleDemo(creds, "http://127.0.0.1:2/modules/callback", "http://127.0.0.1:2/webhooks/line/"+linesim.DemoModuleChannelID)
	if err != nil {
		t.Fatal(err)
	}
	if mod.Channel.Secret != creds.Secret || mod.Token != creds.Token {
		t.Fatalf("demo credentials %q %q, want the given ones", mod.Channel.Secret, mod.Token)
	}
	ts := httptest.NewServer(sim.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/v2/bot/list", nil)
	req.Header.Set("Authorization", "Bearer "+creds.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the given token lists bots with status %d", res.StatusCode)
	}
}

func TestControlAPICreateModule(t *testing.T) {
	f := newModuleFixture(t)
	body := `{"id":"2999000001","name":"Load test","secret":"0123456789abcdef0123456789abcdef","redirectUris":["http://127.0.0.1:9/cb"],"webhookUrl":"http://127.0.0.1:9/hook"}`
	if resp := f.request(http.MethodPost, "/sim/api/modules", strings.NewReader(body), http.Header{"Content-Type": {"application/json"}}); resp.status != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.status, resp.body)
	}
	// The new channel's credentials are good for a stateless token.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"2999000001"}, "client_secret": {"0123456789abcdef0123456789abcdef"}}
	if resp := f.request(http.MethodPost, "/oauth2/v3/token", strings.NewReader(form.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}); resp.status != http.StatusOK {
		t.Fatalf("stateless token for the new channel: %d %s", resp.status, resp.body)
	}
	if resp := f.request(http.MethodPost, "/sim/api/modules", strings.NewReader(body), http.Header{"Content-Type": {"application/json"}}); resp.status != http.StatusBadRequest {
		t.Fatalf("the same ID again: %d", resp.status)
	}
	attach := `{"botId":"` + f.botID() + `","scopes":["message:send"]}`
	if resp := f.request(http.MethodPost, "/sim/api/modules/2999000001/attachments", strings.NewReader(attach), http.Header{"Content-Type": {"application/json"}}); resp.status != http.StatusNoContent {
		t.Fatalf("attach: %d %s", resp.status, resp.body)
	}
	if resp := f.request(http.MethodPost, "/sim/api/modules/2999000099/attachments", strings.NewReader(attach), http.Header{"Content-Type": {"application/json"}}); resp.status != http.StatusBadRequest {
		t.Fatalf("attaching an unknown channel: %d", resp.status)
	}
}
