package linesim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// getIn requests path with the browser's Accept-Language.
func (f *fixture) getIn(path, acceptLanguage string) response {
	f.t.Helper()
	return f.request(http.MethodGet, path, nil, http.Header{"Accept-Language": {acceptLanguage}})
}

// LINE's screens speak the first of ui_locales the simulator knows, else
// the browser's language, else English; LINE's own words from the glossary.
func TestScreenLanguage(t *testing.T) {
	tests := []struct {
		name, uiLocales, acceptLanguage string
		wantLang, wantHeading, wantNext string
	}{
		{"nothing", "", "", "en", "Log in with LINE", "Next"},
		{"ui_locales ja", "ja", "th", "ja", "LINEでログイン", "次へ"},
		{"ui_locales with a region", "th-TH", "", "th", "ล็อกอินด้วย LINE", "ต่อไป"},
		{"first known of ui_locales", "fr ja-JP en", "", "ja", "LINEでログイン", "次へ"},
		{"ui_locales unknown, Accept-Language", "fr", "th,en;q=0.5", "th", "ล็อกอินด้วย LINE", "ต่อไป"},
		{"Accept-Language weights", "", "en;q=0.3, ja;q=0.8", "ja", "LINEでログイン", "次へ"},
		{"ui_locales zh-TW", "zh-TW", "ja", "zh-TW", "使用LINE帳號登入", "下一步"},
		{"Accept-Language zh-Hant", "", "zh-Hant,en;q=0.5", "zh-TW", "使用LINE帳號登入", "下一步"},
		{"nothing known", "ko", "de", "en", "Log in with LINE", "Next"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			if tt.uiLocales != "" {
				params.Set("ui_locales", tt.uiLocales)
			}
			doc := f.getIn("/oauth2/v2.1/authorize?"+params.Encode(), tt.acceptLanguage).doc(t)
			if got := doc.Find("html").AttrOr("lang", ""); got != tt.wantLang {
				t.Errorf("lang = %q, want %q", got, tt.wantLang)
			}
			if got := doc.Find("h1").Text(); got != tt.wantHeading {
				t.Errorf("heading = %q, want %q", got, tt.wantHeading)
			}
			if got := doc.Find(`button[value=next]`).Text(); got != tt.wantNext {
				t.Errorf("Next button = %q, want %q", got, tt.wantNext)
			}
		})
	}
}

// The language chosen at the authorization request stays for every screen
// of that login, whatever the later requests' headers say.
func TestScreensKeepTheirLanguage(t *testing.T) {
	f := newFixture(t)
	params := authorizeParams()
	params.Set("ui_locales", "ja")
	params.Set("bot_prompt", "aggressive")
	id := f.startLogin(params)
	consent := f.pickUser(id, url.Values{"user": {f.demo.Developer.ID}}).doc(t)
	if got := consent.Find(`button[value=allow]`).Text(); got != "許可する" {
		t.Errorf("Allow = %q, want 許可する", got)
	}
	if got := consent.Find(`button[value=cancel]`).Text(); got != "キャンセル" {
		t.Errorf("Cancel = %q, want キャンセル", got)
	}
	addFriend := f.getIn(f.allow(id, nil).location(), "th").doc(t)
	if got := addFriend.Find("h1").Text(); got != "LINE Partner Portalを友だち追加しますか？" {
		t.Errorf("add-friend heading = %q", got)
	}
	if got := addFriend.Find(`button[value=add]`).Text(); strings.TrimSpace(got) != "友だち追加" {
		t.Errorf("add-friend button = %q, want 友だち追加", got)
	}

	// Thai: the unblock option on the consent screen (Yui blocked the account).
	params.Set("ui_locales", "th")
	params.Set("bot_prompt", "normal")
	id = f.startLogin(params)
	doc := f.pickUser(id, url.Values{"user": {f.demo.DeveloperAndAdministrator.ID}}).doc(t)
	if got := strings.TrimSpace(doc.Find("label.friend-option").Text()); got != "เลิกบล็อค LINE Partner Portal" {
		t.Errorf("unblock option = %q", got)
	}
}

func TestStaleAndFormPostScreensInTheBrowsersLanguage(t *testing.T) {
	f := newFixture(t)
	resp := f.request(http.MethodPost, "/oauth2/v2.1/authorize/consent", strings.NewReader("request=gone&action=allow"),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept-Language": {"ja"}})
	if got := resp.doc(t).Find(".problem").Text(); !strings.HasPrefix(got, "このログインリクエストは") {
		t.Errorf("stale request page = %q, want Japanese", got)
	}
	params := authorizeParams()
	params.Set("response_mode", "form_post")
	params.Set("prompt", "none")
	params.Set("ui_locales", "th")
	doc := f.get("/oauth2/v2.1/authorize?" + params.Encode()).doc(t)
	if got := doc.Find("h1").Text(); got != "กำลังกลับไปที่แอป" {
		t.Errorf("form_post heading = %q, want Thai", got)
	}
}

func TestModuleAuthorizationScreenLanguage(t *testing.T) {
	f := newModuleFixture(t)
	q := url.Values{
		"response_type": {"code"}, "client_id": {f.mod.Channel.ID}, "redirect_uri": {moduleCallback},
		"state": {testState}, "scope": {"message:send message:receive"},
	}
	doc := f.getIn("/module/auth/v1/authorize?"+q.Encode(), "ja-JP,ja;q=0.9").doc(t)
	q.Set("ui_locales", "th")
	if got := f.getIn("/module/auth/v1/authorize?"+q.Encode(), "ja").doc(t).Find(`button[value=approve]`).Text(); got != "อนุมัติ" {
		t.Errorf("with ui_locales=th: Approve = %q, want อนุมัติ", got)
	}
	checks := map[string]string{
		"h1":                    "Demo Chat Moduleを連携（アタッチ）しますか？",
		"h2":                    "LINE公式アカウント",
		`button[value=approve]`: "承認する",
		"ul.scopes li":          "メッセージを送信する（message:send）",
	}
	for selector, want := range checks {
		if got := strings.TrimSpace(doc.Find(selector).First().Text()); got != want {
			t.Errorf("%s = %q, want %q", selector, got, want)
		}
	}
}
