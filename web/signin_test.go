package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/dbtest"
	"lineportal/internal/linesim"
)

// visitor is a browser without JavaScript: a cookie jar, no automatic
// redirects, and forms submitted as a browser would.
type visitor struct {
	t      *testing.T
	client *http.Client
}

func newVisitor(t *testing.T) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a fetched response with its body parsed.
type page struct {
	url  *url.URL
	res  *http.Response
	body string
	doc  *goquery.Document
}

func (v *visitor) get(rawURL string) page {
	v.t.Helper()
	res, err := v.client.Get(rawURL)
	if err != nil {
		v.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return v.read(res)
}

func (v *visitor) read(res *http.Response) page {
	v.t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		v.t.Fatal(err)
	}
	return page{url: res.Request.URL, res: res, body: string(b), doc: doc}
}

// location resolves the page's redirect target.
func (p page) location(t *testing.T) string {
	t.Helper()
	loc, err := p.res.Location()
	if err != nil {
		t.Fatalf("%s %s answered %d without a redirect: %.300s", p.res.Request.Method, p.url, p.res.StatusCode, p.body)
	}
	return loc.String()
}

// follow GETs the redirect target.
func (v *visitor) follow(p page) page {
	v.t.Helper()
	return v.get(p.location(v.t))
}

// submit posts the page's first form matching sel with its current values,
// the overrides in set, and the named button.
func (v *visitor) submit(p page, sel string, set url.Values, buttonName, buttonValue string) page {
	v.t.Helper()
	form := p.doc.Find(sel).First()
	if form.Length() == 0 {
		v.t.Fatalf("no form %q on %s: %.500s", sel, p.url, p.body)
	}
	values := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ := in.AttrOr("type", "text")
		if name == "" || ((typ == "radio" || typ == "checkbox") && !in.Is("[checked]")) {
			return
		}
		values.Set(name, in.AttrOr("value", ""))
	})
	// A select sends its selected option, else its first.
	form.Find("select[name]").Each(func(_ int, sel *goquery.Selection) {
		opt := sel.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = sel.Find("option").First()
		}
		values.Set(sel.AttrOr("name", ""), opt.AttrOr("value", opt.Text()))
	})
	for k, vs := range set {
		values[k] = vs
	}
	if buttonName != "" {
		values.Set(buttonName, buttonValue)
	}
	action, _ := url.Parse(form.AttrOr("action", ""))
	target := p.url.ResolveReference(action)
	if strings.EqualFold(form.AttrOr("method", "get"), "get") {
		// A GET form sends its values as the query, as browsers do.
		target.RawQuery = values.Encode()
		return v.get(target.String())
	}
	res, err := v.client.PostForm(target.String(), values)
	if err != nil {
		v.t.Fatalf("POST %s: %v", target, err)
	}
	return v.read(res)
}

// signIn walks LINE Login through the simulator's screens as userID,
// answering the add-friend option with addFriend, and returns the portal's
// answer to the callback and the callback URL.
func (ts *testServer) signIn(v *visitor, next, userID string, addFriend bool) (page, string) {
	v.t.Helper()
	start := v.get(ts.URL + "/login?next=" + url.QueryEscape(next))
	authorize := v.follow(start)
	consent := v.follow(v.submit(authorize, "form", url.Values{"user": {userID}}, "action", "next"))
	var set url.Values
	if addFriend && consent.doc.Find(`input[name=add_friend]`).Length() > 0 {
		set = url.Values{"add_friend": {"yes"}}
	}
	answer := v.submit(consent, "form", set, "action", "allow")
	callback := answer.location(v.t)
	if strings.Contains(callback, "/authorize/add-friend") {
		action := "skip"
		if addFriend {
			action = "add"
		}
		callback = v.submit(v.get(callback), "form", nil, "action", action).location(v.t)
	}
	if !strings.HasPrefix(callback, ts.URL+"/auth/callback?") {
		v.t.Fatalf("LINE sent the browser to %s, not the portal's callback", callback)
	}
	return v.get(callback), callback
}

// profile fetches /profile and returns the friendship values it shows.
func (ts *testServer) profile(v *visitor) (name, changed, friend string) {
	v.t.Helper()
	p := v.get(ts.URL + "/profile")
	if p.res.StatusCode != http.StatusOK {
		v.t.Fatalf("/profile answered %d", p.res.StatusCode)
	}
	return p.doc.Find("#profile-name").Text(),
		p.doc.Find("#friendship-changed").AttrOr("data-value", "?"),
		p.doc.Find("#friend-flag").AttrOr("data-value", "?")
}

