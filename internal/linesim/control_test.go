package linesim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/linesim"
)

func TestControlAPIUsers(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		f := newFixture(t)
		resp := f.get("/sim/api/users")
		var got []any
		for _, u := range f.sim.Users() {
			got = append(got, map[string]any{"id": u.ID, "name": u.Name, "pictureUrl": u.PictureURL, "statusMessage": u.StatusMessage})
		}
		var body []any
		if err := json.Unmarshal([]byte(resp.body), &body); err != nil || resp.status != http.StatusOK || !reflect.DeepEqual(body, got) {
			t.Errorf("status %d, body %s (%v); want 200 and the %d demo users", resp.status, resp.body, err, len(got))
		}
	})

	created := []struct {
		name   string
		body   string
		wantID string // "" = generated
	}{
		{"generated ID", `{"name":"Haru Ito"}`, ""},
		{"given ID", `{"name":"Sora Kimura","id":"U0123456789abcdef0123456789abcdef"}`, "U0123456789abcdef0123456789abcdef"},
	}
	for _, tt := range created {
		t.Run("create with "+tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := f.sendJSON("POST", "/sim/api/users", tt.body)
			if resp.status != http.StatusCreated {
				t.Fatalf("status %d, body %s", resp.status, resp.body)
			}
			got := resp.json(t)
			id, _ := got["id"].(string)
			if !userIDPattern.MatchString(id) || (tt.wantID != "" && id != tt.wantID) {
				t.Errorf("id = %q, want %q or U + 32 hex", id, tt.wantID)
			}
			if got["pictureUrl"] != f.base+"/sim/avatar/"+id {
				t.Errorf("pictureUrl = %v", got["pictureUrl"])
			}
			users := f.sim.Users()
			if last := users[len(users)-1]; last.ID != id || last.Name != got["name"] {
				t.Errorf("last user = %+v, want the created %v", last, got)
			}
		})
	}

	refusals := []struct {
		name, body, wantMessage string
	}{
		{"empty name", `{"name":""}`, "user name is required"},
		{"blank name", `{"name":"   "}`, "user name is required"},
		{"ID too short", `{"name":"A","id":"U123"}`, `user ID "U123" must be U followed by 32 lowercase hex digits`},
		{"ID with upper-case hex", `{"name":"A","id":"U0123456789ABCDEF0123456789abcdef"}`, `user ID "U0123456789ABCDEF0123456789abcdef" must be U followed by 32 lowercase hex digits`},
		{"duplicate ID", `{"name":"A","id":"Udc3a0a12e4fd77b99956a97f9e727a12"}`, "user Udc3a0a12e4fd77b99956a97f9e727a12 already exists"},
		{"name too long", `{"name":"abcdefghijklmnopqrstu"}`, "user name is 21 characters; LINE allows at most 20"},
		{"unknown field", `{"name":"A","role":"admin"}`, `invalid JSON body: json: unknown field "role"`},
		{"not JSON", `{`, "invalid JSON body: unexpected EOF"},
		{"two objects", `{"name":"A"}{"name":"B"}`, "invalid JSON body: more than one JSON value"},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.sim.Users()
			assertMessage(t, f.sendJSON("POST", "/sim/api/users", tt.body), http.StatusBadRequest, tt.wantMessage)
			if after := f.sim.Users(); !reflect.DeepEqual(after, before) {
				t.Errorf("users changed: %d before, %d after", len(before), len(after))
			}
		})
	}
}

