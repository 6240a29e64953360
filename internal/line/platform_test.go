package line_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/module_attach"
	"golang.org/x/oauth2"

	"lineportal/internal/line"
	"lineportal/internal/line/linetest"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
)

var ctx = context.Background()

const (
	explainTokenRefused = "LINE did not accept the channel access token: it is wrong or has expired. Issue a new token for the channel and try again."
	explainBadClient    = "LINE did not accept the module channel's ID and secret. Check them in the module channel's settings."
	explainBadGrant     = "The authorization from LINE is no longer valid: it expired, was already used, or was meant for another address. Start attaching again."
)

func TestNewPlatformRefuses(t *testing.T) {
	valid := line.PlatformConfig{APIBaseURL: "https://api.line.me", ManagerBaseURL: "https://manager.line.biz", BotIDHeader: "X-Bot"}
	if _, err := line.NewPlatform(valid); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	tests := []struct {
		name string
		edit func(*line.PlatformConfig)
	}{
		{"relative API URL", func(c *line.PlatformConfig) { c.APIBaseURL = "api.line.me" }},
		{"no manager URL", func(c *line.PlatformConfig) { c.ManagerBaseURL = "" }},
		{"ftp URL", func(c *line.PlatformConfig) { c.ManagerBaseURL = "ftp://manager.line.biz" }},
		{"no bot header name", func(c *line.PlatformConfig) { c.BotIDHeader = "" }},
		{"bot header name with a colon", func(c *line.PlatformConfig) { c.BotIDHeader = "X-Bot:" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			if _, err := line.NewPlatform(cfg); err == nil {
				t.Errorf("accepted %+v", cfg)
			}
		})
	}
}

func TestAttachURL(t *testing.T) {
	p, err := line.NewPlatform(line.PlatformConfig{APIBaseURL: "https://api.line.me", ManagerBaseURL: "https://manager.line.biz/", BotIDHeader: "X-Bot"})
	if err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	raw := p.AttachURL(line.AttachRequest{
		ChannelID: "1234567890", RedirectURL: "https://portal.example/modules/callback?x=1+2", State: "st4te", CodeVerifier: verifier,
		Region: "JP", BasicSearchID: "@sakuracafe", Scopes: []string{"message:send", "message:receive"}, BrandTypes: []string{"premium", "verified"},
	})
	base, query, _ := strings.Cut(raw, "?")
	if base != "https://manager.line.biz/module/auth/v1/authorize" {
		t.Errorf("base = %q", base)
	}
	if strings.Contains(query, "+") || !strings.Contains(query, "scope=message%3Asend%20message%3Areceive") || !strings.Contains(query, "brand_type=premium%20verified") {
		t.Errorf("query %q: spaces must be %%20", query)
	}
	q, _ := url.ParseQuery(query)
	want := url.Values{
		"response_type": {"code"}, "client_id": {"1234567890"}, "redirect_uri": {"https://portal.example/modules/callback?x=1+2"},
		"scope": {"message:send message:receive"}, "state": {"st4te"}, "region": {"JP"}, "basic_search_id": {"@sakuracafe"},
		"brand_type": {"premium verified"}, "code_challenge": {pkceS256(verifier)}, "code_challenge_method": {"S256"},
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query = %v\n want %v", q, want)
	}
	if len(verifier) != 43 || oauth2.GenerateVerifier() == verifier {
		t.Errorf("verifier %q: want 43 fresh characters", verifier)
	}
}

