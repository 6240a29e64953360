package web

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// moduleTest is the test server with the simulator's demo module channel
// registered in the portal, its webhook pointed at the portal.
type moduleTest struct {
	*testServer
	mod       linesim.ModuleDemoData
	channelID int64
}

func newModuleTest(t *testing.T) *moduleTest {
	t.Helper()
	ts := newTestServer(t)
	mod, err := ts.onSim.SeedModule(t.Context(), ts.db, ts.srv.cfg.Secrets, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &moduleTest{testServer: ts, mod: mod, channelID: ts.channelID(t, "Demo Chat Module")}
}

// attach walks the attach flow: the portal's form, LINE's authorization
// screen (approving the demo Official Account), the callback.
func (mt *moduleTest) attach(t *testing.T, v *visitor) page {
	t.Helper()
	form := v.get(mt.URL + views.ModulePath(mt.channelID))
	toLINE := v.submit(form, "#attach-form", url.Values{"scope": {"message:send", "message:receive", "message:mark_as_read"}}, "", "")
	consent := v.follow(toLINE)
	back := v.submit(consent, "form", url.Values{"bot": {mt.mod.OfficialAccount.BotID}}, "action", "approve")
	done := v.follow(back)
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the callback answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	return v.follow(done)
}

// waitFor polls the store until cond holds: the simulator's webhooks arrive
// asynchronously.
func (mt *moduleTest) waitFor(t *testing.T, what string, cond func(portal.ModuleAttachment) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := mt.db.FindAttachment(t.Context(), mt.channelID, mt.mod.OfficialAccount.BotID)
		if err == nil && cond(a) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s: %+v %v", what, a, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestModule_AttachControlSuspendDetach(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	bot := mt.mod.OfficialAccount.BotID
	botPage := mt.URL + views.BotPath(mt.channelID, bot)
	friend := mt.mod.Friends[0].ID

	page := mt.attach(t, v)
	if got := page.doc.Find("#bot-name").Text(); got != "Sakura Cafe" {
		t.Fatalf("after attaching: bot page of %q", got)
	}
	if !strings.Contains(page.doc.Find("#flash").Text(), "Attached to Sakura Cafe") {
		t.Errorf("flash: %q", page.doc.Find("#flash").Text())
	}
	// The attached webhook arrives too and lands in the bot's history.
	mt.waitFor(t, "the attached event", func(a portal.ModuleAttachment) bool { return a.State == portal.Attached })
	if got := v.get(mt.URL + views.ModulePath(mt.channelID)).doc.Find("#webhook-events-arrive").Text(); got != "Webhook events arrive" {
		t.Errorf("the module page says %q of its webhook", got)
	}

	list := v.get(mt.URL + views.ModulePath(mt.channelID) + "/bots")
	if list.doc.Find(`.attachment-list tr[data-bot-id="`+bot+`"]`).Length() != 1 {
		t.Fatalf("bot list: %.300s", list.doc.Find("#bot-list").Text())
	}

	t.Run("chat control", func(t *testing.T) {
		chat := linesim.ModuleUserID(bot, friend) // the ID the module sees
		// Typed full-width, the same number of seconds.
		done := v.follow(v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {chat}, "ttl": {"３６００"}}))
		if !strings.Contains(done.doc.Find("#flash").Text(), "now controls the chat") ||
			done.doc.Find(`#chat-controls tr[data-chat-id="`+chat+`"] .badge-ok`).Length() != 1 {
			t.Fatalf("after acquiring: %q", done.doc.Find("#flash").Text())
		}
		bad := v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {chat}, "ttl": {"31536001"}})
		if bad.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.doc.Find("#acquire-form #ttl-error").Text(), "1 year") {
			t.Fatalf("ttl over a year: %d %q", bad.res.StatusCode, bad.doc.Find("#acquire-form").Text())
		}
		done = v.follow(v.post(botPage+"/chat-control/release", url.Values{"chat_id": {chat}}))
		if !strings.Contains(done.doc.Find("#flash").Text(), "released") {
			t.Fatalf("after releasing: %q", done.doc.Find("#flash").Text())
		}
	})

	t.Run("corporate options", func(t *testing.T) {
		done := v.follow(v.post(botPage+"/mission-sticker", url.Values{"user_id": {friend}, "package_id": {"10001"}}))
		if !strings.Contains(done.doc.Find("#flash .alert-success").Text(), "granted") {
			t.Fatalf("mission sticker: %q", done.doc.Find("#flash").Text())
		}
		// LINE's refusal comes back on the form, with what was typed.
		refused := v.post(botPage+"/mission-sticker", url.Values{"user_id": {friend}, "package_id": {"20002"}})
		msg := refused.doc.Find("#mission-form .alert-error").Text()
		if refused.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "validity period") || !strings.Contains(msg, "LINE request ID") ||
			refused.doc.Find("#mission_user_id").AttrOr("value", "") != friend {
			t.Fatalf("a documented mission sticker error: %d %q, user ID kept: %q", refused.res.StatusCode, msg, refused.doc.Find("#mission_user_id").AttrOr("value", ""))
		}
		// LINE failing for now also keeps what was typed, to send again.
		failed := v.post(botPage+"/mission-sticker", url.Values{"user_id": {friend}, "package_id": {"20500"}})
		if failed.res.StatusCode != http.StatusUnprocessableEntity || failed.doc.Find("#mission-form .alert-error").Text() == "" ||
			failed.doc.Find("#mission_user_id").AttrOr("value", "") != friend {
			t.Fatalf("LINE's 500: %d %q, user ID kept: %q", failed.res.StatusCode, failed.doc.Find("#mission-form .alert-error").Text(), failed.doc.Find("#mission_user_id").AttrOr("value", ""))
		}
		done = v.follow(v.post(botPage+"/mark-as-read", url.Values{"user_id": {friend}}))
		if !strings.Contains(done.doc.Find("#flash .alert-success").Text(), "marked as read") {
			t.Fatalf("mark as read: %q", done.doc.Find("#flash").Text())
		}
	})

	t.Run("followers appear with follow events and are forgotten on block", func(t *testing.T) {
		fan := mt.mod.Friends[1].ID
		follower := linesim.ModuleUserID(bot, fan)
		shown := func() bool {
			return v.get(botPage).doc.Find(`#followers .follower[data-user-id="`+follower+`"]`).Length() == 1
		}
		waitShown := func(want bool) {
			t.Helper()
			for deadline := time.Now().Add(10 * time.Second); shown() != want; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("follower shown = %v, want %v", !want, want)
				}
			}
		}
		refollow(t, mt.sim, fan, bot)
		waitShown(true)
		if err := mt.sim.SetFriendship(fan, bot, linesim.FriendshipBlocked); err != nil {
			t.Fatal(err)
		}
		waitShown(false)
	})

	t.Run("a suspended account refuses every action and keeps everything", func(t *testing.T) {
		if err := mt.sim.SuspendBot(bot); err != nil {
			t.Fatal(err)
		}
		mt.waitFor(t, "botSuspended", func(a portal.ModuleAttachment) bool { return a.Suspended })
		p := v.get(botPage)
		if got := p.doc.Find("#oa-unavailable").Text(); got != oaUnavailable {
			t.Fatalf("banner: %q", got)
		}
		if p.doc.Find("#acquire-form, #corporate-options, #detach-link").Length() != 0 {
			t.Fatal("actions are still offered on a suspended account")
		}
		for _, action := range []string{"/chat-control/acquire", "/mission-sticker", "/detach"} {
			r := v.post(botPage+action, url.Values{"chat_id": {friend}, "user_id": {friend}, "package_id": {"10001"}})
			if r.res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.doc.Find(".error-message").Text(), oaUnavailable) {
				t.Errorf("%s while suspended: %d %q", action, r.res.StatusCode, r.doc.Find(".error-message").Text())
			}
		}
		if err := mt.sim.ResumeBot(bot); err != nil {
			t.Fatal(err)
		}
		mt.waitFor(t, "botResumed", func(a portal.ModuleAttachment) bool { return !a.Suspended && a.State == portal.Attached })
		if v.get(botPage).doc.Find("#oa-unavailable").Length() != 0 {
			t.Fatal("the banner stayed after botResumed")
		}
	})

	t.Run("detach after a confirmation naming the account", func(t *testing.T) {
		confirm := v.get(botPage + "/detach")
		if !strings.Contains(confirm.doc.Find("#detach-confirm h1").Text(), "Sakura Cafe") {
			t.Fatalf("confirmation: %q", confirm.doc.Find("#detach-confirm h1").Text())
		}
		done := v.follow(v.submit(confirm, "#detach-confirm form", nil, "", ""))
		if notice := done.doc.Find("#detached-notice").Text(); !strings.Contains(notice, "Detached") || !strings.Contains(notice, "(UTC)") {
			t.Fatalf("after detaching: %.300s", done.doc.Find("main").Text())
		}
	})
}