func TestControlAPIFriendships(t *testing.T) {
	t.Run("set and get", func(t *testing.T) {
		f := newFixture(t)
		user, bot := f.demo.Developer.ID, f.demo.OfficialAccount.BotID
		for _, status := range []string{"blocked", "friend", "none"} {
			resp := f.sendJSON("PUT", "/sim/api/friendships", `{"userId":"`+user+`","botId":"`+bot+`","status":"`+status+`"}`)
			if resp.status != http.StatusNoContent || resp.body != "" {
				t.Fatalf("PUT %s: status %d, body %q", status, resp.status, resp.body)
			}
			got := f.get("/sim/api/friendships?" + url.Values{"userId": {user}, "botId": {bot}}.Encode())
			if got.status != http.StatusOK || !reflect.DeepEqual(got.json(t), map[string]any{"status": status}) {
				t.Errorf("GET after PUT %s: status %d, body %s", status, got.status, got.body)
			}
			if f.sim.Friendship(user, bot) != linesim.Friendship(status) {
				t.Errorf("Friendship() = %q, want %q", f.sim.Friendship(user, bot), status)
			}
		}
	})

	refusals := []struct {
		name        string
		body        func(f *fixture) string
		wantMessage string
	}{
		{"unknown user", func(f *fixture) string {
			return `{"userId":"U00000000000000000000000000000000","botId":"` + f.demo.OfficialAccount.BotID + `","status":"friend"}`
		}, `unknown user "U00000000000000000000000000000000"`},
		{"unknown account", func(f *fixture) string {
			return `{"userId":"` + f.demo.Developer.ID + `","botId":"Uffffffffffffffffffffffffffffffff","status":"friend"}`
		}, `unknown official account "Uffffffffffffffffffffffffffffffff"`},
		{"unknown status", func(f *fixture) string {
			return `{"userId":"` + f.demo.Developer.ID + `","botId":"` + f.demo.OfficialAccount.BotID + `","status":"enemy"}`
		}, `friendship "enemy" must be "friend", "blocked" or "none"`},
		{"no status", func(f *fixture) string {
			return `{"userId":"` + f.demo.Developer.ID + `","botId":"` + f.demo.OfficialAccount.BotID + `"}`
		}, `friendship "" must be "friend", "blocked" or "none"`},
		{"not JSON", func(*fixture) string { return "friend" }, "invalid JSON body: invalid character 'r' in literal false (expecting 'a')"},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			f := newFixture(t)
			assertMessage(t, f.sendJSON("PUT", "/sim/api/friendships", tt.body(f)), http.StatusBadRequest, tt.wantMessage)
			if got := f.sim.Friendship(f.demo.Developer.ID, f.demo.OfficialAccount.BotID); got != linesim.FriendshipNone {
				t.Errorf("friendship changed to %q", got)
			}
		})
	}

	t.Run("get unknown user", func(t *testing.T) {
		f := newFixture(t)
		resp := f.get("/sim/api/friendships?" + url.Values{"userId": {"Unobody"}, "botId": {f.demo.OfficialAccount.BotID}}.Encode())
		assertMessage(t, resp, http.StatusBadRequest, `unknown user "Unobody"`)
	})
}

func TestControlPage(t *testing.T) {
	t.Run("lists users, accounts, channels and friendships", func(t *testing.T) {
		f := newFixture(t)
		resp := f.get("/sim/")
		if resp.status != http.StatusOK {
			t.Fatalf("status %d", resp.status)
		}
		doc := resp.doc(t)
		if got := doc.Find("h1").Text(); got != "LINE platform simulator" {
			t.Errorf("h1 = %q", got)
		}
		for _, u := range f.sim.Users() {
			row := doc.Find("#users tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), u.ID) })
			if row.Length() != 1 || !strings.Contains(row.Text(), u.Name) {
				t.Errorf("no users row with %s and %s", u.ID, u.Name)
			}
			if src, _ := row.Find("img").Attr("src"); src != u.PictureURL {
				t.Errorf("avatar of %s = %q", u.Name, src)
			}
		}
		oa := f.demo.OfficialAccount
		if text := doc.Find("#accounts").Text(); !strings.Contains(text, oa.Name) || !strings.Contains(text, oa.BasicID) || !strings.Contains(text, oa.BotID) {
			t.Errorf("accounts section misses the demo account: %q", text)
		}
		if text := doc.Find("#channels").Text(); !strings.Contains(text, portalChannelID) || !strings.Contains(text, portalCallback) || !strings.Contains(text, otherChannelID) {
			t.Errorf("channels section misses a channel: %q", text)
		}
		if strings.Contains(resp.body, portalSecret) {
			t.Errorf("the page shows a channel secret")
		}
		wantSelected := map[string]string{
			f.demo.Developer.ID:                 "none",
			f.demo.OrganizationAdministrator.ID: "friend",
			f.demo.DeveloperAndAdministrator.ID: "blocked",
			f.demo.Operator.ID:                  "friend",
		}
		for userID, want := range wantSelected {
			form := doc.Find(`#friendships form:has(input[name="user"][value="` + userID + `"])`)
			if got := form.Find("option[selected]").AttrOr("value", ""); got != want {
				t.Errorf("friendship of %s selected %q, want %q", userID, got, want)
			}
		}
	})

	t.Run("create a user", func(t *testing.T) {
		f := newFixture(t)
		resp := f.postForm("/sim/users", url.Values{"name": {"Haru Ito"}, "id": {""}})
		if resp.status != http.StatusSeeOther || resp.location() != "/sim/" {
			t.Fatalf("status %d, Location %q; want 303 to /sim/", resp.status, resp.location())
		}
		if users := f.sim.Users(); len(users) != 5 || users[4].Name != "Haru Ito" {
			t.Errorf("users = %+v", users)
		}
	})

	t.Run("set a friendship", func(t *testing.T) {
		f := newFixture(t)
		user, bot := f.demo.Developer.ID, f.demo.OfficialAccount.BotID
		resp := f.postForm("/sim/friendships", url.Values{"user": {user}, "bot": {bot}, "status": {"blocked"}})
		if resp.status != http.StatusSeeOther || resp.location() != "/sim/" {
			t.Fatalf("status %d, Location %q; want 303 to /sim/", resp.status, resp.location())
		}
		if got := f.sim.Friendship(user, bot); got != linesim.FriendshipBlocked {
			t.Errorf("friendship = %q, want blocked", got)
		}
	})

	refusals := []struct {
		name, path  string
		form        func(f *fixture) url.Values
		wantProblem string
	}{
		{"user without a name", "/sim/users", func(*fixture) url.Values {
			return url.Values{"name": {""}, "id": {"U0123456789abcdef0123456789abcdef"}}
		}, "user name is required"},
		{"user with a bad ID", "/sim/users", func(*fixture) url.Values { return url.Values{"name": {"Haru"}, "id": {"haru"}} }, `user ID "haru" must be U followed by 32 lowercase hex digits`},
		{"friendship with a bad status", "/sim/friendships", func(f *fixture) url.Values {
			return url.Values{"user": {f.demo.Developer.ID}, "bot": {f.demo.OfficialAccount.BotID}, "status": {"enemy"}}
		}, `friendship "enemy" must be "friend", "blocked" or "none"`},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			f := newFixture(t)
			form := tt.form(f)
			resp := f.postForm(tt.path, form)
			if resp.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.status)
			}
			doc := resp.doc(t)
			if got := doc.Find(".problem").Text(); got != tt.wantProblem {
				t.Errorf("problem = %q, want %q", got, tt.wantProblem)
			}
			if form.Has("name") && doc.Find(`input[name="id"]`).AttrOr("value", "") != form.Get("id") {
				t.Errorf("the refused input was not kept")
			}
			if n := len(f.sim.Users()); n != 4 {
				t.Errorf("%d users, want 4", n)
			}
			if got := f.sim.Friendship(f.demo.Developer.ID, f.demo.OfficialAccount.BotID); got != linesim.FriendshipNone {
				t.Errorf("friendship changed to %q", got)
			}
		})
	}
}