func TestAttachEndToEnd(t *testing.T) {
	f := newPlatformFixture(t)
	verifier := oauth2.GenerateVerifier()
	req := line.AttachRequest{ChannelID: f.mod.Channel.ID, RedirectURL: attachCallback, State: "st4te", CodeVerifier: verifier,
		Region: "JP", BasicSearchID: "@sakuracafe", Scopes: []string{"message:send", "message:receive"}, BrandTypes: []string{"verified"}}
	q := f.approve(f.p.AttachURL(req))
	if q.Get("state") != "st4te" || q.Get("code") == "" {
		t.Fatalf("callback %v", q)
	}
	att, err := f.p.ExchangeAttachCode(ctx, f.mod.Channel.Secret, q.Get("code"), req)
	if err != nil {
		t.Fatalf("ExchangeAttachCode: %v", err)
	}
	if want := (portal.AttachedBot{BotID: f.botID(), Scopes: []string{"message:send", "message:receive"}}); !reflect.DeepEqual(att, want) {
		t.Errorf("attachment = %+v, want %+v", att, want)
	}
	s := f.rec.last(t)
	form, _ := url.ParseQuery(s.body)
	if s.path != "/module/auth/v1/token" || s.authorization != "" || form.Get("client_id") != f.mod.Channel.ID ||
		form.Get("client_secret") != f.mod.Channel.Secret || form.Get("code_verifier") != verifier {
		t.Errorf("token request = %+v; want the credentials in the form and no Authorization", s)
	}
	// LINE asks the token request to repeat what the authorize URL gave.
	if form.Get("region") != "JP" || form.Get("basic_search_id") != "@sakuracafe" ||
		form.Get("scope") != "message:send message:receive" || form.Get("brand_type") != "verified" {
		t.Errorf("token request form = %v; want region, basic_search_id, scope and brand_type repeated", form)
	}
	e := f.event()
	if e.Type != "module" || e.ModuleType != "attached" || e.BotID != f.botID() || e.Destination != f.botID() ||
		!reflect.DeepEqual(e.Scopes, []string{"message:send", "message:receive"}) || e.IsRedelivery || e.Mode != "active" {
		t.Errorf("attached event = %+v", e)
	}

	t.Run("reusing the code", func(t *testing.T) {
		_, err := f.p.ExchangeAttachCode(ctx, f.mod.Channel.Secret, q.Get("code"), req)
		explained(t, err, http.StatusBadRequest, explainBadGrant)
	})
}

func TestExchangeAttachCodeRefusals(t *testing.T) {
	tests := []struct {
		name   string
		secret string                    // "": the channel's
		change func(*line.AttachRequest) // what the exchange says differently from the authorize URL
		clock  time.Duration             // time passed before the exchange
		status int
		want   string
	}{
		{name: "wrong secret", secret: "wrong", status: 403, want: explainBadClient},
		{name: "PKCE mismatch", change: func(r *line.AttachRequest) { r.CodeVerifier = oauth2.GenerateVerifier() }, status: 400, want: explainBadGrant},
		{name: "redirect mismatch", change: func(r *line.AttachRequest) { r.RedirectURL = "https://portal.example/elsewhere" }, status: 400, want: explainBadGrant},
		{name: "expired code", clock: 10 * time.Minute, status: 400, want: explainBadGrant},
		{name: "region not repeated", change: func(r *line.AttachRequest) { r.Region = "" }, status: 400, want: explainBadGrant},
		{name: "other scopes", change: func(r *line.AttachRequest) { r.Scopes = []string{"message:send"} }, status: 400, want: explainBadGrant},
		{name: "brand types not repeated", change: func(r *line.AttachRequest) { r.BrandTypes = nil }, status: 400, want: explainBadGrant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPlatformFixture(t)
			req := line.AttachRequest{ChannelID: f.mod.Channel.ID, RedirectURL: attachCallback, State: "s", CodeVerifier: oauth2.GenerateVerifier(),
				Region: "JP", Scopes: []string{"message:send", "message:receive"}, BrandTypes: []string{"verified", "premium"}}
			q := f.approve(f.p.AttachURL(req))
			secret := cmp.Or(tt.secret, f.mod.Channel.Secret)
			if tt.change != nil {
				tt.change(&req)
			}
			f.clock.Advance(tt.clock)
			_, err := f.p.ExchangeAttachCode(ctx, secret, q.Get("code"), req)
			explained(t, err, tt.status, tt.want)
		})
	}

	t.Run("lists in another order", func(t *testing.T) {
		f := newPlatformFixture(t)
		req := line.AttachRequest{ChannelID: f.mod.Channel.ID, RedirectURL: attachCallback, State: "s", CodeVerifier: oauth2.GenerateVerifier(),
			Scopes: []string{"message:send", "message:receive"}, BrandTypes: []string{"verified", "premium"}}
		q := f.approve(f.p.AttachURL(req))
		slices.Reverse(req.Scopes)
		slices.Reverse(req.BrandTypes)
		if _, err := f.p.ExchangeAttachCode(ctx, f.mod.Channel.Secret, q.Get("code"), req); err != nil {
			t.Errorf("ExchangeAttachCode: %v", err)
		}
	})
}

