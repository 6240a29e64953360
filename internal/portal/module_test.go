package portal_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"lineportal/internal/portal"
)

const (
	goodSecret = "8c570fa6dd201bb328f1c1eac23a96d8"
	goodToken  = "eyJhbGciOiJIUzI1NiJ9.token-value_with+chars/="
	botA       = "U5fac33f633e72c192759f09afc41fa28"
	botB       = "U53387d548170020e6cedef5f41d1e01d"
	// userOfA is a module-scoped user ID of botA's chat.
	userOfA = "LUb577ef3cbe786a8da85ff8e902a03fc6-" + botA
)

func TestCheckModuleCredentials(t *testing.T) {
	const secretMsg = "Enter the channel secret shown on the channel's Basic settings tab in the LINE Developers Console: 32 characters, 0–9 and a–f."
	const tokenWord = "The channel access token is one word with no spaces: copy it again from the LINE Developers Console."
	tests := []struct {
		name, secret, token string
		code, message       string
		field               string
	}{
		{"OK", goodSecret, goodToken, "", "", ""},
		{"OK with spaces around both", "  " + goodSecret + "\n", " " + goodToken + "\t", "", "", ""},
		{"secret missing", "", goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		{"secret 31 characters", goodSecret[:31], goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		{"secret 33 characters", goodSecret + "0", goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		{"secret in upper case", strings.ToUpper(goodSecret), goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		{"secret not hex", "g" + goodSecret[1:], goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		{"secret with an inner space", goodSecret[:16] + " " + goodSecret[17:], goodToken, portal.EINVALID, secretMsg, "channel_secret"},
		// No token: the portal issues stateless tokens (issue 13).
		{"OK without a token", goodSecret, "", "", "", ""},
		{"OK with only spaces for a token", goodSecret, "   ", "", "", ""},
		{"token with an inner space", goodSecret, "abc def", portal.EINVALID, tokenWord, "access_token"},
		{"token with a control character", goodSecret, "abc\x00def", portal.EINVALID, tokenWord, "access_token"},
		{"token with a newline", goodSecret, "abc\ndef", portal.EINVALID, tokenWord, "access_token"},
		{"token too long", goodSecret, strings.Repeat("a", 2049), portal.EINVALID, tokenWord, "access_token"},
		{"secret checked before token", "x", "", portal.EINVALID, secretMsg, "channel_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := portal.CheckModuleCredentials(tt.secret, tt.token)
			check(t, err, tt.code, tt.message)
			if tt.field != "" {
				if e, ok := err.(*portal.Error); !ok || e.Fields[tt.field] == "" {
					t.Errorf("field %q not set: %#v", tt.field, err)
				}
			}
		})
	}
}

func TestCheckNewModuleChannel(t *testing.T) {
	ok := func() portal.Channel {
		return portal.Channel{Kind: portal.KindModule, LINEChannelID: "2000000101", Name: "Chat module", Region: portal.RegionJapan, Provider: portal.Provider{ID: 3}}
	}
	check(t, portal.CheckNewModuleChannel(ok(), goodSecret, goodToken), "", "")
	notModule := ok()
	notModule.Kind = portal.KindMessagingAPI
	check(t, portal.CheckNewModuleChannel(notModule, goodSecret, goodToken), portal.EINVALID, "Only a module channel is registered with its credentials here.")
	badID := ok()
	badID.LINEChannelID = "12"
	check(t, portal.CheckNewModuleChannel(badID, goodSecret, goodToken), portal.EINVALID, "Enter the channel ID shown in the LINE Developers Console: 10 digits.")
	check(t, portal.CheckNewModuleChannel(ok(), "nope", goodToken), portal.EINVALID,
		"Enter the channel secret shown on the channel's Basic settings tab in the LINE Developers Console: 32 characters, 0–9 and a–f.")
}

func TestCanSetCredentials(t *testing.T) {
	module := portal.Channel{Kind: portal.KindModule}
	check(t, portal.CanSetCredentials(portal.RoleAdmin, module), "", "")
	check(t, portal.CanSetCredentials(portal.RoleAdmin, portal.Channel{Kind: portal.KindMessagingAPI}), "", "")
	check(t, portal.CanSetCredentials(portal.RoleMember, module), portal.EFORBIDDEN, "Only an Admin of this channel can change its credentials.")
	check(t, portal.CanSetCredentials(portal.RoleNone, module), portal.EFORBIDDEN, "Only an Admin of this channel can change its credentials.")
	check(t, portal.CanSetCredentials(portal.RoleAdmin, portal.Channel{Kind: portal.KindMiniApp}), portal.EINVALID,
		"Only a module or Messaging API channel has credentials in the portal; this is a LINE MINI App channel.")
}

func TestModuleCredentialsNeverPrint(t *testing.T) {
	c := portal.ModuleCredentials{ChannelID: 3, LINEChannelID: "2000000101", ChannelSecret: goodSecret, AccessToken: goodToken}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "credentials", c)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "credentials", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c), fmt.Sprintf("%+v", &c), logs.String()} {
		if strings.Contains(out, goodSecret) || strings.Contains(out, "token-value") {
			t.Fatalf("credentials printed: %s", out)
		}
		if !strings.Contains(out, "2000000101") {
			t.Errorf("the channel is not named: %s", out)
		}
	}
}

// attached is a current attachment of botA with the scopes.
func attached(scopes ...string) portal.ModuleAttachment {
	return portal.ModuleAttachment{ID: 1, ChannelID: 7, Bot: portal.BotProfile{BotID: botA, DisplayName: "Sakura Cafe"}, Scopes: scopes,
		State: portal.Attached, AttachedAt: issued}
}

func TestAttachmentUsable(t *testing.T) {
	a := attached(portal.ScopeMessageReceive)
	check(t, a.Usable(), "", "")
	suspended := a
	suspended.Suspended = true
	check(t, suspended.Usable(), portal.EUNAVAILABLE, "This admin screen can't be used because the LINE Official Account is unavailable")
	detached := portal.DetachBot(a, portal.DetachBotDeleted, issued)
	check(t, detached.Usable(), portal.ECONFLICT, "The module channel is no longer attached to Sakura Cafe.")
}

func TestCanDetach(t *testing.T) {
	a := attached()
	check(t, portal.CanDetach(portal.RoleAdmin, a), "", "")
	check(t, portal.CanDetach(portal.RoleMember, a), portal.EFORBIDDEN, "Only an Admin of this channel can detach it.")
	check(t, portal.CanDetach(portal.RoleNone, a), portal.EFORBIDDEN, "Only an Admin of this channel can detach it.")
	s := a
	s.Suspended = true
	check(t, portal.CanDetach(portal.RoleAdmin, s), portal.EUNAVAILABLE, oaUnavailable)
	check(t, portal.CanDetach(portal.RoleMember, s), portal.EFORBIDDEN, "Only an Admin of this channel can detach it.")
	check(t, portal.CanDetach(portal.RoleAdmin, portal.DetachBot(a, portal.DetachByAdmin, issued)), portal.ECONFLICT,
		"The module channel is no longer attached to Sakura Cafe.")
}

func TestCanManageChats(t *testing.T) {
	const forbidden = "Only an Admin of this channel can take or release chat control."
	a := attached("message:send")
	suspended := a
	suspended.Suspended = true
	tests := []struct {
		name    string
		role    portal.ChannelRole
		a       portal.ModuleAttachment
		code    string
		message string
	}{
		{"OK without message:receive", portal.RoleAdmin, a, "", ""},
		{"OK with message:receive", portal.RoleAdmin, attached(portal.ScopeMessageReceive), "", ""},
		{"Member", portal.RoleMember, a, portal.EFORBIDDEN, forbidden},
		{"no role", portal.RoleNone, a, portal.EFORBIDDEN, forbidden},
		{"Member of a suspended bot", portal.RoleMember, suspended, portal.EFORBIDDEN, forbidden},
		{"suspended", portal.RoleAdmin, suspended, portal.EUNAVAILABLE, oaUnavailable},
		{"detached", portal.RoleAdmin, portal.DetachBot(a, portal.DetachOther, issued), portal.ECONFLICT, "The module channel is no longer attached to Sakura Cafe."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, portal.CanManageChats(tt.role, tt.a), tt.code, tt.message) })
	}
}