// rawDB opens the test server's SQLite file behind the store's back, to
// check what is stored. newTestServer made the test's first temporary
// directory for it; t must be the test that called newTestServer.
// strangersProvider returns a provider, with one channel, of someone the
// demo people do not work with.
func (ts *testServer) strangersProvider(t *testing.T) portal.Provider {
	t.Helper()
	ctx := t.Context()
	stranger, err := ts.db.EnsureAdmin(ctx, "U0000000000000000000000000000abcd", "Stranger")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := ts.db.CreateProvider(ctx, stranger, "Stranger Co.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.CreateChannelUnderAnyProvider(ctx, stranger, portal.Channel{Provider: theirs, Kind: portal.KindLogin, LINEChannelID: "2999000004", Name: "Theirs", Region: portal.RegionJapan}); err != nil {
		t.Fatal(err)
	}
	return theirs
}

func rawDB(t *testing.T) *sql.DB {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "portal.db"))
	if err != nil || len(files) != 1 {
		t.Fatalf("the test server's database: %v, %v", files, err)
	}
	raw, err := sql.Open("sqlite3", "file:"+files[0]+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// registrationRows counts the rows registering a channel writes.
func registrationRows(t *testing.T, raw *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"providers", "channels", "channel_roles", "channel_credentials", "audit_log"} {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d; ", table, n)
	}
	return b.String()
}