// basicAuthTransport replaces the SDK's Bearer header with the Basic
// authentication LINE's attach token endpoint documents.
type basicAuthTransport struct{ id, secret string }

func (b basicAuthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.id+":"+b.secret)))
	return http.DefaultTransport.RoundTrip(r)
}

func TestAttachTokenWithBasicAuthThroughTheSDK(t *testing.T) {
	f := newPlatformFixture(t)
	verifier := oauth2.GenerateVerifier()
	q := f.approve(f.p.AttachURL(line.AttachRequest{ChannelID: f.mod.Channel.ID, RedirectURL: attachCallback, State: "s", CodeVerifier: verifier, Scopes: []string{"message:send"}}))
	for _, tt := range []struct {
		name   string
		secret string
		want   string // "" = success
	}{
		{"wrong secret", "wrong", "unexpected status code: 403"},
		{"right secret", f.mod.Channel.Secret, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api, err := module_attach.NewLineModuleAttachAPI("unused", module_attach.WithEndpoint(f.base),
				module_attach.WithHTTPClient(&http.Client{Transport: basicAuthTransport{f.mod.Channel.ID, tt.secret}}))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := api.AttachModule("authorization_code", q.Get("code"), attachCallback, verifier, "", "", "", "", "message:send", "")
			if tt.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil || resp.BotId != f.botID() || !reflect.DeepEqual(resp.Scopes, []string{"message:send"}) {
				t.Errorf("AttachModule = %+v, %v", resp, err)
			}
		})
	}
}

func TestStatelessToken(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach()
	token, expiresAt, err := f.p.StatelessToken(ctx, f.mod.Channel.ID, f.mod.Channel.Secret)
	if err != nil {
		t.Fatalf("StatelessToken: %v", err)
	}
	if want := f.clock.Now().Add(15 * time.Minute); !expiresAt.Equal(want) {
		t.Errorf("expires at %v, want %v", expiresAt, want)
	}
	if page, err := f.p.ModuleBots(ctx, token, "", 0); err != nil || len(page.Bots) != 1 {
		t.Errorf("ModuleBots with the token: %+v, %v", page, err)
	}
	f.clock.Advance(15 * time.Minute)
	_, err = f.p.ModuleBots(ctx, token, "", 0)
	explained(t, err, http.StatusUnauthorized, explainTokenRefused)

	_, _, err = f.p.StatelessToken(ctx, f.mod.Channel.ID, "wrong")
	explained(t, err, http.StatusBadRequest, "LINE did not accept the channel ID and channel secret. Check the channel secret on the channel's Basic settings tab in the LINE Developers Console.")
}

