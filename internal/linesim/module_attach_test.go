package linesim_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"lineportal/internal/linesim"
)

const attachVerifier = "attach-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"

// attachParams are a valid module authorization request for the demo
// module channel, with PKCE.
func attachParams() url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {linesim.DemoModuleChannelID},
		"redirect_uri":          {moduleCallback},
		"scope":                 {"message:send message:receive"},
		"state":                 {testState},
		"code_challenge":        {pkceChallenge(attachVerifier)},
		"code_challenge_method": {"S256"},
	}
}

// openAttach opens the authorization screen and returns it.
func (f *moduleFixture) openAttach(params url.Values) *goquery.Document {
	f.t.Helper()
	resp := f.get("/module/auth/v1/authorize?" + params.Encode())
	if resp.status != http.StatusOK {
		f.t.Fatalf("authorize: status %d, body %s", resp.status, resp.body)
	}
	return resp.doc(f.t)
}

func requestIDOf(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	id, ok := doc.Find(`form input[name="request"]`).Attr("value")
	if !ok || id == "" {
		t.Fatal("the authorization screen has no request ID")
	}
	return id
}

func (f *moduleFixture) answerAttach(requestID, action, botID string) response {
	f.t.Helper()
	return f.postForm("/module/auth/v1/authorize/consent", url.Values{"request": {requestID}, "action": {action}, "bot": {botID}})
}

// attachCode approves the attachment to Sakura Cafe and returns the code.
func (f *moduleFixture) attachCode(params url.Values) string {
	f.t.Helper()
	q := callback(f.t, f.answerAttach(requestIDOf(f.t, f.openAttach(params)), "approve", f.botID()), params.Get("redirect_uri"))
	if q.Get("code") == "" || q.Get("state") != params.Get("state") {
		f.t.Fatalf("callback %v: want a code and the state", q)
	}
	return q.Get("code")
}

func attachTokenForm(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {moduleCallback},
		"code_verifier": {attachVerifier},
		"scope":         {"message:send message:receive"}, // repeated from attachParams, as LINE asks
	}
}

func basicAuth(id, secret string) http.Header {
	return http.Header{
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))},
		"Content-Type":  {"application/x-www-form-urlencoded"},
	}
}

// exchangeAttach posts to the attach token endpoint with Basic
// authentication, or with the credentials in the form when basic is false.
func (f *moduleFixture) exchangeAttach(form url.Values, id, secret string, basic bool) response {
	f.t.Helper()
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
		return f.postForm("/module/auth/v1/token", form)
	}
	return f.request(http.MethodPost, "/module/auth/v1/token", strings.NewReader(form.Encode()), basicAuth(id, secret))
}