func TestCanControlChat(t *testing.T) {
	const chatIDMsg = "Enter the chat's ID: the 68-character L… user ID of this account's chat (listed under Followers), or a group or room ID (C or R followed by 32 hex digits)."
	// A user's own ID names the chat the module sees under an L… ID: LINE
	// would report control of it under that ID, and one chat would be two.
	const userIDMsg = "Enter the user's ID as this module channel sees it: the 68-character L… ID ending in -" + botA +
		", as listed under Followers. LINE reports a user's chat to a module under that ID, not the U… user ID."
	a := attached("message:send", portal.ScopeMessageReceive)
	suspended := a
	suspended.Suspended = true
	tests := []struct {
		name    string
		role    portal.ChannelRole
		a       portal.ModuleAttachment
		chatID  string
		code    string
		message string
	}{
		{"OK module user ID", portal.RoleAdmin, a, userOfA, "", ""},
		{"a user's own ID", portal.RoleAdmin, a, "Ub577ef3cbe786a8da85ff8e902a03fc6", portal.EINVALID, userIDMsg},
		{"OK group ID", portal.RoleAdmin, a, "Ca56f94637cc4347f90a25382909b24b9", "", ""},
		{"OK room ID", portal.RoleAdmin, a, "Ra8dbf4673c4c812cd491258042226c99", "", ""},
		{"Member", portal.RoleMember, a, userOfA, portal.EFORBIDDEN, "Only an Admin of this channel can take or release chat control."},
		{"suspended", portal.RoleAdmin, suspended, userOfA, portal.EUNAVAILABLE, oaUnavailable},
		{"detached", portal.RoleAdmin, portal.DetachBot(a, portal.DetachOther, issued), userOfA, portal.ECONFLICT, "The module channel is no longer attached to Sakura Cafe."},
		{"no message:receive", portal.RoleAdmin, attached("message:send"), userOfA, portal.EINVALID,
			"The module channel can't take chat control in this account's chats: the account's admin did not grant it the message:receive permission when attaching."},
		{"scopes not known (from the bot list)", portal.RoleAdmin, attached(), userOfA, "", ""},
		{"empty chat", portal.RoleAdmin, a, "", portal.EINVALID, chatIDMsg},
		{"upper-case hex", portal.RoleAdmin, a, "UB577EF3CBE786A8DA85FF8E902A03FC6", portal.EINVALID, chatIDMsg},
		{"another bot's module user ID", portal.RoleAdmin, a, "LUb577ef3cbe786a8da85ff8e902a03fc6-" + botB, portal.EINVALID, chatIDMsg},
		{"bot ID instead of a chat", portal.RoleAdmin, a, "X" + botA[1:], portal.EINVALID, chatIDMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, portal.CanControlChat(tt.role, tt.a, tt.chatID), tt.code, tt.message) })
	}
}