func TestSignIn_RecordsFriendshipOutcome(t *testing.T) {
	cases := []struct {
		prompt      string
		friendship  linesim.Friendship
		addFriend   bool
		wantChanged string
		wantFriend  string
	}{
		{"normal", linesim.FriendshipNone, true, "true", "true"},
		{"normal", linesim.FriendshipNone, false, "false", "false"},
		{"normal", linesim.FriendshipBlocked, true, "true", "true"},
		{"normal", linesim.FriendshipBlocked, false, "false", "false"},
		{"normal", linesim.FriendshipFriend, false, "false", "true"},
		{"aggressive", linesim.FriendshipNone, true, "true", "true"},
		{"aggressive", linesim.FriendshipBlocked, false, "false", "false"},
		{"aggressive", linesim.FriendshipFriend, false, "absent", "true"},
		{"", linesim.FriendshipNone, false, "absent", "false"},
	}
	for _, c := range cases {
		name := "bot_prompt=" + c.prompt + "/" + string(c.friendship)
		if c.addFriend {
			name += "/adds"
		}
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, c.prompt)
			user := ts.demo.Developer
			if err := ts.sim.SetFriendship(user.ID, ts.demo.OfficialAccount.BotID, c.friendship); err != nil {
				t.Fatal(err)
			}
			v := newVisitor(t)
			done, _ := ts.signIn(v, "/profile", user.ID, c.addFriend)
			if done.res.StatusCode != http.StatusSeeOther || done.location(t) != ts.URL+"/profile" {
				t.Fatalf("callback answered %d → %q, want 303 → /profile", done.res.StatusCode, done.res.Header.Get("Location"))
			}
			gotName, changed, friend := ts.profile(v)
			if gotName != user.Name || changed != c.wantChanged || friend != c.wantFriend {
				t.Fatalf("profile: name %q friendship_status_changed %q friendFlag %q; want %q %q %q",
					gotName, changed, friend, user.Name, c.wantChanged, c.wantFriend)
			}
		})
	}
}

func TestSignIn_NewSessionAndSignOut(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	base, _ := url.Parse(ts.URL)

	// A session cookie planted before sign-in must not survive it.
	planted := ts.mustSession(t, map[any]any{"planted": true})
	v.client.Jar.SetCookies(base, []*http.Cookie{planted})
	ts.signIn(v, "/", ts.demo.Developer.ID, false)
	var after *http.Cookie
	for _, c := range v.client.Jar.Cookies(base) {
		if c.Name == planted.Name {
			after = c
		}
	}
	if after == nil || after.Value == planted.Value {
		t.Fatal("sign-in kept the session ID from before it")
	}
	if sess := ts.loadSession(t, planted); len(sess) != 0 {
		t.Fatalf("the planted session still holds %v", sess)
	}

	home := v.get(ts.URL + "/")
	if got := home.doc.Find("#account-name").Text(); got != ts.demo.Developer.Name {
		t.Fatalf("signed-in header shows %q", got)
	}
	out := v.read(mustPost(t, v.client, ts.URL+"/logout"))
	if out.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout answered %d", out.res.StatusCode)
	}
	// The old cookie, replayed by hand, no longer works.
	replay := newVisitor(t)
	replay.client.Jar.SetCookies(base, []*http.Cookie{after})
	if p := replay.get(ts.URL + "/profile"); p.res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(t), ts.URL+"/login") {
		t.Fatalf("old cookie after sign-out: %d %q", p.res.StatusCode, p.res.Header.Get("Location"))
	}
}

