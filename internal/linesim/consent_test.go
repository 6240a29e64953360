package linesim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lineportal/internal/linesim"
)

func TestAuthorizeRefusals(t *testing.T) {
	const invalidRedirect = "Invalid redirect_uri value. Check if it is registered in a LINE developers site."
	tests := []struct {
		name   string
		change url.Values // overrides of a valid request; an empty value removes the parameter
		// An error page (no redirect) ...
		wantPage string
		// ... or a redirect to the client with error and state.
		wantError string
		wantState string
	}{
		{name: "unknown client_id", change: url.Values{"client_id": {"1999999999"}}, wantPage: "Invalid client_id value."},
		{name: "no client_id", change: url.Values{"client_id": {""}}, wantPage: "Invalid client_id value."},
		{name: "unregistered redirect_uri", change: url.Values{"redirect_uri": {"https://evil.example/cb"}}, wantPage: invalidRedirect},
		{name: "redirect_uri differing by a slash", change: url.Values{"redirect_uri": {portalCallback + "/"}}, wantPage: invalidRedirect},
		{name: "another channel's redirect_uri", change: url.Values{"redirect_uri": {otherCallback}}, wantPage: invalidRedirect},
		{name: "bad client and bad response_type", change: url.Values{"client_id": {"1999999999"}, "response_type": {"token"}}, wantPage: "Invalid client_id value."},
		{name: "response_type token", change: url.Values{"response_type": {"token"}}, wantError: "UNSUPPORTED_RESPONSE_TYPE", wantState: testState},
		{name: "no scope", change: url.Values{"scope": {""}}, wantError: "INVALID_SCOPE", wantState: testState},
		{name: "email alone", change: url.Values{"scope": {"email"}}, wantError: "INVALID_SCOPE", wantState: testState},
		{name: "email without openid", change: url.Values{"scope": {"profile email"}}, wantError: "INVALID_SCOPE", wantState: testState},
		{name: "unknown scope", change: url.Values{"scope": {"profile phone"}}, wantError: "INVALID_SCOPE", wantState: testState},
		{name: "no state", change: url.Values{"state": {""}}, wantError: "INVALID_REQUEST"},
		{name: "code_challenge_method plain", change: url.Values{"code_challenge": {pkceChallenge(strings.Repeat("a", 43))}, "code_challenge_method": {"plain"}}, wantError: "INVALID_REQUEST", wantState: testState},
		{name: "code_challenge without method", change: url.Values{"code_challenge": {pkceChallenge(strings.Repeat("a", 43))}}, wantError: "INVALID_REQUEST", wantState: testState},
		{name: "code_challenge not a SHA-256", change: url.Values{"code_challenge": {"short"}, "code_challenge_method": {"S256"}}, wantError: "INVALID_REQUEST", wantState: testState},
		{name: "bot_prompt sometimes", change: url.Values{"bot_prompt": {"sometimes"}}, wantError: "INVALID_REQUEST", wantState: testState},
		{name: "max_age negative", change: url.Values{"max_age": {"-1"}}, wantError: "INVALID_REQUEST", wantState: testState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			for k, v := range tt.change {
				if v[0] == "" {
					params.Del(k)
				} else {
					params[k] = v
				}
			}
			resp := f.get("/oauth2/v2.1/authorize?" + params.Encode())
			if tt.wantPage != "" {
				if resp.status != http.StatusBadRequest || resp.location() != "" {
					t.Fatalf("status %d, Location %q; want an error page with 400 and no redirect", resp.status, resp.location())
				}
				doc := resp.doc(t)
				if h1 := doc.Find("h1").Text(); h1 != "400 Bad Request" {
					t.Errorf("heading = %q", h1)
				}
				if msg := doc.Find(".problem").Text(); !strings.HasPrefix(msg, tt.wantPage) {
					t.Errorf("message = %q, want it to start with %q", msg, tt.wantPage)
				}
				return
			}
			q := callback(t, resp, portalCallback)
			if q.Get("error") != tt.wantError || q.Get("error_description") == "" {
				t.Errorf("error, error_description = %q, %q; want %q and a description", q.Get("error"), q.Get("error_description"), tt.wantError)
			}
			if q.Has("code") {
				t.Errorf("error redirect carries a code")
			}
			if q.Get("state") != tt.wantState || q.Has("state") != (tt.wantState != "") {
				t.Errorf("state = %q (present %v), want %q", q.Get("state"), q.Has("state"), tt.wantState)
			}
		})
	}
}

