package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"lineportal/internal/demo"
	"lineportal/internal/locale"
	"lineportal/views"
)

// getAs fetches path with the given Accept-Language and language cookie
// (either may be empty) and returns the page's language and home link.
func (ts *testServer) getAs(t *testing.T, v *visitor, path, acceptLanguage, cookie string) (lang, home string) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: langCookie, Value: cookie})
	}
	res, err := v.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	p := v.read(res)
	return p.doc.Find("html").AttrOr("lang", "?"), strings.TrimSpace(p.doc.Find(".nav a").First().Text())
}

// The language is the signed-in admin's saved choice, then the cookie a
// signed-out visitor's switcher set, then Accept-Language, then English.
func TestLanguage_ChosenInOrder(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	for _, c := range []struct {
		accept, cookie, lang, home string
	}{
		{"", "", "en", "Home"},
		{"th-TH,th;q=0.9,en;q=0.5", "", "th", "หน้าหลัก"},
		{"ja-JP", "", "ja", "ホーム"},
		{"zh-TW,zh;q=0.9,en;q=0.8", "", "zh-TW", "首頁"},
		{"zh-HK", "", "zh-TW", "首頁"}, // Hong Kong reads Traditional Chinese too
		{"fr-FR", "", "en", "Home"},
		{"th-TH", "ja", "ja", "ホーム"},      // the visitor's choice outranks the browser
		{"th-TH", "xx", "th", "หน้าหลัก"}, // a cookie the portal did not set is ignored
	} {
		if lang, home := ts.getAs(t, v, "/", c.accept, c.cookie); lang != c.lang || home != c.home {
			t.Errorf("Accept-Language %q, cookie %q: lang=%q home=%q, want %q %q", c.accept, c.cookie, lang, home, c.lang, c.home)
		}
	}

	// The switcher works without JavaScript: a form post, a cookie, back
	// to the page it was used on.
	home := v.get(ts.URL + "/")
	res := v.submit(home, "form.lang-switch", nil, "lang", "th")
	if res.res.StatusCode != http.StatusSeeOther || res.location(t) != ts.URL+"/" {
		t.Fatalf("switching language answered %d to %q", res.res.StatusCode, res.res.Header.Get("Location"))
	}
	if lang, _ := ts.getAs(t, v, "/", "ja", ""); lang != "th" {
		t.Errorf("after switching to Thai the page is %q", lang)
	}
	bad := v.submit(home, "form.lang-switch", nil, "lang", "xx")
	if bad.res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown language answered %d", bad.res.StatusCode)
	}
	if lang, _ := ts.getAs(t, v, "/", "", ""); lang != "th" {
		t.Errorf("an unknown language changed the choice to %q", lang)
	}

	// Signed in, the switcher saves the choice on the profile: another
	// browser, with another cookie and preference, gets it after sign-in.
	ts.signIn(v, "/", ts.demo.Developer.ID, false)
	v.submit(v.get(ts.URL+"/profile"), "form.lang-switch", nil, "lang", "ja")
	other := newVisitor(t)
	ts.signIn(other, "/", ts.demo.Developer.ID, false)
	if lang, home := ts.getAs(t, other, "/profile", "th-TH", "en"); lang != "ja" || home != "ホーム" {
		t.Errorf("the admin's saved Japanese gave lang=%q home=%q", lang, home)
	}
	u, _ := url.Parse(ts.URL)
	var kept string
	for _, c := range other.client.Jar.Cookies(u) {
		if c.Name == langCookie {
			kept = c.Value
		}
	}
	if kept != "ja" {
		t.Errorf("signing in left the language cookie %q, want the saved ja", kept)
	}
}