// addSimModule registers a module channel at the simulated LINE, which
// knows its secret (no webhook: nothing is delivered to the portal).
func addSimModule(t *testing.T, ts *testServer, lineChannelID, channelSecret string) {
	t.Helper()
	if err := ts.sim.AddModuleChannel(linesim.ModuleChannel{ID: lineChannelID, Name: "Sim module " + lineChannelID, Secret: channelSecret,
		RedirectURIs: []string{ts.URL + "/modules/callback"}}); err != nil {
		t.Fatal(err)
	}
}

func registerForm(lineChannelID, channelSecret string) url.Values {
	return url.Values{"name": {"Mine"}, "line_channel_id": {lineChannelID}, "provider_id": {"new"},
		"new_provider": {"Mine Co."}, "channel_secret": {channelSecret}, "access_token": {"a-token-value"}}
}

func TestModule_RegisterKeepsSecretsOutOfPagesAndRefusesBadInput(t *testing.T) {
	ts := newTestServer(t)
	v := ts.signedIn(t, ts.demo.Developer.ID)
	const secretValue = "0123456789abcdef0123456789abcdef"
	addSimModule(t, ts, "2999000001", secretValue)
	bad := v.post(ts.URL+"/modules", registerForm("2999000001", "not-hex"))
	if bad.res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(bad.body, "not-hex") {
		t.Fatalf("a malformed secret: %d, echoed: %v", bad.res.StatusCode, strings.Contains(bad.body, "not-hex"))
	}
	if got := bad.doc.Find("#name").AttrOr("value", ""); got != "Mine" {
		t.Errorf("the name typed was lost: %q", got)
	}
	done := v.post(ts.URL+"/modules", registerForm("2999000001", secretValue))
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	page := v.follow(done)
	if strings.Contains(page.body, secretValue) || strings.Contains(page.body, "a-token-value") {
		t.Fatal("a credential reached the page")
	}
	if got := page.doc.Find("#webhook-url").AttrOr("value", ""); got != ts.URL+"/webhooks/line/2999000001" {
		t.Errorf("webhook URL %q", got)
	}
	if strings.Contains(ts.logs.String(), secretValue) || strings.Contains(ts.logs.String(), "a-token-value") {
		t.Fatal("a credential reached the log")
	}
}

// Registering proves with LINE that the secret is the channel's: else
// anyone could take a channel ID they don't own, whose owner's webhooks
// would then fail the signature check.
func TestModule_RegisterProvesTheSecretWithLINE(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	const ownersSecret, madeUp = "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"
	addSimModule(t, ts, "2999000002", ownersSecret)
	squatter := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	before := registrationRows(t, raw)

	for name, form := range map[string]url.Values{
		"a made-up secret for a real channel ID": registerForm("2999000002", madeUp),
		"a channel ID LINE does not know":        registerForm("2999000099", madeUp),
	} {
		t.Run(name, func(t *testing.T) {
			p := squatter.post(ts.URL+"/modules", form)
			if p.res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("answered %d: %.300s", p.res.StatusCode, p.doc.Find("main").Text())
			}
			const why = "LINE did not accept the channel ID and channel secret."
			// Shown once, next to the secret: no alert repeats it.
			if msg := p.doc.Find("#channel_secret-error").Text(); !strings.Contains(msg, why) || !strings.Contains(msg, "LINE request ID") {
				t.Errorf("no error on the secret field: %q", msg)
			}
			if n := strings.Count(p.doc.Find("main").Text(), why); n != 1 {
				t.Errorf("the refusal is shown %d times", n)
			}
			if strings.Contains(p.body, madeUp) {
				t.Error("the secret was echoed")
			}
			if got := p.doc.Find("#line_channel_id").AttrOr("value", ""); got != form.Get("line_channel_id") {
				t.Errorf("the channel ID typed was lost: %q", got)
			}
			if after := registrationRows(t, raw); after != before {
				t.Fatalf("a refused registration stored something: %s → %s", before, after)
			}
		})
	}

	owner := ts.signedIn(t, ts.demo.Developer.ID)
	if done := owner.post(ts.URL+"/modules", registerForm("2999000002", ownersSecret)); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner's registration answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	if _, s, err := ts.db.FindWebhookSecret(t.Context(), ts.srv.cfg.Secrets, "2999000002"); err != nil || s != ownersSecret {
		t.Fatalf("the owner's webhooks are checked with another secret (%v)", err)
	}
}