func TestConsentBotPrompt(t *testing.T) {
	const oaName = "LINE Partner Portal"
	tests := []struct {
		name      string
		channel   string // "" = the portal channel, which has a linked account
		botPrompt string
		before    linesim.Friendship
		// Step 2: the add-friend option shown, and whether to tick it.
		wantOption   string // text of the option; "" = none shown
		wantCheckbox bool
		tick         bool
		// The separate screen of aggressive, and the answer given.
		wantScreen   string // its main button; "" = not shown
		screenAction string
		wantChanged  string // friendship_status_changed; "" = absent
		after        linesim.Friendship
	}{
		{name: "normal, not a friend, ticked", botPrompt: "normal", before: "none", wantOption: "Add " + oaName + " as a friend", wantCheckbox: true, tick: true, wantChanged: "true", after: "friend"},
		{name: "normal, not a friend, not ticked", botPrompt: "normal", before: "none", wantOption: "Add " + oaName + " as a friend", wantCheckbox: true, wantChanged: "false", after: "none"},
		{name: "normal, blocked, ticked", botPrompt: "normal", before: "blocked", wantOption: "Unblock " + oaName, wantCheckbox: true, tick: true, wantChanged: "true", after: "friend"},
		{name: "normal, blocked, not ticked", botPrompt: "normal", before: "blocked", wantOption: "Unblock " + oaName, wantCheckbox: true, wantChanged: "false", after: "blocked"},
		{name: "normal, already a friend", botPrompt: "normal", before: "friend", wantOption: "You are friends with " + oaName, wantChanged: "false", after: "friend"},
		{name: "normal, already a friend, forged tick", botPrompt: "normal", before: "friend", wantOption: "You are friends with " + oaName, tick: true, wantChanged: "false", after: "friend"},
		{name: "aggressive, not a friend, adds", botPrompt: "aggressive", before: "none", wantScreen: "Add friend", screenAction: "add", wantChanged: "true", after: "friend"},
		{name: "aggressive, not a friend, not now", botPrompt: "aggressive", before: "none", wantScreen: "Add friend", screenAction: "skip", wantChanged: "false", after: "none"},
		{name: "aggressive, blocked, unblocks", botPrompt: "aggressive", before: "blocked", wantScreen: "Unblock", screenAction: "add", wantChanged: "true", after: "friend"},
		{name: "aggressive, blocked, not now", botPrompt: "aggressive", before: "blocked", wantScreen: "Unblock", screenAction: "skip", wantChanged: "false", after: "blocked"},
		{name: "aggressive, already a friend", botPrompt: "aggressive", before: "friend", after: "friend"},
		{name: "off, not a friend", before: "none", after: "none"},
		{name: "off, blocked, forged tick", before: "blocked", tick: true, after: "blocked"},
		{name: "normal, channel without a linked account", channel: otherChannelID, botPrompt: "normal", before: "none", tick: true, after: "none"},
		{name: "aggressive, channel without a linked account", channel: otherChannelID, botPrompt: "aggressive", before: "blocked", after: "blocked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			user, bot := f.demo.Developer.ID, f.demo.OfficialAccount.BotID
			if err := f.sim.SetFriendship(user, bot, tt.before); err != nil {
				t.Fatal(err)
			}
			params, redirect := authorizeParams(), portalCallback
			if tt.channel == otherChannelID {
				params.Set("client_id", otherChannelID)
				params.Set("redirect_uri", otherCallback)
				redirect = otherCallback
			}
			if tt.botPrompt != "" {
				params.Set("bot_prompt", tt.botPrompt)
			}
			id := f.startLogin(params)

			doc := f.pickUser(id, url.Values{"user": {user}}).doc(t)
			if got := strings.Join(strings.Fields(doc.Find(".friend-option").Text()), " "); got != tt.wantOption {
				t.Errorf("add-friend option = %q, want %q", got, tt.wantOption)
			}
			if got := doc.Find(`input[type="checkbox"][name="add_friend"]`).Length() == 1; got != tt.wantCheckbox {
				t.Errorf("checkbox shown = %v, want %v", got, tt.wantCheckbox)
			}
			if doc.Find(`input[name="add_friend"][checked]`).Length() != 0 {
				t.Errorf("add-friend checkbox is pre-ticked")
			}

			var extra url.Values
			if tt.tick {
				extra = url.Values{"add_friend": {"yes"}}
			}
			resp := f.allow(id, extra)
			if tt.wantScreen != "" {
				if resp.status != http.StatusSeeOther {
					t.Fatalf("allow: status %d, want 303 to the add-friend screen; Location %q", resp.status, resp.location())
				}
				screen := f.get(resp.location())
				if got := strings.TrimSpace(screen.doc(t).Find(`button[value="add"]`).Text()); got != tt.wantScreen {
					t.Errorf("add-friend screen button = %q, want %q", got, tt.wantScreen)
				}
				if f.sim.Friendship(user, bot) != tt.before {
					t.Errorf("friendship changed before the add-friend screen was answered")
				}
				resp = f.postForm("/oauth2/v2.1/authorize/add-friend", url.Values{"request": {id}, "action": {tt.screenAction}})
			}

			q := callback(t, resp, redirect)
			if q.Get("code") == "" || q.Get("state") != testState {
				t.Errorf("code, state = %q, %q", q.Get("code"), q.Get("state"))
			}
			if got := q.Get("friendship_status_changed"); got != tt.wantChanged || q.Has("friendship_status_changed") != (tt.wantChanged != "") {
				t.Errorf("friendship_status_changed = %q (present %v), want %q", got, q.Has("friendship_status_changed"), tt.wantChanged)
			}
			if got := f.sim.Friendship(user, bot); got != tt.after {
				t.Errorf("friendship afterwards = %q, want %q", got, tt.after)
			}
		})
	}
}