// The language a person signed in reading (the switcher's choice, else
// their browser's) becomes their saved choice when they have none, so that
// what reaches them outside this browser (another browser, LINE messages)
// speaks it too; a saved choice is never replaced by the next browser's.
func TestLanguage_ReadAtSignInIsSaved(t *testing.T) {
	ts := newTestServer(t)
	savedAs := func(admin, want string) {
		t.Helper()
		other := newVisitor(t) // a browser that asks for no language
		ts.signIn(other, "/", admin, false)
		if lang, _ := ts.getAs(t, other, "/", "th-TH", ""); lang != want {
			t.Errorf("%s signed in again elsewhere reads %q, want %q", admin, lang, want)
		}
	}
	boss, dev, both := ts.demo.OrganizationAdministrator.ID, ts.demo.Developer.ID, ts.demo.DeveloperAndAdministrator.ID

	// A Japanese browser, the switcher never touched.
	ts.signIn(browserIn(t, "ja-JP,ja;q=0.9"), "/", boss, false)
	savedAs(boss, "ja")
	// The switcher's Thai outranks a Japanese browser.
	thai := browserIn(t, "ja-JP")
	thai.submit(thai.get(ts.URL+"/"), "form.lang-switch", nil, "lang", "th")
	ts.signIn(thai, "/", dev, false)
	savedAs(dev, "th")
	// A saved choice stays: signing in from a Thai browser keeps Japanese.
	ts.signIn(thai, "/", boss, false)
	savedAs(boss, "ja")
	// A browser that asks for none of the portal's languages saves nothing.
	ts.signIn(browserIn(t, "fr-FR"), "/", both, false)
	savedAs(both, "th")
}

// browserIn is a visitor whose every request asks for the languages of
// acceptLanguage, as a browser set to them does.
func browserIn(t *testing.T, acceptLanguage string) *visitor {
	v := newVisitor(t)
	v.client.Transport = askingFor{acceptLanguage, http.DefaultTransport}
	return v
}

type askingFor struct {
	acceptLanguage string
	next           http.RoundTripper
}

func (a askingFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.acceptLanguage)
	return a.next.RoundTrip(r)
}

// The profile saves the language and time zone; bad values change nothing.
func TestLanguage_ProfileSettings(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	ts.signIn(v, "/", ts.demo.Developer.ID, false)
	profile := v.get(ts.URL + "/profile")
	if got := profile.doc.Find("#settings-zone option[selected]").AttrOr("value", "?"); got != "" {
		t.Fatalf("a new admin's zone is %q, want the language's default", got)
	}
	saved := v.follow(v.submit(profile, "#settings form", url.Values{"lang": {"th"}, "time_zone": {"Asia/Tokyo"}}, "", ""))
	if saved.doc.Find("html").AttrOr("lang", "") != "th" || !strings.Contains(saved.doc.Find("#flash").Text(), "บันทึกภาษาและเขตเวลาแล้ว") {
		t.Fatalf("after saving Thai: lang %q, flash %q", saved.doc.Find("html").AttrOr("lang", ""), saved.doc.Find("#flash").Text())
	}
	if got := saved.doc.Find("#settings-zone option[selected]").AttrOr("value", "?"); got != "Asia/Tokyo" {
		t.Errorf("saved zone shows as %q", got)
	}
	// A Thai admin in Tokyo sees times named as Japan's.
	if got := saved.doc.Find("#profile dd").Last().Text(); !strings.Contains(got, "(เวลาญี่ปุ่น UTC+9)") {
		t.Errorf("last sign-in shown as %q", got)
	}
	for _, bad := range []url.Values{{"lang": {"th"}, "time_zone": {"Mars/Olympus"}}, {"lang": {"de"}, "time_zone": {""}}} {
		res := v.submit(saved, "#settings form", bad, "", "")
		if res.res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v answered %d", bad, res.res.StatusCode)
		}
	}
	again := v.get(ts.URL + "/profile")
	if again.doc.Find("html").AttrOr("lang", "") != "th" || again.doc.Find("#settings-zone option[selected]").AttrOr("value", "?") != "Asia/Tokyo" {
		t.Errorf("refused settings changed something")
	}
}