func TestModule_RegisterOnlyUnderOnesOwnProvider(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	const secretValue = "0123456789abcdef0123456789abcdef"
	addSimModule(t, ts, "2999000003", secretValue)
	theirs := ts.strangersProvider(t)
	v := ts.signedIn(t, ts.demo.Developer.ID)
	form := registerForm("2999000003", secretValue)
	form.Set("provider_id", strconv.FormatInt(theirs.ID, 10))
	before := registrationRows(t, raw)
	p := v.post(ts.URL+"/modules", form)
	if p.res.StatusCode != http.StatusForbidden || !strings.Contains(p.doc.Find("#provider_id-error").Text(), "only under a provider you work in") {
		t.Fatalf("someone else's provider: %d %q", p.res.StatusCode, p.doc.Find("#module-register-form").Text())
	}
	if after := registrationRows(t, raw); after != before {
		t.Fatalf("a refused registration stored something: %s → %s", before, after)
	}
	// The form offers the developer's own providers, and one of them works.
	own := p.doc.Find(`#provider_id option[value!="new"]`).First().AttrOr("value", "")
	if own == "" || own == form.Get("provider_id") {
		t.Fatalf("the form offers %q", own)
	}
	form.Set("provider_id", own)
	if done := v.post(ts.URL+"/modules", form); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("under the developer's own provider: %d %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
}

func TestModule_ReplaceCredentials(t *testing.T) {
	mt := newModuleTest(t)
	ctx := t.Context()
	box := mt.srv.cfg.Secrets
	modulePage := mt.URL + views.ModulePath(mt.channelID)
	// The portal holds a secret LINE has since reissued: its webhooks fail
	// until an Admin enters the new one.
	const stale = "0123456789abcdef0123456789abcdef"
	dev, err := mt.db.EnsureAdmin(ctx, mt.demo.Developer.ID, mt.demo.Developer.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := mt.db.SetChannelCredentials(ctx, box, dev, mt.channelID, stale, mt.mod.Token, time.Time{}); err != nil {
		t.Fatal(err)
	}
	v := mt.signedIn(t, mt.demo.Developer.ID)
	if v.get(modulePage).doc.Find("#credentials-form input[type=password]").Length() != 2 {
		t.Fatal("no credentials form with two password fields for an Admin")
	}

	t.Run("a secret LINE refuses changes nothing", func(t *testing.T) {
		const wrong = "ffeeddccbbaa99887766554433221100"
		p := v.post(modulePage+"/credentials", url.Values{"channel_secret": {wrong}, "access_token": {"another-token"}})
		if p.res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(p.doc.Find("#credentials-form #channel_secret-error").Text(), "LINE did not accept the channel ID and channel secret.") {
			t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#credentials-form").Text())
		}
		if strings.Contains(p.body, wrong) || strings.Contains(p.body, "another-token") {
			t.Error("a credential was echoed")
		}
		creds, err := mt.db.FindModuleCredentials(ctx, box, mt.channelID)
		if err != nil || creds.ChannelSecret != stale || creds.AccessToken != mt.mod.Token {
			t.Fatalf("the stored credentials changed (%v)", err)
		}
	})

	t.Run("a Member can't", func(t *testing.T) {
		member, err := mt.db.EnsureAdmin(ctx, mt.demo.OrganizationAdministrator.ID, mt.demo.OrganizationAdministrator.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := mt.db.SetChannelRole(ctx, dev, mt.channelID, member.ID, portal.RoleMember); err != nil {
			t.Fatal(err)
		}
		m := mt.signedIn(t, mt.demo.OrganizationAdministrator.ID)
		if m.get(modulePage).doc.Find("#credentials-form").Length() != 0 {
			t.Error("a Member is offered the credentials form")
		}
		p := m.post(modulePage+"/credentials", url.Values{"channel_secret": {mt.mod.Channel.Secret}, "access_token": {"member-token"}})
		if p.res.StatusCode != http.StatusForbidden {
			t.Fatalf("a Member's replacement answered %d", p.res.StatusCode)
		}
	})

	t.Run("OK", func(t *testing.T) {
		token, err := mt.sim.IssueChannelToken(mt.mod.Channel.ID)
		if err != nil {
			t.Fatal(err)
		}
		done := v.post(modulePage+"/credentials", url.Values{"channel_secret": {" " + mt.mod.Channel.Secret + " "}, "access_token": {token}})
		if done.res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answered %d: %q", done.res.StatusCode, done.doc.Find("main").Text())
		}
		if msg := v.follow(done).doc.Find("#flash .alert-success").Text(); !strings.Contains(msg, "Credentials replaced") {
			t.Errorf("flash %q", msg)
		}
		creds, err := mt.db.FindModuleCredentials(ctx, box, mt.channelID)
		if err != nil || creds.ChannelSecret != mt.mod.Channel.Secret || creds.AccessToken != token {
			t.Fatalf("the credentials were not replaced (%v)", err)
		}
		if strings.Contains(mt.logs.String(), mt.mod.Channel.Secret) || strings.Contains(mt.logs.String(), token) {
			t.Fatal("a credential reached the log")
		}
	})
}

// attachSimOnly attaches the module to a new Official Account at LINE
// only: the portal hears of it through the bot list alone.
func (mt *moduleTest) attachSimOnly(t *testing.T, oa linesim.OfficialAccount) {
	t.Helper()
	if err := mt.sim.AddOfficialAccount(oa); err != nil {
		t.Fatal(err)
	}
	if err := mt.sim.AttachModule(mt.mod.Channel.ID, oa.BotID, []string{"message:send"}); err != nil {
		t.Fatal(err)
	}
}

func TestModule_BotList(t *testing.T) {
	mt := newModuleTest(t)
	raw := rawDB(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	list := mt.URL + views.ModulePath(mt.channelID) + "/bots"
	const unknown = "U00000000000000000000000000000b01"
	// The store drops this bot's row whatever writes it (the attached
	// webhook, the bot list's sync): LINE lists a bot the store doesn't
	// know.
	if _, err := raw.Exec(`CREATE TRIGGER test_forget_bot BEFORE INSERT ON module_attachments WHEN NEW.bot_id = '` + unknown + `'
		BEGIN SELECT RAISE(IGNORE); END`); err != nil {
		t.Fatal(err)
	}
	mt.attachSimOnly(t, linesim.OfficialAccount{BotID: unknown, BasicID: "@unknown", Name: "Bubble Tea Lab"})

	t.Run("a bot unknown to the store is shown as LINE lists it", func(t *testing.T) {
		p := v.get(list)
		row := p.doc.Find(`.attachment-list tr[data-bot-id="` + unknown + `"]`)
		if p.res.StatusCode != http.StatusOK || row.Length() != 1 {
			t.Fatalf("bot list %d: %.300s", p.res.StatusCode, p.doc.Find("main").Text())
		}
		if !strings.Contains(row.Text(), "Bubble Tea Lab") || !strings.Contains(row.Text(), "@unknown") || row.Find("a").Length() != 0 {
			t.Errorf("row %q (links: %d)", row.Text(), row.Find("a").Length())
		}
	})

	t.Run("a store failure is the error page, logged, not LINE's fault", func(t *testing.T) {
		if _, err := raw.Exec(`CREATE TRIGGER test_break_sync BEFORE INSERT ON module_attachments BEGIN SELECT RAISE(ABORT, 'test: disk on fire'); END`); err != nil {
			t.Fatal(err)
		}
		defer raw.Exec(`DROP TRIGGER test_break_sync`)
		mt.attachSimOnly(t, linesim.OfficialAccount{BotID: "U00000000000000000000000000000b02", BasicID: "@b02", Name: "Curry House"})
		p := v.get(list)
		if p.res.StatusCode != http.StatusInternalServerError || strings.Contains(p.body, "could not be reached") {
			t.Fatalf("answered %d: %.300s", p.res.StatusCode, p.doc.Find("main").Text())
		}
		logged := false
		for line := range strings.Lines(mt.logs.String()) {
			logged = logged || strings.Contains(line, `msg="request failed"`) && strings.Contains(line, `route="GET /modules/{id}/bots"`) && strings.Contains(line, "disk on fire")
		}
		if !logged {
			t.Errorf("the bot list's store error was not logged:\n%s", mt.logs.String())
		}
	})

	t.Run("LINE's refusal is explained on the page", func(t *testing.T) {
		dev, err := mt.db.EnsureAdmin(t.Context(), mt.demo.Developer.ID, mt.demo.Developer.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := mt.db.SetChannelCredentials(t.Context(), mt.srv.cfg.Secrets, dev, mt.channelID, mt.mod.Channel.Secret, "revoked-token", time.Time{}); err != nil {
			t.Fatal(err)
		}
		p := v.get(list)
		if p.res.StatusCode != http.StatusOK || !strings.Contains(p.doc.Find(".alert-error").Text(), "LINE did not accept the channel access token") {
			t.Fatalf("answered %d: %.300s", p.res.StatusCode, p.doc.Find("main").Text())
		}
	})
}

func TestBotListNextHref(t *testing.T) {
	if got, want := botListNextHref(7, "a+b/c=&d"), "/modules/7/bots?start=a%2Bb%2Fc%3D%26d"; got != want {
		t.Fatalf("botListNextHref = %q, want %q", got, want)
	}
	if got := botListNextHref(7, ""); got != "" {
		t.Fatalf("last page: %q", got)
	}
}

func TestModule_AttachRequestRefusalKeepsInput(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	p := v.post(mt.URL+views.ModulePath(mt.channelID)+"/attach", url.Values{"region": {"TW"}, "basic_search_id": {"@sakuracafe"},
		"scope": {"message:send", "crm:manage"}, "brand_type": {"verified"}})
	if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#scope-error").Text(), `"crm:manage"`) {
		t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#attach-form").Text())
	}
	form := p.doc.Find("#attach-form")
	if form.Find(`input[name=scope][value="message:send"][checked]`).Length() != 1 || form.Find(`input[name=scope][value="message:receive"][checked]`).Length() != 0 ||
		form.Find(`#region option[value=TW][selected]`).Length() != 1 || form.Find("#basic_search_id").AttrOr("value", "") != "@sakuracafe" ||
		form.Find(`input[name=brand_type][value=verified][checked]`).Length() != 1 {
		t.Errorf("the input was not kept: %s", goquery.NewDocumentFromNode(form.Nodes[0]).Text())
	}
	if p := v.post(mt.URL+views.ModulePath(mt.channelID)+"/attach", url.Values{"region": {"JP"}, "scope": {"message:send"}, "brand_type": {"gold"}}); p.res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(p.doc.Find("#brand_type-error").Text(), `"gold"`) {
		t.Fatalf("an unknown account type: %d", p.res.StatusCode)
	}
	// The one account to offer is a basic ID, checked before leaving for
	// LINE (whose screen would offer nothing), with the other fields.
	p = v.post(mt.URL+views.ModulePath(mt.channelID)+"/attach", url.Values{"region": {"JP"}, "basic_search_id": {"＠ｓａｋｕｒａ😀"}, "brand_type": {"gold"}})
	if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#basic_search_id-error").Text(), "basic ID") ||
		p.doc.Find("#brand_type-error").Length() != 1 || p.doc.Find("#scope-error").Length() != 1 || p.doc.Find("#basic_search_id").AttrOr("value", "") != "＠ｓａｋｕｒａ😀" {
		t.Errorf("a malformed basic ID: %d %q", p.res.StatusCode, p.doc.Find("#attach-form").Text())
	}
	// Typed full-width, it is the same basic ID.
	p = v.post(mt.URL+views.ModulePath(mt.channelID)+"/attach", url.Values{"region": {"JP"}, "basic_search_id": {"＠ＳａｋｕｒａＣａｆｅ"}, "scope": {"message:send"}})
	if to, err := url.Parse(p.res.Header.Get("Location")); p.res.StatusCode != http.StatusSeeOther || err != nil || to.Query().Get("basic_search_id") != "@sakuracafe" {
		t.Errorf("a full-width basic ID: %d → %q", p.res.StatusCode, p.res.Header.Get("Location"))
	}
}

// Input the domain or the LINE client refuses brings the bot page back
// with the reason and what was typed.
func TestModule_BotActionRefusalKeepsInput(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	mt.attach(t, v)
	botPage := mt.URL + views.BotPath(mt.channelID, mt.mod.OfficialAccount.BotID)
	friend := linesim.ModuleUserID(mt.mod.OfficialAccount.BotID, mt.mod.Friends[0].ID)

	t.Run("acquire: a bad chat ID", func(t *testing.T) {
		p := v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {"Unot-a-chat"}, "ttl": {"600"}})
		if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#chat_id-error").Text(), "Enter the chat's ID") {
			t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#acquire-form").Text())
		}
		if p.doc.Find("#chat_id").AttrOr("value", "") != "Unot-a-chat" || p.doc.Find("#ttl").AttrOr("value", "") != "600" {
			t.Errorf("the input was not kept: %q %q", p.doc.Find("#chat_id").AttrOr("value", ""), p.doc.Find("#ttl").AttrOr("value", ""))
		}
		if p.doc.Find("#mission-form .alert-error, #mark-read-form .alert-error").Length() != 0 {
			t.Error("the refusal shows on another form too")
		}
	})
	t.Run("acquire: a ttl that is not a number", func(t *testing.T) {
		p := v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {friend}, "ttl": {"ten"}})
		if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#ttl-error").Text(), "whole seconds") ||
			p.doc.Find("#ttl").AttrOr("value", "") != "ten" || p.doc.Find("#chat_id").AttrOr("value", "") != friend {
			t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#acquire-form").Text())
		}
	})
	t.Run("mission sticker: a bad user ID (the LINE client's check)", func(t *testing.T) {
		p := v.post(botPage+"/mission-sticker", url.Values{"user_id": {"Ubad"}, "package_id": {"10001"}, "send_present_message": {"on"}})
		if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#mission-form .alert-error").Text(), "The user ID must be") {
			t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#mission-form").Text())
		}
		if p.doc.Find("#mission_user_id").AttrOr("value", "") != "Ubad" || p.doc.Find("#package_id").AttrOr("value", "") != "10001" ||
			p.doc.Find(`#mission-form input[name=send_present_message][checked]`).Length() != 1 {
			t.Error("the input was not kept")
		}
		if p.doc.Find("#read_user_id").AttrOr("value", "") != "" {
			t.Error("the other form got the input")
		}
	})
	t.Run("mark as read: a bad user ID", func(t *testing.T) {
		p := v.post(botPage+"/mark-as-read", url.Values{"user_id": {"nope"}})
		if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#mark-read-form .alert-error").Text(), "The user ID must be") ||
			p.doc.Find("#read_user_id").AttrOr("value", "") != "nope" {
			t.Fatalf("answered %d: %q", p.res.StatusCode, p.doc.Find("#mark-read-form").Text())
		}
	})
}