func TestConsentCallbackOrderAndExistingQuery(t *testing.T) {
	f := newFixture(t)
	params := authorizeParams()
	params.Set("redirect_uri", portalCallbackWithQuery)
	params.Set("bot_prompt", "normal")
	id := f.startLogin(params)
	f.pickUser(id, url.Values{"user": {f.demo.Developer.ID}})
	loc := f.allow(id, url.Values{"add_friend": {"yes"}}).location()
	q := callback(t, response{status: http.StatusFound, header: http.Header{"Location": {loc}}}, portalCallbackWithQuery)
	want := portalCallbackWithQuery + "&code=" + q.Get("code") + "&state=" + testState + "&friendship_status_changed=true"
	if loc != want {
		t.Errorf("Location = %q, want %q", loc, want)
	}
}

func TestConsentCancel(t *testing.T) {
	const wantQuery = "?error=ACCESS_DENIED&error_description=The+resource+owner+denied+the+request.&state=" + testState
	tests := []struct {
		name   string
		cancel func(f *fixture, id string) response
	}{
		{"on step 1", func(f *fixture, id string) response {
			return f.postForm("/oauth2/v2.1/authorize/user", url.Values{"request": {id}, "action": {"cancel"}, "user": {f.demo.Developer.ID}})
		}},
		{"on step 2", func(f *fixture, id string) response {
			f.pickUser(id, url.Values{"user": {f.demo.Developer.ID}})
			return f.postForm("/oauth2/v2.1/authorize/consent", url.Values{"request": {id}, "action": {"cancel"}, "add_friend": {"yes"}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			params.Set("bot_prompt", "normal")
			id := f.startLogin(params)
			resp := tt.cancel(f, id)
			if resp.status != http.StatusFound || resp.location() != portalCallback+wantQuery {
				t.Errorf("status %d, Location %q; want 302 to %q", resp.status, resp.location(), portalCallback+wantQuery)
			}
			if got := f.sim.Friendship(f.demo.Developer.ID, f.demo.OfficialAccount.BotID); got != linesim.FriendshipNone {
				t.Errorf("friendship after cancel = %q", got)
			}
			if again := f.allow(id, nil); again.status != http.StatusBadRequest || again.location() != "" {
				t.Errorf("allow after cancel: status %d, Location %q; want the 400 error page", again.status, again.location())
			}
		})
	}
}

func TestConsentPickUser(t *testing.T) {
	t.Run("step 1 lists every user with avatar", func(t *testing.T) {
		f := newFixture(t)
		resp := f.get("/oauth2/v2.1/authorize?" + authorizeParams().Encode())
		doc := resp.doc(t)
		for _, u := range f.sim.Users() {
			radio := doc.Find(`input[type="radio"][name="user"][value="` + u.ID + `"]`)
			if radio.Length() != 1 {
				t.Errorf("no radio button for %s", u.Name)
				continue
			}
			label := radio.Closest("label")
			if !strings.Contains(label.Text(), u.Name) {
				t.Errorf("label %q does not name %s", label.Text(), u.Name)
			}
			if src, _ := label.Find("img").Attr("src"); src != u.PictureURL {
				t.Errorf("avatar of %s = %q, want %q", u.Name, src, u.PictureURL)
			}
		}
		if doc.Find(`input[name="new_user_name"]`).Length() != 1 {
			t.Errorf("no field to create a user")
		}
		if got, want := doc.Find("section.card p").First().Text(), "Channel "+portalChannelID+" wants to access:"; got != want {
			t.Errorf("channel shown as %q, want %q", got, want)
		}
		if got := doc.Find("ul.scopes li").Length(); got != 2 {
			t.Errorf("%d scopes listed, want 2", got)
		}
	})

	newUser := []struct {
		name   string
		choice url.Values
	}{
		{"new user chosen", url.Values{"user": {"new"}, "new_user_name": {"Haru Ito"}}},
		{"name typed while an existing user is checked", url.Values{"user": {"Udc3a0a12e4fd77b99956a97f9e727a12"}, "new_user_name": {"Haru Ito"}}},
	}
	for _, tt := range newUser {
		t.Run(tt.name+": the user is created and signs in", func(t *testing.T) {
			f := newFixture(t)
			id := f.startLogin(authorizeParams())
			consent := f.pickUser(id, tt.choice)
			users := f.sim.Users()
			if len(users) != 5 || users[4].Name != "Haru Ito" {
				t.Fatalf("users = %+v, want Haru Ito added", users)
			}
			if got := consent.doc(t).Find(".who strong").Text(); got != "Haru Ito" {
				t.Errorf("consent screen signed in as %q", got)
			}
			token := f.postForm("/oauth2/v2.1/token", exchangeForm(callback(t, f.allow(id, nil), portalCallback).Get("code"))).json(t)["access_token"].(string)
			if got := f.getBearer("/v2/profile", token).json(t)["userId"]; got != users[4].ID {
				t.Errorf("profile userId = %v, want %s", got, users[4].ID)
			}
		})
	}

	refusals := []struct {
		name        string
		choice      url.Values
		wantProblem string
	}{
		// The screen says it in its language (the message bundle's English here).
		{"new user without a name", url.Values{"user": {"new"}, "new_user_name": {"  "}}, "Enter a display name."},
		{"new user with a long name", url.Values{"user": {"new"}, "new_user_name": {strings.Repeat("x", 21)}}, "A display name has at most 20 characters."},
		{"unknown user", url.Values{"user": {"U00000000000000000000000000000000"}}, "Choose a user to log in as, or enter a name to create one."},
		{"nothing chosen", url.Values{}, "Choose a user to log in as, or enter a name to create one."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.startLogin(authorizeParams())
			form := url.Values{"request": {id}, "action": {"next"}}
			for k, v := range tt.choice {
				form[k] = v
			}
			resp := f.postForm("/oauth2/v2.1/authorize/user", form)
			if resp.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.status)
			}
			doc := resp.doc(t)
			if got := doc.Find(".problem").Text(); got != tt.wantProblem {
				t.Errorf("problem = %q, want %q", got, tt.wantProblem)
			}
			if got, _ := doc.Find(`input[name="request"]`).Attr("value"); got != id {
				t.Errorf("re-rendered form lost the request ID")
			}
			if n := len(f.sim.Users()); n != 4 {
				t.Errorf("%d users after a refused choice, want 4", n)
			}
			// The request is still usable.
			f.pickUser(id, url.Values{"user": {f.demo.Operator.ID}})
		})
	}
}