// LINE's login and consent screens get the portal's language as
// ui_locales: the visitor's, and a signed-in admin's saved one.
func TestSignIn_SendsUILocales(t *testing.T) {
	ts := newTestServer(t)
	uiLocales := func(v *visitor, cookie string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/login", nil)
		req.Header.Set("Accept-Language", "en-US")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: langCookie, Value: cookie})
		}
		res, err := v.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := res.Location()
		if err != nil {
			t.Fatal(err)
		}
		return loc.Query().Get("ui_locales")
	}
	v := newVisitor(t)
	if got := uiLocales(v, "th"); got != "th" {
		t.Errorf("a Thai visitor's sign-in sent ui_locales=%q", got)
	}
	if got := uiLocales(v, ""); got != "en" {
		t.Errorf("an English visitor's sign-in sent ui_locales=%q", got)
	}
	ts.signIn(v, "/", ts.demo.Developer.ID, false)
	v.submit(v.get(ts.URL+"/profile"), "#settings form", url.Values{"lang": {"ja"}}, "", "")
	if got := uiLocales(v, "th"); got != "ja" {
		t.Errorf("an admin who saved Japanese sent ui_locales=%q", got)
	}
}

// english is the sentence an English reader sees for err.
func english(err error) string { return locale.New("en", "UTC").Refusal(err) }

// oaUnavailable is what every admin action on a suspended bot answers, in
// the words 001 recommends (ROAUnavailable in English).
const oaUnavailable = "This admin screen can't be used because the LINE Official Account is unavailable"