func TestAvatar(t *testing.T) {
	tests := []struct {
		name       string
		path       func(f *fixture) string
		wantStatus int
		wantParts  []string
	}{
		{"default size", func(f *fixture) string { return "/sim/avatar/" + f.demo.Developer.ID }, 200, []string{`width="200"`, ">AT</text>"}},
		{"large", func(f *fixture) string { return "/sim/avatar/" + f.demo.OrganizationAdministrator.ID + "/large" }, 200, []string{`width="200"`, ">KS</text>"}},
		{"small", func(f *fixture) string { return "/sim/avatar/" + f.demo.Operator.ID + "/small" }, 200, []string{`width="51"`, ">MO</text>"}},
		{"name with markup is escaped", func(f *fixture) string {
			u, err := f.sim.AddUser(linesim.User{Name: "<b> & co"})
			if err != nil {
				f.t.Fatal(err)
			}
			return "/sim/avatar/" + u.ID
		}, 200, []string{">&lt;&amp;</text>"}},
		{"unknown size", func(f *fixture) string { return "/sim/avatar/" + f.demo.Developer.ID + "/huge" }, 404, nil},
		{"unknown user", func(*fixture) string { return "/sim/avatar/U00000000000000000000000000000000" }, 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := f.get(tt.path(f))
			if resp.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.status, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			if ct := resp.header.Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, part := range tt.wantParts {
				if !strings.Contains(resp.body, part) {
					t.Errorf("SVG %s lacks %s", resp.body, part)
				}
			}
		})
	}
}

func TestEveryResponseHasARequestID(t *testing.T) {
	f := newFixture(t)
	// The client's transport checks the header on every response; these add
	// responses no other test asks for.
	seen := map[string]bool{}
	for _, path := range []string{"/no/such/path", "/oauth2/v2.1/certs", "/sim/", "/oauth2/v2.1/verify"} {
		resp := f.get(path)
		id := resp.header.Get("x-line-request-id")
		if seen[id] {
			t.Errorf("request ID %q repeated", id)
		}
		seen[id] = true
	}
	if resp := f.request(http.MethodDelete, "/oauth2/v2.1/token", nil, nil); resp.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE token: status %d, want 405", resp.status)
	}
}