func mustPost(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	res, err := c.PostForm(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSignIn_ReturnsToThePageAskedFor(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	p := v.get(ts.URL + "/profile?tab=x")
	if p.res.StatusCode != http.StatusSeeOther || p.location(t) != ts.URL+"/login?next=%2Fprofile%3Ftab%3Dx" {
		t.Fatalf("signed-out /profile: %d → %q", p.res.StatusCode, p.res.Header.Get("Location"))
	}
	done, _ := ts.signIn(v, "/profile?tab=x", ts.demo.Developer.ID, false)
	if got := done.location(t); got != ts.URL+"/profile?tab=x" {
		t.Fatalf("after sign-in went to %q", got)
	}
}

func TestSignIn_NeverRedirectsOffSite(t *testing.T) {
	for _, next := range []string{
		"//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example",
		"http:evil.example", "/\r\nLocation: https://evil.example", "javascript:alert(1)", "evil.example", "",
	} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
	for _, ok := range []string{"/", "/profile", "/link/abc?x=1"} {
		if got := safeNext(ok); got != ok {
			t.Errorf("safeNext(%q) = %q", ok, got)
		}
	}
	t.Run("through the whole flow", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		done, _ := ts.signIn(v, "//evil.example/x", ts.demo.Developer.ID, false)
		if got := done.location(t); got != ts.URL+"/" {
			t.Fatalf("next=//evil.example ended at %q", got)
		}
	})
}

// noSession asserts the visitor is not signed in.
func (ts *testServer) noSession(v *visitor) {
	v.t.Helper()
	if p := v.get(ts.URL + "/profile"); p.res.StatusCode != http.StatusSeeOther {
		v.t.Fatalf("a refused sign-in left the visitor signed in (/profile answered %d)", p.res.StatusCode)
	}
}

func TestSignIn_RefusesForgedOrStaleCallbacks(t *testing.T) {
	// begin starts a sign-in and stops at LINE's redirect back, returning
	// the callback URL not yet visited.
	begin := func(ts *testServer, v *visitor) string {
		start := v.get(ts.URL + "/login")
		authorize := v.follow(start)
		consent := v.follow(v.submit(authorize, "form", url.Values{"user": {ts.demo.Developer.ID}}, "action", "next"))
		return v.submit(consent, "form", nil, "action", "allow").location(v.t)
	}
	withQuery := func(raw string, edit func(url.Values)) string {
		u, _ := url.Parse(raw)
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	refused := func(t *testing.T, ts *testServer, v *visitor, callback string, wantStatus int) {
		t.Helper()
		p := v.get(callback)
		if p.res.StatusCode != wantStatus || p.doc.Find("#sign-in-failed").Length() != 1 {
			t.Fatalf("callback answered %d (want %d): %.300s", p.res.StatusCode, wantStatus, p.body)
		}
		ts.noSession(v)
	}

	t.Run("missing state", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		refused(t, ts, v, withQuery(begin(ts, v), func(q url.Values) { q.Del("state") }), http.StatusBadRequest)
	})
	t.Run("wrong state", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		refused(t, ts, v, withQuery(begin(ts, v), func(q url.Values) { q.Set("state", "forged") }), http.StatusBadRequest)
	})
	t.Run("no flow cookie (another browser)", func(t *testing.T) {
		ts := newTestServer(t)
		callback := begin(ts, newVisitor(t))
		refused(t, ts, newVisitor(t), callback, http.StatusBadRequest)
	})
	t.Run("flow older than 10 minutes", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		callback := begin(ts, v)
		ts.clock.advance(10*time.Minute + time.Second)
		refused(t, ts, v, callback, http.StatusBadRequest)
	})
	t.Run("replayed callback", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		done, callback := ts.signIn(v, "/", ts.demo.Developer.ID, false)
		if done.res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first callback answered %d", done.res.StatusCode)
		}
		attacker := newVisitor(t)
		refused(t, ts, attacker, callback, http.StatusBadRequest)
	})
	t.Run("the callback again, signed in (the back button)", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		if done, callback := ts.signIn(v, "/", ts.demo.Developer.ID, false); done.res.StatusCode == http.StatusSeeOther {
			again := v.get(callback)
			if again.res.StatusCode != http.StatusSeeOther || !strings.Contains(v.follow(again).doc.Find("#flash").Text(), "You are signed in as Aoi Tanaka") {
				t.Errorf("the callback again: %d %q", again.res.StatusCode, again.doc.Find("main").Text())
			}
		} else {
			t.Fatalf("first callback answered %d", done.res.StatusCode)
		}
	})
	t.Run("replayed callback with the old flow cookie", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		base, _ := url.Parse(ts.URL)
		callback := begin(ts, v)
		flowCookies := v.client.Jar.Cookies(base)
		if p := v.get(callback); p.res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first callback answered %d", p.res.StatusCode)
		}
		// The flow lives in the browser's sealed cookie, so a copy of it
		// opens; LINE then refuses the code it already exchanged.
		attacker := newVisitor(t)
		attacker.client.Jar.SetCookies(base, flowCookies)
		refused(t, ts, attacker, callback, http.StatusUnauthorized)
		if !strings.Contains(ts.logs.String(), "LINE Login refused") {
			t.Fatal("the refused exchange was not logged")
		}
	})
	t.Run("code from another sign-in (PKCE verifier mismatch)", func(t *testing.T) {
		ts := newTestServer(t)
		victim, attacker := newVisitor(t), newVisitor(t)
		attackerCallback := begin(ts, attacker)
		victimCallback := begin(ts, victim)
		u, _ := url.Parse(attackerCallback)
		injected := withQuery(victimCallback, func(q url.Values) { q.Set("code", u.Query().Get("code")) })
		refused(t, ts, victim, injected, http.StatusUnauthorized)
		if !strings.Contains(ts.logs.String(), "LINE Login refused") {
			t.Fatal("the refused exchange was not logged")
		}
	})
	t.Run("user cancels on LINE", func(t *testing.T) {
		ts := newTestServer(t)
		v := newVisitor(t)
		authorize := v.follow(v.get(ts.URL + "/login"))
		consent := v.follow(v.submit(authorize, "form", url.Values{"user": {ts.demo.Developer.ID}}, "action", "next"))
		callback := v.submit(consent, "form", nil, "action", "cancel").location(t)
		p := v.get(callback)
		if p.res.StatusCode != http.StatusUnauthorized || !strings.Contains(p.doc.Find(".error-message").Text(), "You cancelled signing in") {
			t.Fatalf("ACCESS_DENIED page: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
		}
		ts.noSession(v)
	})
}