func TestCanStartAndRecordAttach(t *testing.T) {
	module := portal.Channel{Kind: portal.KindModule}
	check(t, portal.CanStartAttach(portal.RoleAdmin, module), "", "")
	check(t, portal.CanStartAttach(portal.RoleMember, module), portal.EFORBIDDEN, "Only an Admin of this channel can attach it to a LINE Official Account.")
	check(t, portal.CanStartAttach(portal.RoleAdmin, portal.Channel{Kind: portal.KindLogin}), portal.EINVALID,
		"Only a module channel attaches to LINE Official Accounts; this is a LINE Login channel.")

	bot := portal.AttachedBot{BotID: botA, Scopes: []string{"message:send"}}
	check(t, portal.CanRecordAttachment(portal.RoleAdmin, module, bot), "", "")
	check(t, portal.CanRecordAttachment(portal.RoleMember, module, bot), portal.EFORBIDDEN, "Only an Admin of this channel can attach it to a LINE Official Account.")
	check(t, portal.CanRecordAttachment(portal.RoleAdmin, portal.Channel{Kind: portal.KindMiniApp}, bot), portal.EINVALID,
		"Only a module channel attaches to LINE Official Accounts; this is a LINE MINI App channel.")
	check(t, portal.CanRecordAttachment(portal.RoleAdmin, module, portal.AttachedBot{BotID: "U123"}), portal.EINVALID,
		"LINE returned a bot ID that is not one (U followed by 32 hex digits); try attaching again.")
}