func TestModuleAuthorizeScreen(t *testing.T) {
	tests := []struct {
		name   string
		params url.Values
		want   []string // account names offered, in order
	}{
		{"no filter", nil, []string{"LINE Partner Portal", "Sakura Cafe", "Bubble Tea Lab", "Closed Shop"}},
		{"basic_search_id", url.Values{"basic_search_id": {"@sakuracafe"}}, []string{"Sakura Cafe"}},
		{"region TW", url.Values{"region": {"TW"}}, []string{"Bubble Tea Lab"}},
		{"region JP", url.Values{"region": {"JP"}}, []string{"LINE Partner Portal", "Sakura Cafe", "Closed Shop"}},
		{"one brand type", url.Values{"brand_type": {"premium"}}, []string{"Bubble Tea Lab"}},
		{"two brand types", url.Values{"brand_type": {"premium unverified"}}, []string{"Bubble Tea Lab", "Closed Shop"}},
		{"nothing matches", url.Values{"basic_search_id": {"@nobody"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			for _, oa := range []linesim.OfficialAccount{
				{BotID: "U00000000000000000000000000000b0b", BasicID: "@bubbletea", Name: "Bubble Tea Lab", PremiumID: "@bubble", BrandType: linesim.BrandPremium, Region: linesim.RegionTW},
				{BotID: "U00000000000000000000000000000c0c", BasicID: "@closed", Name: "Closed Shop", Suspended: true},
			} {
				if err := f.sim.AddOfficialAccount(oa); err != nil {
					t.Fatal(err)
				}
			}
			params := attachParams()
			for k, v := range tt.params {
				params[k] = v
			}
			doc := f.openAttach(params)
			names := map[string]string{}
			for _, b := range f.botsByName() {
				names[b.id] = b.name
			}
			var got []string
			doc.Find(`input[name="bot"]`).Each(func(_ int, s *goquery.Selection) {
				got = append(got, names[s.AttrOr("value", "")])
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("accounts offered = %q, want %q", got, tt.want)
			}
			if disabled := doc.Find(`input[name="bot"][disabled]`); tt.params == nil && (disabled.Length() != 1 || disabled.AttrOr("value", "") != "U00000000000000000000000000000c0c") {
				t.Errorf("the suspended account is not the one disabled choice")
			}
			if approve := doc.Find(`button[value="approve"]`).Length(); (approve == 1) != (len(tt.want) > 0) {
				t.Errorf("%d Approve buttons for %d accounts", approve, len(tt.want))
			}
			scopes := doc.Find("ul.scopes li").Text()
			if !strings.Contains(scopes, "(message:send)") || !strings.Contains(scopes, "(message:receive)") {
				t.Errorf("scopes listed: %q", scopes)
			}
			if h1 := strings.Join(strings.Fields(doc.Find("h1").Text()), " "); h1 != "Attach Demo Chat Module?" {
				t.Errorf("h1 = %q", h1)
			}
		})
	}
}

type namedBot struct{ id, name string }

// botsByName lists the bots from the control API.
func (f *moduleFixture) botsByName() []namedBot {
	f.t.Helper()
	var bots []struct {
		BotID string `json:"botId"`
		Name  string `json:"name"`
	}
	if err := json.Unmarshal([]byte(f.get("/sim/api/bots").body), &bots); err != nil {
		f.t.Fatal(err)
	}
	var out []namedBot
	for _, b := range bots {
		out = append(out, namedBot{b.BotID, b.Name})
	}
	return out
}

func TestModuleAuthorizeRefusals(t *testing.T) {
	pages := []struct {
		name, param, value, wantMessage string
	}{
		{"unknown client_id", "client_id", "1999999999", "Invalid client_id value. Check if it is the channel ID of a module channel."},
		{"a LINE Login channel", "client_id", portalChannelID, "Invalid client_id value. Check if it is the channel ID of a module channel."},
		{"unregistered redirect_uri", "redirect_uri", "https://evil.example/cb", "Invalid redirect_uri value. Check if it is registered in a LINE developers site."},
		{"redirect_uri with a different query", "redirect_uri", moduleCallback + "?x=1", "Invalid redirect_uri value. Check if it is registered in a LINE developers site."},
	}
	for _, tt := range pages {
		t.Run("page for "+tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			params := attachParams()
			params.Set(tt.param, tt.value)
			resp := f.get("/module/auth/v1/authorize?" + params.Encode())
			if resp.status != http.StatusBadRequest || resp.location() != "" {
				t.Fatalf("status %d, Location %q; want a 400 page", resp.status, resp.location())
			}
			if got := resp.doc(t).Find(".problem").Text(); got != tt.wantMessage {
				t.Errorf("message = %q, want %q", got, tt.wantMessage)
			}
		})
	}

	redirects := []struct {
		name, param, value, wantError, wantDescription string
	}{
		{"response_type token", "response_type", "token", "unsupported_response_type", "Only response_type=code is supported."},
		{"unknown scope", "scope", "message:send profile", "invalid_scope", "Unknown scope: profile"},
		{"no state", "state", "", "invalid_request", "state is required."},
		{"unknown region", "region", "US", "invalid_request", "region must be JP or TW."},
		{"unknown brand type", "brand_type", "premium gold", "invalid_request", "brand_type must be premium, verified or unverified."},
		{"plain PKCE", "code_challenge_method", "plain", "invalid_request", "code_challenge_method must be S256."},
	}
	for _, tt := range redirects {
		t.Run("redirect for "+tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			params := attachParams()
			params.Set(tt.param, tt.value)
			q := callback(t, f.get("/module/auth/v1/authorize?"+params.Encode()), moduleCallback)
			want := url.Values{"error": {tt.wantError}, "error_description": {tt.wantDescription}}
			if params.Get("state") != "" {
				want.Set("state", testState)
			}
			if !reflect.DeepEqual(q, want) {
				t.Errorf("callback = %v, want %v", q, want)
			}
		})
	}
}