func TestModuleBots(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach()
	extra := []linesim.OfficialAccount{
		{BotID: "U000000000000000000000000000000b1", BasicID: "@b1", Name: "Bubble Tea Lab", PremiumID: "@bubble", PictureURL: "https://cdn.example/b1.png"},
		{BotID: "U000000000000000000000000000000b2", BasicID: "@b2", Name: "Curry House"},
	}
	for _, oa := range extra {
		if err := f.sim.AddOfficialAccount(oa); err != nil {
			t.Fatal(err)
		}
		if err := f.sim.AttachModule(f.mod.Channel.ID, oa.BotID, nil); err != nil {
			t.Fatal(err)
		}
	}

	var got []portal.BotProfile
	var starts []string
	start := ""
	for {
		page, err := f.p.ModuleBots(ctx, f.mod.Token, start, 1)
		if err != nil {
			t.Fatalf("ModuleBots(%q): %v", start, err)
		}
		got = append(got, page.Bots...)
		if page.Next == "" {
			break
		}
		starts = append(starts, page.Next)
		start = page.Next
	}
	want := []portal.BotProfile{
		{BotID: f.botID(), BasicID: "@sakuracafe", DisplayName: "Sakura Cafe"},
		{BotID: extra[0].BotID, BasicID: "@b1", DisplayName: "Bubble Tea Lab", PremiumID: "@bubble", PictureURL: "https://cdn.example/b1.png"},
		{BotID: extra[1].BotID, BasicID: "@b2", DisplayName: "Curry House"},
	}
	if !reflect.DeepEqual(got, want) || len(starts) != 2 {
		t.Errorf("bots = %+v (%d continuation tokens)\n want %+v", got, len(starts), want)
	}

	page, err := f.p.ModuleBots(ctx, f.mod.Token, "", 0)
	if err != nil || len(page.Bots) != 3 || page.Next != "" || f.rec.last(t).query != "limit=100" {
		t.Errorf("limit 0: %+v, %v, query %q; want all three with limit=100", page, err, f.rec.last(t).query)
	}

	const restart = "The list's page token has expired (they last 24 hours) or is not valid. Start again from the first page."
	t.Run("limit over 100", func(t *testing.T) {
		_, err := f.p.ModuleBots(ctx, f.mod.Token, "", 101)
		explained(t, err, 400, "LINE lists at most 100 bots per page. Ask for 1 to 100.")
	})
	t.Run("invalid start", func(t *testing.T) {
		_, err := f.p.ModuleBots(ctx, f.mod.Token, "bogus", 1)
		explained(t, err, 400, restart)
	})
	t.Run("expired start", func(t *testing.T) {
		f.clock.Advance(24 * time.Hour)
		_, err := f.p.ModuleBots(ctx, f.mod.Token, starts[0], 1)
		explained(t, err, 400, restart)
	})
	t.Run("unknown token", func(t *testing.T) {
		_, err := f.p.ModuleBots(ctx, "nope", "", 0)
		explained(t, err, 401, explainTokenRefused)
	})
}

func TestDetach(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach("message:send")
	if err := f.p.Detach(ctx, f.mod.Token, f.botID()); err != nil {
		t.Fatalf("Detach: %v", err)
	}
	if s := f.rec.last(t); s.body != `{"botId":"`+f.botID()+`"}`+"\n" || s.authorization != "Bearer "+f.mod.Token {
		t.Errorf("request = %+v", s)
	}
	// LINE's types require a reason; the simulator's for a Detach API call is
	// module_detached (docs/decisions.md).
	if e := f.event(); e.ModuleType != "detached" || e.BotID != f.botID() || e.DetachReason != "module_detached" {
		t.Errorf("event = %+v, want detached with reason module_detached", e)
	}
	explained(t, f.p.Detach(ctx, f.mod.Token, f.botID()), 400,
		"This module channel cannot be detached from that Official Account: it is not attached to it, or the channel is not a module channel.")
	explained(t, f.p.Detach(ctx, f.mod.Token, "Uffffffffffffffffffffffffffffffff"), 400, "LINE does not know this bot. It may have been deleted; check the bot ID.")
	before := len(f.rec.all())
	f.refusedLocally(f.p.Detach(ctx, f.mod.Token, "@sakuracafe"), before, "The bot ID must be U followed by 32 hex digits.")
	f.refusedLocally(f.p.Detach(ctx, "", f.botID()), before, "No channel access token is configured for the channel.")
}