// The audit log speaks the reader's language: each entry's before and
// after are written in it from their codes; an entry logged before codes
// were kept (migration 0012) shows its English as recorded, marked for a
// Japanese or Thai reader and not for an English one.
func TestAuditLog_InReadersLanguage(t *testing.T) {
	ts := newTestServer(t)
	dev, err := ts.db.EnsureAdmin(t.Context(), ts.demo.Developer.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	order := ts.channelID(t, "Sakura Order")
	if _, err := rawDB(t).Exec(`INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, channel_id, before, after)
		VALUES (0, ?, 'miniapp_review.submit', 'channel', ?, ?, 'Not in review', 'In review')`, dev.ID, order, order); err != nil {
		t.Fatal(err)
	}
	v := ts.signedIn(t, ts.demo.Developer.ID)
	history := ts.URL + views.ChannelPath(order) + "/history"
	cells := func(action string) (before, after string) {
		t.Helper()
		row := v.get(history).doc.Find(`.audit-entry[data-action="` + action + `"]`).First()
		return strings.TrimSpace(row.Find("td").Eq(3).Text()), strings.TrimSpace(row.Find("td").Eq(4).Text())
	}
	for _, c := range []struct {
		lang                                   string
		oldBefore, oldAfter, created, created2 string
	}{
		{"ja", "Not in review（英語で記録）", "In review（英語で記録）", "LINEミニアプリチャネル「Sakura Order」", "日本"},
		{"th", "Not in review (บันทึกเป็นภาษาอังกฤษ)", "In review (บันทึกเป็นภาษาอังกฤษ)", "Channel LINE MINI App Sakura Order", "ในญี่ปุ่น"},
		{"en", "Not in review", "In review", "LINE MINI App channel Sakura Order", "in Japan"},
	} {
		if err := ts.db.SetAdminSettings(t.Context(), dev.ID, c.lang, ""); err != nil {
			t.Fatal(err)
		}
		if before, after := cells("miniapp_review.submit"); before != c.oldBefore || after != c.oldAfter {
			t.Errorf("%s: the entry logged in English shows %q → %q, want %q → %q", c.lang, before, after, c.oldBefore, c.oldAfter)
		}
		if before, after := cells("channel.create"); before != "" || !strings.Contains(after, c.created) || !strings.Contains(after, c.created2) {
			t.Errorf("%s: the channel's registration shows %q → %q, want %q with %q", c.lang, before, after, c.created, c.created2)
		}
	}
}

// The languages matched are remembered, and the memory stays bounded: a
// remembered match is the one locale.Match makes, however often and in
// whatever order it is asked.
func TestLanguageMatches(t *testing.T) {
	var m languageMatches
	asked := [][]string{
		{"", ""}, {"", "ja,en-US;q=0.9,en;q=0.8"}, {"", "th-TH,th;q=0.9"}, {"th", "ja"}, {"", "fr-CH, fr;q=0.9, de;q=0.7"},
		{"ja", "", "th"}, {"", "", "en-GB"}, {"", "not a language tag"}, {"", strings.Repeat("ja,", maxMatchedPrefs)},
	}
	for range 3 {
		for _, prefs := range asked {
			if got, want := m.match(prefs...), locale.Match(prefs...); got != want {
				t.Fatalf("match(%q) = %q, locale.Match %q", prefs, got, want)
			}
		}
	}
	kept := func() (n int) {
		m.byPrefs.Range(func(any, any) bool { n++; return true })
		return n
	}
	if n := kept(); n != len(asked)-1 {
		t.Errorf("%d lists kept, want %d (all but the one too long)", n, len(asked)-1)
	}
	for i := range 3 * maxLanguageMatches {
		m.match("", "ja;q=0."+strconv.Itoa(i))
	}
	if n := kept(); n > maxLanguageMatches {
		t.Errorf("%d lists kept, past the bound of %d", n, maxLanguageMatches)
	}
}

// The switcher on a form's answer (a refusal shown at the POST's address)
// comes back to the page above it, not to a GET of the POST's address,
// which would be refused.
func TestLanguage_SwitchFromAFormsAnswer(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	refused := dev.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {"x"}})
	if refused.res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a malformed organization ID answered %d", refused.res.StatusCode)
	}
	back, _ := refused.doc.Find(".lang-switch input[name=next]").Attr("value")
	if back != views.ChannelPath(order) {
		t.Errorf("the switcher on the refusal comes back to %q, want the channel's page %q", back, views.ChannelPath(order))
	}
	switched := dev.follow(dev.submit(refused, ".lang-switch", nil, "lang", "ja"))
	if switched.res.StatusCode != http.StatusOK || switched.doc.Find("html").AttrOr("lang", "") != "ja" {
		t.Errorf("switching to Japanese there answered %d in %q", switched.res.StatusCode, switched.doc.Find("html").AttrOr("lang", ""))
	}
	// A refused transfer's page comes back, through the confirmation's
	// address, to the account's page that holds the transfer form.
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	account := views.AccountPath(demo.MomijiHoldingID, ts.channelID(t, "Momiji Holdings Portal"))
	transfer := boss.post(ts.URL+account+"/transfer", url.Values{"dest_org_id": {"BM1"}})
	if transfer.res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a malformed transfer destination answered %d", transfer.res.StatusCode)
	}
	returned := boss.follow(boss.follow(boss.submit(transfer, ".lang-switch", nil, "lang", "th"))) // the confirmation sends on to the account
	if returned.res.StatusCode != http.StatusOK || returned.res.Request.URL.Path != account || returned.doc.Find("#transfer form").Length() != 1 {
		t.Errorf("switching language on a refused transfer: %d at %s, the transfer form %d", returned.res.StatusCode, returned.res.Request.URL.Path, returned.doc.Find("#transfer form").Length())
	}
	// A POST whose address is also a page comes back to it.
	stale := dev.post(ts.URL+"/link/not-a-token", nil)
	if back, _ := stale.doc.Find(".lang-switch input[name=next]").Attr("value"); back != "/link/not-a-token" {
		t.Errorf("the switcher on an approval's answer comes back to %q, want the approval page", back)
	}
}