func TestSignIn_OperatorRole(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	ts.signIn(v, "/", ts.demo.Operator.ID, false)
	roles := v.get(ts.URL + "/profile").doc.Find("#profile-roles").Text()
	if !strings.Contains(roles, "Operator") {
		t.Fatalf("operator's roles: %q", roles)
	}
	boss := newVisitor(t)
	ts.signIn(boss, "/", ts.demo.OrganizationAdministrator.ID, false)
	if roles := boss.get(ts.URL + "/profile").doc.Find("#profile-roles").Text(); !strings.Contains(roles, "Administrator of Sakura Foods (BM00000000001)") {
		t.Fatalf("organization administrator's roles: %q", roles)
	}
	other := newVisitor(t)
	ts.signIn(other, "/", ts.demo.Developer.ID, false)
	if roles := other.get(ts.URL + "/profile").doc.Find("#profile-roles").Text(); strings.Contains(roles, "Operator") || !strings.Contains(roles, "Admin of 14 channels") {
		t.Fatalf("developer's roles: %q", roles)
	}
}

func TestSignIn_HTMXRequestsGetHXRedirect(t *testing.T) {
	ts := newTestServer(t)
	res, _ := ts.do(t, "GET", "/profile", http.Header{"HX-Request": {"true"}})
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("HX-Redirect") != "/login?next=%2Fprofile" {
		t.Fatalf("htmx request without session: %d HX-Redirect=%q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

// A signed-out visitor starting sign-ins, with however long a page to
// return to, makes the portal store nothing: the flow is a sealed cookie,
// and the page to return to is capped.
func TestSignIn_SignedOutVisitorsCostNoRows(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	before := dbtest.Tables(t, raw, "sessions", "admins", "audit_log")
	long := "/link/" + strings.Repeat("a", 500<<10)
	for i := range 50 {
		next := "/channels?after=" + strconv.Itoa(i)
		if i%10 == 0 {
			next = long
		}
		res, _ := ts.do(t, "GET", "/login?next="+url.QueryEscape(next), nil)
		if res.StatusCode != http.StatusFound {
			t.Fatalf("sign-in start answered %d", res.StatusCode)
		}
		for _, c := range res.Cookies() {
			if len(c.Name)+len(c.Value) > 4000 {
				t.Fatalf("cookie %s is %d bytes: browsers drop cookies over 4 KB", c.Name, len(c.Value))
			}
		}
	}
	if after := dbtest.Tables(t, raw, "sessions", "admins", "audit_log"); after != before {
		t.Fatalf("signed-out sign-in starts wrote to the database:\n%s", after)
	}

	t.Run("the page to return to is sealed, and capped", func(t *testing.T) {
		v := newVisitor(t)
		start := v.get(ts.URL + "/login?next=" + url.QueryEscape("/link/SECRET-TOKEN"))
		for _, c := range start.res.Cookies() {
			if strings.Contains(c.Value, "SECRET") || strings.Contains(c.Value, "link") {
				t.Fatalf("the flow cookie shows the page to return to: %s", c.Value)
			}
		}
		done, _ := ts.signIn(v, long, ts.demo.Developer.ID, false)
		if got := done.location(t); got != ts.URL+"/" {
			t.Fatalf("an over-long page to return to was kept: sign-in went to %.80s", got)
		}
		fits := "/channels?q=" + strings.Repeat("a", maxNext-len("/channels?q="))
		done, _ = ts.signIn(newVisitor(t), fits, ts.demo.Developer.ID, false)
		if got := done.location(t); got != ts.URL+fits {
			t.Fatalf("a page to return to of %d bytes was dropped: sign-in went to %.80s", len(fits), got)
		}
	})
}