func TestChatControl(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach("message:receive")

	if err := f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0), time.Hour); err != nil {
		t.Fatalf("acquire: %v", err)
	}
	s := f.rec.last(t)
	if s.body != `{"expired":true,"ttl":3600}`+"\n" || s.botHeader != f.botID() || s.path != "/v2/bot/chat/"+f.chatID(0)+"/control/acquire" {
		t.Errorf("acquire request = %+v", s)
	}
	if e := f.event(); e.Type != "activated" || !e.ExpireAt.Equal(f.clock.Now().Add(time.Hour)) || e.Source != (linetest.Source{Type: "user", UserID: f.chatID(0)}) {
		t.Errorf("event = %+v", e)
	}
	if err := f.p.ReleaseChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0)); err != nil {
		t.Fatalf("release: %v", err)
	}
	if e := f.event(); e.Type != "deactivated" || e.Source.UserID != f.chatID(0) {
		t.Errorf("event = %+v", e)
	}
	if err := f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(1), 0); err != nil {
		t.Fatalf("acquire without a time limit: %v", err)
	}
	if s := f.rec.last(t); s.body != `{"expired":false,"ttl":0}`+"\n" {
		t.Errorf("no time limit sent %s; the SDK's zero value must be explicit", s.body)
	}
	if e := f.event(); e.Type != "activated" || !e.ExpireAt.IsZero() {
		t.Errorf("event = %+v, want no expiry", e)
	}

	t.Run("another channel took control", func(t *testing.T) {
		err := f.p.AcquireChatControl(ctx, f.secondModuleToken(), f.botID(), f.chatID(1), time.Minute)
		explained(t, err, 423, "Another channel took control of this chat a moment ago — try again in a few seconds.")
	})
	t.Run("not a friend", func(t *testing.T) {
		err := f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), linesim.ModuleUserID(f.botID(), f.demo.Developer.ID), time.Minute)
		explained(t, err, 404, "This user is not a friend of the Official Account, or the bot is not in that group or room.")
	})
	t.Run("a group the bot is not in", func(t *testing.T) {
		err := f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), "C0123456789abcdef0123456789abcdef", time.Minute)
		explained(t, err, 404, "This user is not a friend of the Official Account, or the bot is not in that group or room.")
	})
	const badChat = "LINE did not accept the chat ID. Use the user ID from the module's webhook events (L…), or a group or room ID."
	otherBotsChat := linesim.ModuleUserID(f.demo.OfficialAccount.BotID, f.mod.Friends[0].ID)
	t.Run("another bot's chat ID on acquire", func(t *testing.T) {
		explained(t, f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), otherBotsChat, time.Minute), 400, badChat)
	})
	t.Run("another bot's chat ID on release", func(t *testing.T) {
		explained(t, f.p.ReleaseChatControl(ctx, f.mod.Token, f.botID(), otherBotsChat), 400, badChat)
	})

	const badTTL = "The time limit must be a whole number of seconds from 1 second to 1 year, or none."
	const badChatLocal = "The chat ID must be a user, group or room ID (U…, C…, R…) or the L… user ID a module channel sees."
	before := len(f.rec.all())
	for _, tt := range []struct {
		name   string
		err    error
		wanted string
	}{
		{"half a second", f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0), 500*time.Millisecond), badTTL},
		{"1.5 seconds", f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0), 1500*time.Millisecond), badTTL},
		{"over a year", f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0), portal.MaxChatControlTTL+time.Second), badTTL},
		{"negative", f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(0), -time.Second), badTTL},
		{"chat ID with a slash", f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), "U../../v2/bot/list", time.Minute), badChatLocal},
		{"release with a bad chat ID", f.p.ReleaseChatControl(ctx, f.mod.Token, f.botID(), "hello"), badChatLocal},
		{"bad bot ID", f.p.ReleaseChatControl(ctx, f.mod.Token, "bot", f.chatID(0)), "The bot ID must be U followed by 32 hex digits."},
	} {
		t.Run("refuse "+tt.name, func(t *testing.T) { f.refusedLocally(tt.err, before, tt.wanted) })
	}
	if err := f.p.AcquireChatControl(ctx, f.mod.Token, f.botID(), f.chatID(2), portal.MaxChatControlTTL); err != nil {
		t.Errorf("a year: %v", err)
	}
}