func TestModuleConsentAnswers(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		f := newModuleFixture(t)
		id := requestIDOf(t, f.openAttach(attachParams()))
		q := callback(t, f.answerAttach(id, "cancel", ""), moduleCallback)
		want := url.Values{"error": {"access_denied"}, "error_description": {"The resource owner denied the request."}, "state": {testState}}
		if !reflect.DeepEqual(q, want) {
			t.Errorf("callback = %v, want %v", q, want)
		}
		if resp := f.answerAttach(id, "approve", f.botID()); resp.status != http.StatusBadRequest {
			t.Errorf("answering a cancelled request: status %d, want 400", resp.status)
		}
	})

	refusals := []struct {
		name, bot, wantProblem string
	}{
		{"no account picked", "", "Choose the LINE Official Account to attach the module to."},
		{"an account the request excludes", "U3337e2df2032a5cc8bb777f1ae05bd25", "Choose the LINE Official Account to attach the module to."},
		{"a suspended account", "U5fac33f633e72c192759f09afc41fa28", "Sakura Cafe is suspended and cannot be attached."},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			if err := f.sim.SuspendBot(f.botID()); err != nil {
				t.Fatal(err)
			}
			if tt.name != "a suspended account" {
				if err := f.sim.ResumeBot(f.botID()); err != nil {
					t.Fatal(err)
				}
			}
			params := attachParams()
			params.Set("basic_search_id", "@sakuracafe")
			id := requestIDOf(t, f.openAttach(params))
			resp := f.answerAttach(id, "approve", tt.bot)
			if resp.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.status)
			}
			doc := resp.doc(t)
			if got := doc.Find(".problem[role=alert]").Text(); got != tt.wantProblem {
				t.Errorf("problem = %q, want %q", got, tt.wantProblem)
			}
			if requestIDOf(t, doc) != id {
				t.Errorf("the screen lost its request")
			}
		})
	}

	t.Run("unknown request", func(t *testing.T) {
		f := newModuleFixture(t)
		if resp := f.answerAttach("nope", "approve", f.botID()); resp.status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.status)
		}
	})
}

func TestModuleAttachTokenExchange(t *testing.T) {
	for _, basic := range []bool{true, false} {
		name := map[bool]string{true: "Basic authentication", false: "credentials in the form"}[basic]
		t.Run(name, func(t *testing.T) {
			f := newModuleFixture(t)
			code := f.attachCode(attachParams())
			resp := f.exchangeAttach(attachTokenForm(code), f.mod.Channel.ID, f.mod.Channel.Secret, basic)
			want := map[string]any{"bot_id": f.botID(), "scopes": []any{"message:send", "message:receive"}}
			if resp.status != http.StatusOK || !reflect.DeepEqual(resp.json(t), want) {
				t.Fatalf("status %d, body %s; want 200 %v", resp.status, resp.body, want)
			}

			req := f.hook.next(t)
			if !webhook.ValidateSignature(f.mod.Channel.Secret, req.header.Get("X-Line-Signature"), req.body) {
				t.Errorf("the attached webhook's signature does not verify with the channel secret")
			}
			body := req.decode(t)
			module, _ := body.Events[0]["module"].(map[string]any)
			if body.Destination != f.botID() || len(body.Events) != 1 || body.Events[0]["type"] != "module" ||
				!reflect.DeepEqual(module, map[string]any{"type": "attached", "botId": f.botID(), "scopes": []any{"message:send", "message:receive"}}) {
				t.Errorf("webhook = %s", req.body)
			}

			again := f.exchangeAttach(attachTokenForm(code), f.mod.Channel.ID, f.mod.Channel.Secret, basic)
			assertOAuthError(t, again, http.StatusBadRequest, "invalid_grant", "authorization code already used")
		})
	}
}