func TestCheckChatControlTTL(t *testing.T) {
	const msg = "The time limit must be a whole number of seconds from 1 second to 1 year, or none."
	tests := []struct {
		ttl  time.Duration
		want string
	}{
		{0, ""},
		{time.Second, ""},
		{time.Hour, ""},
		{365 * 24 * time.Hour, ""},
		{365*24*time.Hour + time.Second, msg},
		{500 * time.Millisecond, msg},
		{1500 * time.Millisecond, msg},
		{-time.Second, msg},
	}
	for _, tt := range tests {
		t.Run(tt.ttl.String(), func(t *testing.T) {
			code := ""
			if tt.want != "" {
				code = portal.EINVALID
			}
			check(t, portal.CheckChatControlTTL(tt.ttl), code, tt.want)
		})
	}
	if got := portal.ChatControlExpiry(issued, 0); !got.IsZero() {
		t.Errorf("no time limit expires at %v", got)
	}
	if got := portal.ChatControlExpiry(issued, time.Hour); !got.Equal(issued.Add(time.Hour)) {
		t.Errorf("one hour expires at %v", got)
	}
}

func TestDetachReasonsReadAsSentences(t *testing.T) {
	want := map[portal.DetachReason]string{
		portal.DetachBotDeleted: "The LINE Official Account was deleted, with all its data.",
		portal.DetachEndedUse:   "The Official Account ended its use of the module.",
		portal.DetachByAdmin:    "An Admin of the module channel detached it.",
		portal.DetachOther:      "LINE reported the module detached.",
	}
	for r, s := range want {
		if r.String() != s {
			t.Errorf("%q reads %q, want %q", string(r), r.String(), s)
		}
	}
}

func TestAttachmentStatus(t *testing.T) {
	a := attached()
	if a.Status() != "Attached" {
		t.Errorf("status %q", a.Status())
	}
	a.Suspended = true
	if a.Status() != "Suspended" {
		t.Errorf("status %q", a.Status())
	}
	if d := portal.DetachBot(a, portal.DetachEndedUse, issued); d.Status() != "Detached" || d.Suspended {
		t.Errorf("status %q, suspended %v", d.Status(), d.Suspended)
	}
}

func TestAttachmentName(t *testing.T) {
	a := portal.ModuleAttachment{Bot: portal.BotProfile{BotID: botA}}
	if a.Name() != botA {
		t.Errorf("name %q", a.Name())
	}
	a.Bot.BasicID = "@sakuracafe"
	if a.Name() != "@sakuracafe" {
		t.Errorf("name %q", a.Name())
	}
	a.Bot.DisplayName = "Sakura Cafe"
	if a.Name() != "Sakura Cafe" {
		t.Errorf("name %q", a.Name())
	}
}

func TestChatControlUnderControl(t *testing.T) {
	c := portal.ChatControl{Active: true, ExpireAt: issued.Add(time.Hour)}
	if !c.UnderControl(issued) || c.UnderControl(issued.Add(time.Hour)) {
		t.Error("expiry not honoured")
	}
	if !(portal.ChatControl{Active: true}).UnderControl(issued.Add(100 * 365 * 24 * time.Hour)) {
		t.Error("no time limit ended")
	}
	if (portal.ChatControl{}).UnderControl(issued) {
		t.Error("inactive control counts")
	}
}