func TestMissionSticker(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach()
	tests := []struct {
		packageID string
		status    int
		want      string // "" = granted
	}{
		{"10001", 200, ""},
		{"20001", 400, "This sticker set is not set up as a mission sticker. Check the package ID with your LINE sales representative."},
		{"20002", 400, "This mission sticker is outside its validity period, so it cannot be given now."},
		{"20003", 400, "This sticker set is not sold in the user's country or region, so the user cannot receive it."},
		{"20004", 400, "The user's device does not support this sticker set."},
		{"20005", 400, "The user's LINE app is too old for this sticker set. Ask the user to update LINE, then try again."},
		{"20006", 400, "This channel is not permitted to give this sticker set. Ask your LINE sales representative to enable it for the channel."},
		{"20403", 403, "This channel has not been given permission to use mission stickers. Apply for it through your LINE sales representative."},
		{"20500", 500, "LINE had an internal error while giving the sticker. Try again later."},
		{"20502", 502, "LINE could not reach its sticker service. Try again later."},
		{"99999", 404, "No sticker set has this package ID. Check the package ID."},
	}
	for _, tt := range tests {
		t.Run(tt.packageID, func(t *testing.T) {
			err := f.p.MissionSticker(ctx, f.mod.Token, f.botID(), f.chatID(0), tt.packageID, false)
			if tt.want == "" {
				if err != nil {
					t.Errorf("MissionSticker: %v", err)
				}
				s := f.rec.last(t)
				if s.body != `{"to":"`+f.chatID(0)+`","productId":"10001","productType":"STICKER","sendPresentMessage":false}`+"\n" || s.botHeader != f.botID() {
					t.Errorf("request = %+v", s)
				}
				return
			}
			explained(t, err, tt.status, tt.want)
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		err := f.p.MissionSticker(ctx, f.mod.Token, f.botID(), "U0123456789abcdef0123456789abcdef", "10001", true)
		explained(t, err, 400, "LINE did not accept the user ID. Check that it is the LINE user ID of the person who completed the mission.")
	})
	before := len(f.rec.all())
	f.refusedLocally(f.p.MissionSticker(ctx, f.mod.Token, f.botID(), f.chatID(0), "sticker", false), before, "The sticker package ID must be digits.")
	f.refusedLocally(f.p.MissionSticker(ctx, f.mod.Token, f.botID(), "someone", "10001", false), before,
		"The user ID must be U followed by 32 hex digits, or the 68-character L… ID a module channel sees.")
}

func TestExplainMissionStickerWordings(t *testing.T) {
	// LINE's API reference and 001 word some errors differently; the
	// simulator answers with 001's, so the reference's only wordings are
	// checked here.
	tests := []struct {
		status  int
		message string
		want    string
	}{
		{400, "not in sales period", "This mission sticker is outside its validity period, so it cannot be given now."},
		{400, "not_sales_period", "This mission sticker is outside its validity period, so it cannot be given now."},
		{400, "not available", "This user cannot receive the sticker set: it is not sold in the user's country or region, or the user's device or LINE version does not support it."},
		{400, "Invalid Request", "LINE did not accept the user ID. Check that it is the LINE user ID of the person who completed the mission."},
		{400, "something new", `LINE refused the request (HTTP 400): "something new".`},
		{503, "busy", "LINE had a temporary problem. Try again later."},
		{429, "The API rate limit has been exceeded. Try again later.", "LINE is receiving too many requests from this channel. Wait a minute and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			err := &line.APIError{Op: "mission sticker", Status: tt.status, Message: tt.message, RequestID: "0123456789abcdef0123456789abcdef"}
			explained(t, err, tt.status, tt.want)
		})
	}
}