func TestModuleAttachTokenRefusals(t *testing.T) {
	tests := []struct {
		name            string
		edit            func(f *moduleFixture, form url.Values) response
		wantStatus      int
		wantError       string
		wantDescription string
		codeStillUsable bool
	}{
		{"wrong secret with Basic", func(f *moduleFixture, form url.Values) response {
			return f.exchangeAttach(form, f.mod.Channel.ID, "wrong", true)
		}, 403, "invalid_client", "client authentication failed", true},
		{"wrong secret in the form", func(f *moduleFixture, form url.Values) response {
			return f.exchangeAttach(form, f.mod.Channel.ID, "wrong", false)
		}, 403, "invalid_client", "client authentication failed", true},
		{"the SDK's Bearer token instead of credentials", func(f *moduleFixture, form url.Values) response {
			return f.request(http.MethodPost, "/module/auth/v1/token", strings.NewReader(form.Encode()),
				http.Header{"Authorization": {"Bearer dummy"}, "Content-Type": {"application/x-www-form-urlencoded"}})
		}, 400, "invalid_request", "some parameters missed or invalid", true},
		{"another module's code", func(f *moduleFixture, form url.Values) response {
			f.addSecondModule()
			return f.exchangeAttach(form, secondModuleID, secondModuleSecret, true)
		}, 400, "invalid_grant", "invalid authorization code", true},
		{"grant_type refresh_token", func(f *moduleFixture, form url.Values) response {
			form.Set("grant_type", "refresh_token")
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "unsupported_grant_type", "grant_type must be authorization_code", true},
		{"redirect_uri mismatch", func(f *moduleFixture, form url.Values) response {
			form.Set("redirect_uri", "https://portal.example/other")
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "redirect_uri does not match", true},
		{"PKCE verifier missing", func(f *moduleFixture, form url.Values) response {
			form.Del("code_verifier")
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "invalid code_verifier", true},
		{"PKCE verifier wrong", func(f *moduleFixture, form url.Values) response {
			form.Set("code_verifier", strings.Repeat("x", 43))
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "invalid code_verifier", true},
		{"scope not repeated", func(f *moduleFixture, form url.Values) response {
			form.Del("scope")
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "scope does not match the authorization request", true},
		{"a region the authorization did not ask for", func(f *moduleFixture, form url.Values) response {
			form.Set("region", "TW")
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "region does not match the authorization request", true},
		{"code expired after 10 minutes", func(f *moduleFixture, form url.Values) response {
			f.clock.Advance(10 * time.Minute)
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "authorization code expired", false},
		{"account deleted since approval", func(f *moduleFixture, form url.Values) response {
			if err := f.sim.DeleteBot(f.botID()); err != nil {
				f.t.Fatal(err)
			}
			return f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
		}, 400, "invalid_grant", "the LINE Official Account no longer exists", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			code := f.attachCode(attachParams())
			assertOAuthError(t, tt.edit(f, attachTokenForm(code)), tt.wantStatus, tt.wantError, tt.wantDescription)
			if tt.codeStillUsable {
				if resp := f.exchangeAttach(attachTokenForm(code), f.mod.Channel.ID, f.mod.Channel.Secret, true); resp.status != http.StatusOK {
					t.Errorf("the refusal used up the code: status %d, body %s", resp.status, resp.body)
				}
				return
			}
			f.hook.quiet(t)
		})
	}
}

func TestModuleAttachWithoutScopes(t *testing.T) {
	f := newModuleFixture(t)
	params := attachParams()
	params.Del("scope")
	params.Del("code_challenge")
	params.Del("code_challenge_method")
	form := attachTokenForm(f.attachCode(params))
	form.Del("code_verifier")
	form.Del("scope")
	resp := f.exchangeAttach(form, f.mod.Channel.ID, f.mod.Channel.Secret, true)
	if resp.status != http.StatusOK || resp.body != `{"bot_id":"`+f.botID()+`","scopes":[]}` {
		t.Errorf("status %d, body %s; want scopes []", resp.status, resp.body)
	}
}