func TestModule_BotEventHistoryPages(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	mt.attach(t, v)
	mt.waitFor(t, "the attached event", func(a portal.ModuleAttachment) bool { return a.State == portal.Attached })
	bot := mt.mod.OfficialAccount.BotID
	events := make([]portal.WebhookEvent, 60)
	for i := range events {
		id := fmt.Sprintf("01HISTORY%017d", i)
		events[i] = portal.WebhookEvent{WebhookEventID: id, Type: "message", Mode: "active", Destination: bot, BotID: bot,
			Source: portal.EventSource{Type: "group", GroupID: "Ca56f94637cc4347f90a25382909b24b9"}, Timestamp: time.Now(),
			Payload: fmt.Sprintf(`{"type":"message","webhookEventId":%q}`, id)}
	}
	if _, err := mt.db.RecordWebhookEvents(t.Context(), mt.channelID, events); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	p := v.get(mt.URL + views.BotPath(mt.channelID, bot))
	for pages := 1; ; pages++ {
		rows := p.doc.Find("#event-history .webhook-event")
		rows.Each(func(_ int, r *goquery.Selection) {
			id := r.Find("code.muted").Text()
			if seen[id] {
				t.Errorf("event %s shown twice", id)
			}
			seen[id] = true
		})
		next, ok := p.doc.Find(`#event-history a[rel=next]`).Attr("href")
		if !ok {
			if pages != 2 || rows.Length() < 11 {
				t.Errorf("%d pages, the last with %d events", pages, rows.Length())
			}
			break
		}
		if rows.Length() != 50 || pages > 2 {
			t.Fatalf("page %d: %d events", pages, rows.Length())
		}
		p = v.get(mt.URL + next)
	}
	for _, e := range events {
		if !seen[e.WebhookEventID] {
			t.Errorf("event %s never shown", e.WebhookEventID)
		}
	}
}