func TestMarkAsRead(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach("message:mark_as_read")
	if err := f.p.MarkAsRead(ctx, f.mod.Token, f.botID(), f.chatID(0)); err != nil {
		t.Fatalf("MarkAsRead: %v", err)
	}
	if s := f.rec.last(t); s.body != `{"chat":{"userId":"`+f.chatID(0)+`"}}`+"\n" || s.botHeader != f.botID() {
		t.Errorf("request = %+v", s)
	}
	explained(t, f.p.MarkAsRead(ctx, f.mod.Token, f.botID(), linesim.ModuleUserID(f.botID(), f.demo.Developer.ID)), 400,
		"LINE did not accept the user ID: it is not a user who is friends with this LINE Official Account.")

	t.Run("without the scope", func(t *testing.T) {
		f.attach("message:send") // attaching again replaces the scopes
		explained(t, f.p.MarkAsRead(ctx, f.mod.Token, f.botID(), f.chatID(0)), 403,
			`LINE refused: the channel may not do this for this LINE Official Account, lacks the permission for it, or the account is unavailable. LINE said: "The access token does not have the required scope: message:mark_as_read".`)
	})
	t.Run("suspended account", func(t *testing.T) {
		f.attach("message:mark_as_read")
		if err := f.sim.SuspendBot(f.botID()); err != nil {
			t.Fatal(err)
		}
		if e := f.event(); e.Type != "botSuspended" || e.BotID != f.botID() {
			t.Errorf("event = %+v", e)
		}
		explained(t, f.p.MarkAsRead(ctx, f.mod.Token, f.botID(), f.chatID(0)), 403,
			`LINE refused: the channel may not do this for this LINE Official Account, lacks the permission for it, or the account is unavailable. LINE said: "The LINE Official Account is suspended".`)
	})
}

func TestPushText(t *testing.T) {
	f := newPlatformFixture(t)
	f.attach("message:send")
	key := line.RetryKey("matcha for user 0")
	for i := range 2 {
		if err := f.p.PushText(ctx, f.mod.Token, f.botID(), f.chatID(0), "Your matcha is ready", key); err != nil {
			t.Fatalf("push %d: %v", i+1, err)
		}
	}
	all := f.rec.all()
	if first, second := all[len(all)-2], all[len(all)-1]; first.status != 200 || second.status != http.StatusConflict || second.botHeader != f.botID() {
		t.Errorf("answers %d then %d; want 200 then 409 (counted as sent)", first.status, second.status)
	}
	if pushes := f.sim.Pushes(); len(pushes) != 1 || !reflect.DeepEqual(pushes[0].Texts, []string{"Your matcha is ready"}) {
		t.Errorf("simulator pushes = %+v, want one", pushes)
	}
	if again, other := line.RetryKey("matcha for user 0"), line.RetryKey("matcha for user 1"); again != key || other == key || len(other) != 36 || other[14] != '4' {
		t.Errorf("retry keys %q, %q, %q: want one version-4 UUID per message, the same each time", key, again, other)
	}

	explained(t, f.p.PushText(ctx, f.mod.Token, f.botID(), "U0123456789abcdef0123456789abcdef", "hi", line.RetryKey(t.Name())), 400,
		"LINE refused the message: The property, 'to', in the request body is invalid (line: -, column: -)")
	before := len(f.rec.all())
	f.refusedLocally(f.p.PushText(ctx, f.mod.Token, f.botID(), f.chatID(0), "hi", "retry-1"), before, "The retry key must be a UUID; use RetryKey.")
	f.refusedLocally(f.p.PushText(ctx, f.mod.Token, f.botID(), f.chatID(0), "", line.RetryKey(t.Name())), before, "The message is empty.")
}

func TestExplainUnreachable(t *testing.T) {
	p, err := line.NewPlatform(line.PlatformConfig{APIBaseURL: "http://127.0.0.1:1", ManagerBaseURL: "http://127.0.0.1:1", BotIDHeader: "X-Bot"})
	if err != nil {
		t.Fatal(err)
	}
	err = p.MarkAsRead(ctx, "token", "", "U0123456789abcdef0123456789abcdef")
	if err == nil {
		t.Fatal("no error")
	}
	if e := line.Explain(err); english(line.Refusal(err, "")) != "LINE could not be reached or gave no usable answer. Try again in a moment." || e.RequestID != "" {
		t.Errorf("explanation = %+v", e)
	}
}