func TestConsentStaleRequests(t *testing.T) {
	tests := []struct {
		name string
		do   func(f *fixture, id string) response
	}{
		{"unknown request", func(f *fixture, _ string) response {
			return f.postForm("/oauth2/v2.1/authorize/user", url.Values{"request": {"nope"}, "user": {f.demo.Developer.ID}})
		}},
		{"consent before picking a user", func(f *fixture, id string) response { return f.allow(id, nil) }},
		{"add-friend screen without aggressive", func(f *fixture, id string) response {
			return f.get("/oauth2/v2.1/authorize/add-friend?request=" + id)
		}},
		{"expired after 30 minutes", func(f *fixture, id string) response {
			f.clock.Advance(30 * time.Minute)
			return f.postForm("/oauth2/v2.1/authorize/user", url.Values{"request": {id}, "user": {f.demo.Developer.ID}})
		}},
		{"answered twice", func(f *fixture, id string) response {
			f.pickUser(id, url.Values{"user": {f.demo.Developer.ID}})
			if first := f.allow(id, nil); first.status != http.StatusFound {
				f.t.Fatalf("first allow: status %d", first.status)
			}
			return f.allow(id, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := tt.do(f, f.startLogin(authorizeParams()))
			if resp.status != http.StatusBadRequest || resp.location() != "" {
				t.Errorf("status %d, Location %q; want the 400 error page", resp.status, resp.location())
			}
			if got := resp.doc(t).Find(".problem").Text(); !strings.HasPrefix(got, "This login request has expired") {
				t.Errorf("message = %q", got)
			}
		})
	}
}

func TestConsentRefusesCrossSitePosts(t *testing.T) {
	f := newFixture(t)
	id := f.startLogin(authorizeParams())
	resp := f.request(http.MethodPost, "/oauth2/v2.1/authorize/user", strings.NewReader(url.Values{"request": {id}, "user": {"new"}, "new_user_name": {"Mallory"}}.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Sec-Fetch-Site": {"cross-site"}})
	if resp.status != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.status)
	}
	if n := len(f.sim.Users()); n != 4 {
		t.Errorf("%d users, want 4: the cross-site post created one", n)
	}
}