// One chat is one row: the portal takes control under the ID the module
// sees (L…), the ID LINE's activated and deactivated events name, so the
// webhook updates the row the portal wrote instead of adding a second. A
// user's own U… ID, which LINE would report under the L… ID, is refused.
func TestModule_ChatControlIsOneRowPerChat(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	mt.attach(t, v)
	bot := mt.mod.OfficialAccount.BotID
	botPage := mt.URL + views.BotPath(mt.channelID, bot)
	user := mt.mod.Friends[0].ID
	chat := linesim.ModuleUserID(bot, user)
	rows := func() int {
		controls, _, err := mt.db.FindChatControls(t.Context(), mt.channelID, bot, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return len(controls)
	}

	refused := v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {user}, "ttl": {"600"}})
	if refused.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(refused.doc.Find("#chat_id-error").Text(), "as this module channel sees it") {
		t.Fatalf("a user's own ID: %d %q", refused.res.StatusCode, refused.doc.Find("#chat_id-error").Text())
	}
	if n := rows(); n != 0 {
		t.Fatalf("a refused acquire left %d chat control rows", n)
	}

	// The follower list leads to the acquire form with the chat filled in.
	refollow(t, mt.sim, user, bot)
	var take string
	for deadline := time.Now().Add(10 * time.Second); take == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no way to take control from the follower list")
		}
		take = v.get(botPage).doc.Find(`.follower[data-user-id="`+chat+`"] a.take-control`).AttrOr("href", "")
	}
	form := v.get(mt.URL + take)
	if got := form.doc.Find("#chat_id").AttrOr("value", ""); got != chat {
		t.Fatalf("the acquire form was filled with %q, want %q", got, chat)
	}
	done := v.follow(v.submit(form, "#acquire-form", url.Values{"ttl": {"600"}}, "", ""))
	if !strings.Contains(done.doc.Find("#flash").Text(), "now controls the chat") {
		t.Fatalf("acquiring: %q", done.doc.Find("#flash").Text())
	}
	// LINE's activated event for the chat arrives and names it L…: it must
	// update the same row.
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, _, err := mt.db.FindWebhookEvents(t.Context(), mt.channelID, bot, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(events, func(e portal.WebhookEvent) bool { return e.Type == "activated" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no activated event arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	page := v.get(botPage)
	if n := page.doc.Find("#chat-controls tbody tr").Length(); n != 1 || rows() != 1 {
		t.Fatalf("one chat shows as %d rows (%d stored)", n, rows())
	}
	v.follow(v.post(botPage+"/chat-control/release", url.Values{"chat_id": {chat}}))
	if n := rows(); n != 0 {
		t.Fatalf("after releasing, %d chats are still under control", n)
	}
}

// Reading LINE's bot list spends the module channel's rate limit with its
// credentials and records what LINE answered: only the channel's own
// people trigger it. An operator with no role sees the portal's record.
func TestModule_BotListReadFromLINEOnlyForTheChannelsPeople(t *testing.T) {
	mt := newModuleTest(t)
	dev := mt.signedIn(t, mt.demo.Developer.ID)
	op := mt.signedIn(t, mt.demo.Operator.ID)
	mt.attach(t, dev)
	// An attachment LINE has and the portal doesn't know yet: the portal
	// learns attachments from LINE's list (a webhook alone never attaches).
	bots, err := mt.sim.AttachNewBots(mt.mod.Channel.ID, 1, []string{"message:send"})
	if err != nil {
		t.Fatal(err)
	}
	list := mt.URL + views.ModulePath(mt.channelID) + "/bots"

	p := op.get(list)
	if p.res.StatusCode != http.StatusOK || !strings.Contains(p.doc.Find(".alert").Text(), "portal's own record") {
		t.Fatalf("the operator's bot list: %d %q", p.res.StatusCode, p.doc.Find("main").Text())
	}
	if p.doc.Find(`tr[data-bot-id="`+mt.mod.OfficialAccount.BotID+`"]`).Length() != 1 || p.doc.Find(`tr[data-bot-id="`+bots[0]+`"]`).Length() != 0 {
		t.Fatalf("the operator sees something other than the portal's record: %q", p.doc.Find("#bot-list").Text())
	}
	if _, err := mt.db.FindAttachment(t.Context(), mt.channelID, bots[0]); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("the operator's view asked LINE and recorded its answer: %v", err)
	}

	p = dev.get(list)
	if p.doc.Find(`tr[data-bot-id="`+bots[0]+`"]`).Length() != 1 {
		t.Fatalf("the module's Admin does not see LINE's list: %q", p.doc.Find("#bot-list").Text())
	}
	if _, err := mt.db.FindAttachment(t.Context(), mt.channelID, bots[0]); err != nil {
		t.Fatalf("LINE's list was not recorded: %v", err)
	}
}

// A module channel registered with its channel ID and secret only works
// end to end on tokens the portal issues: attach, the bot list, chat
// control. 15 minutes on, the stored token is replaced before the next
// call, for every instance, and no call fails.
func TestModule_RegisterWithIDAndSecretOnly(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	const lineID, secret = "2999000010", "00112233445566778899aabbccddeeff"
	addSimModule(t, mt.testServer, lineID, secret)
	form := registerForm(lineID, secret)
	form.Del("access_token")
	done := v.post(mt.URL+"/modules", form)
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register with ID and secret only: %d %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	channelID := mt.testServer.channelID(t, "Mine")
	issued, err := mt.db.FindModuleCredentials(t.Context(), mt.srv.cfg.Secrets, channelID)
	if err != nil || issued.AccessToken == "" || issued.TokenExpiresAt.IsZero() {
		t.Fatalf("no issued token stored: %v", err)
	}

	// Attach through LINE's screen, as the demo module does.
	bot := mt.mod.OfficialAccount.BotID
	page := v.get(mt.URL + views.ModulePath(channelID))
	if got := page.doc.Find("#webhook-events-arrive").Text(); !strings.HasPrefix(got, "No webhook event has arrived yet.") {
		t.Errorf("a module LINE sends no webhook: %q", got)
	}
	toLINE := v.submit(page, "#attach-form", url.Values{"scope": {"message:send", "message:receive"}}, "", "")
	back := v.submit(v.follow(toLINE), "form", url.Values{"bot": {bot}}, "action", "approve")
	if attached := v.follow(v.follow(back)); attached.doc.Find("#bot-name").Text() != "Sakura Cafe" {
		t.Fatalf("after attaching: %q", attached.doc.Find("main").Text())
	}
	list := v.get(mt.URL + views.ModulePath(channelID) + "/bots")
	if list.doc.Find(`.attachment-list tr[data-bot-id="`+bot+`"]`).Length() != 1 {
		t.Fatalf("bot list: %.300s", list.doc.Find("main").Text())
	}
	botPage := mt.URL + views.BotPath(channelID, bot)
	chat := linesim.ModuleUserID(bot, mt.mod.Friends[0].ID)
	if got := v.follow(v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {chat}, "ttl": {"600"}})); !strings.Contains(got.doc.Find("#flash").Text(), "now controls the chat") {
		t.Fatalf("chat control: %q", got.doc.Find("#flash").Text())
	}

	mt.clock.advance(15 * time.Minute)
	if got := v.follow(v.post(botPage+"/chat-control/release", url.Values{"chat_id": {chat}})); !strings.Contains(got.doc.Find("#flash").Text(), "released") {
		t.Fatalf("release after 15 minutes: %q", got.doc.Find("#flash").Text())
	}
	renewed, err := mt.db.FindModuleCredentials(t.Context(), mt.srv.cfg.Secrets, channelID)
	if err != nil || renewed.AccessToken == issued.AccessToken || !renewed.TokenExpiresAt.After(issued.TokenExpiresAt) {
		t.Errorf("the token was not renewed before the call: %v", err)
	}
	for _, leak := range []string{secret, issued.AccessToken, renewed.AccessToken} {
		if strings.Contains(mt.logs.String(), leak) {
			t.Error("a secret or token reached the log")
		}
	}
}

// refollow has user block bot and then add it as a friend again (an
// unfollow, then a follow event). A person follows again after the block,
// not at its very millisecond, as two calls here may be: a follow then,
// delivered apart from the block, is one from before it
// (portal.ForgottenOnArrival).
func refollow(t *testing.T, sim *linesim.Server, user, bot string) {
	t.Helper()
	if err := sim.SetFriendship(user, bot, linesim.FriendshipBlocked); err != nil {
		t.Fatal(err)
	}
	if err := sim.AdvanceClock(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetFriendship(user, bot, linesim.FriendshipFriend); err != nil {
		t.Fatal(err)
	}
}