func TestCanRecordDetach(t *testing.T) {
	attached := portal.ModuleAttachment{State: portal.Attached}
	detachedByLINE := portal.ModuleAttachment{State: portal.Detached, DetachReason: portal.DetachOther}
	suspended := portal.ModuleAttachment{State: portal.Attached, Suspended: true}
	cases := []struct {
		name     string
		role     portal.ChannelRole
		a        portal.ModuleAttachment
		wantCode string
	}{
		{"attached, Admin", portal.RoleAdmin, attached, ""},
		{"LINE's webhook came first", portal.RoleAdmin, detachedByLINE, ""},
		{"LINE's webhook came first, Member", portal.RoleMember, detachedByLINE, portal.EFORBIDDEN},
		{"suspended", portal.RoleAdmin, suspended, portal.EUNAVAILABLE},
		{"detached already by an Admin", portal.RoleAdmin, portal.ModuleAttachment{State: portal.Detached, DetachReason: portal.DetachByAdmin}, portal.ECONFLICT},
		{"Member", portal.RoleMember, attached, portal.EFORBIDDEN},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := portal.ErrorCode(portal.CanRecordDetach(c.role, c.a)); got != c.wantCode {
				t.Fatalf("code %q, want %q", got, c.wantCode)
			}
		})
	}
}

func TestCanRegisterUnderProvider(t *testing.T) {
	const msg = "You can register a channel only under a provider you work in (you have a role on one of its channels), or under a new provider."
	check(t, portal.CanRegisterUnderProvider(true), "", "")
	err := portal.CanRegisterUnderProvider(false)
	check(t, err, portal.EFORBIDDEN, msg)
	if got := portal.ErrorFields(err)["provider_id"]; got != string(portal.RProviderNotYours) {
		t.Errorf("provider_id field: %q", got)
	}
}

func TestCheckAttachRequest(t *testing.T) {
	known := []string{"message:send", "message:receive", "profile:read"}
	tests := []struct {
		name          string
		region        string
		scopes        []string
		brandTypes    []string
		code, message string
		field         string
	}{
		{"OK", "JP", []string{"message:send", "message:receive"}, nil, "", "", ""},
		{"OK Taiwan with account types", "TW", []string{"profile:read"}, []string{"premium", "unverified"}, "", "", ""},
		{"no region", "", []string{"message:send"}, nil, portal.EINVALID, "Choose the region: Japan or Taiwan.", "region"},
		{"Thailand", "TH", []string{"message:send"}, nil, portal.EINVALID, "Choose the region: Japan or Taiwan.", "region"},
		{"lower case region", "jp", []string{"message:send"}, nil, portal.EINVALID, "Choose the region: Japan or Taiwan.", "region"},
		{"no scope", "JP", nil, nil, portal.EINVALID, "Choose at least one permission to ask the account's administrator for.", "scope"},
		{"unknown scope", "JP", []string{"message:send", "crm:manage"}, nil, portal.EINVALID,
			`LINE has no permission (scope) named "crm:manage". Choose among those listed.`, "scope"},
		{"scope twice", "JP", []string{"message:send", "message:send"}, nil, portal.EINVALID, `The permission "message:send" is chosen twice.`, "scope"},
		{"unknown account type", "JP", []string{"message:send"}, []string{"gold"}, portal.EINVALID,
			`LINE has no account type "gold". Choose premium, verified or unverified, or none for every type.`, "brand_type"},
		{"account type twice", "JP", []string{"message:send"}, []string{"verified", "verified"}, portal.EINVALID,
			`The account type "verified" is chosen twice.`, "brand_type"},
		{"region checked first", "XX", []string{"nope"}, []string{"gold"}, portal.EINVALID, "Choose the region: Japan or Taiwan.", "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := portal.CheckAttachRequest(tt.region, tt.scopes, tt.brandTypes, known)
			check(t, err, tt.code, tt.message)
			if tt.field != "" && portal.ErrorFields(err)[tt.field] == "" {
				t.Errorf("field %q not set: %#v", tt.field, err)
			}
		})
	}
	t.Run("the known scopes are the caller's", func(t *testing.T) {
		check(t, portal.CheckAttachRequest("JP", []string{"message:send"}, nil, nil), portal.EINVALID,
			`LINE has no permission (scope) named "message:send". Choose among those listed.`)
	})
}
