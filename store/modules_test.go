package store_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

const (
	moduleSecret = "8c570fa6dd201bb328f1c1eac23a96d8"
	moduleToken  = "module-channel-access-token-4f2a9c"
	botA         = "U5fac33f633e72c192759f09afc41fa28"
	botB         = "U53387d548170020e6cedef5f41d1e01d"
	// userX and userY are users as module channels see them: per account.
	userXofA = "LUb577ef3cbe786a8da85ff8e902a03fc6-" + botA
	userYofA = "LU4af4980629e2f7a6c5d2a3b1c0d9e8f7-" + botA
	userXofB = "LUb577ef3cbe786a8da85ff8e902a03fc6-" + botB
	groupC   = "Ca56f94637cc4347f90a25382909b24b9"
)

func newBox(t *testing.T, seed byte) *secret.Box {
	t.Helper()
	box, err := secret.New([32]byte{seed, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// moduleFixture is a fixture with a module channel of dev's, registered
// with moduleSecret and moduleToken.
type moduleFixture struct {
	*fixture
	box   *secret.Box
	path  string
	ch    portal.Channel
	mia   portal.Admin // a Member of ch
	seq   atomic.Int64 // webhook event IDs
	lines int          // LINE channel IDs
}

func newModuleFixture(t *testing.T) *moduleFixture {
	t.Helper()
	db, path := mustOpen(t)
	f := &fixture{db: db, raw: rawDB(t, path), clock: &clock{t: start}}
	db.Now = f.clock.Now
	f.dev = f.admin(t, "Udev", "Dev")
	f.boss = f.admin(t, "Uboss", "Boss")
	f.op = f.admin(t, "Uop", "Olivia")
	f.op.Operator = true
	m := &moduleFixture{fixture: f, box: newBox(t, 7), path: path}
	// The first channel creates the provider; later ones join it (dev now
	// works in it).
	f.provider = portal.Provider{Name: "Acme Provider"}
	m.ch = m.register(t)
	f.provider = m.ch.Provider
	m.mia = f.admin(t, "Umia", "Mia")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, m.ch.ID, m.mia.ID, portal.RoleMember))
	return m
}

// register registers another module channel of dev's.
func (m *moduleFixture) register(t *testing.T) portal.Channel {
	t.Helper()
	m.lines++
	ch, err := m.db.RegisterModuleChannel(ctx, m.box, m.dev, portal.Channel{
		Provider: m.provider, Kind: portal.KindModule, LINEChannelID: fmt.Sprintf("%010d", 2_000_000_100+m.lines), Name: "Chat module", Region: portal.RegionJapan,
	}, moduleSecret, moduleToken, time.Time{})

	if err != nil {
		t.Fatalf("RegisterModuleChannel: %v", err)
	}
	return ch
}

// ev is a webhook event about botA at start plus n seconds, with a fresh
// webhookEventId and a payload naming it.
func (m *moduleFixture) ev(typ string, n int) portal.WebhookEvent {
	id := fmt.Sprintf("01TEST%020d", m.seq.Add(1))
	return portal.WebhookEvent{
		WebhookEventID: id, Type: typ, Mode: "active", Destination: botA, BotID: botA,
		Timestamp: start.Add(time.Duration(n) * time.Second),
		Payload:   fmt.Sprintf(`{"type":%q,"webhookEventId":%q}`, typ, id),
	}
}

func (m *moduleFixture) attachedEv(n int, scopes ...string) portal.WebhookEvent {
	e := m.ev(portal.EventModule, n)
	e.ModuleType, e.Scopes = portal.ModuleAttached, scopes
	return e
}

func (m *moduleFixture) detachedEv(n int, reason string) portal.WebhookEvent {
	e := m.ev(portal.EventModule, n)
	e.ModuleType, e.DetachReason = portal.ModuleDetached, reason
	return e
}

func (m *moduleFixture) userEv(typ string, n int, bot, user string) portal.WebhookEvent {
	e := m.ev(typ, n)
	e.Destination, e.BotID, e.Source = bot, bot, portal.EventSource{Type: "user", UserID: user}
	e.Payload = fmt.Sprintf(`{"type":%q,"webhookEventId":%q,"source":{"type":"user","userId":%q}}`, typ, e.WebhookEventID, user)
	return e
}

func (m *moduleFixture) record(t *testing.T, events ...portal.WebhookEvent) portal.WebhookResult {
	t.Helper()
	res, err := m.db.RecordWebhookEvents(ctx, m.ch.ID, events)
	if err != nil {
		t.Fatalf("RecordWebhookEvents: %v", err)
	}
	return res
}

// attach attaches ch to botA with message:receive, as the attach
// callback records it after LINE's code exchange (a webhook alone never
// attaches), then delivers LINE's attached event.
func (m *moduleFixture) attach(t *testing.T) portal.ModuleAttachment {
	t.Helper()
	_, err := m.db.RecordAttachment(ctx, m.dev, m.ch.ID, portal.AttachedBot{BotID: botA, Scopes: []string{"message:send", portal.ScopeMessageReceive}})
	mustNil(t, err)
	m.record(t, m.attachedEv(0, "message:send", portal.ScopeMessageReceive))
	return m.attachment(t, botA)
}

// recordAttachment records, as the attach callback does after LINE's code
// exchange, that admin's channel is attached to bot with scopes: the only
// way besides LINE's bot list (SyncBots) that an attachment begins or
// comes back after a detach.
func (m *moduleFixture) recordAttachment(t *testing.T, admin portal.Admin, channelID int64, bot string, scopes ...string) portal.ModuleAttachment {
	t.Helper()
	a, err := m.db.RecordAttachment(ctx, admin, channelID, portal.AttachedBot{BotID: bot, Scopes: scopes})
	if err != nil {
		t.Fatalf("RecordAttachment: %v", err)
	}
	return a
}

func (m *moduleFixture) attachment(t *testing.T, bot string) portal.ModuleAttachment {
	t.Helper()
	a, err := m.db.FindAttachment(ctx, m.ch.ID, bot)
	if err != nil {
		t.Fatalf("FindAttachment: %v", err)
	}
	return a
}

// moduleSnapshot dumps every table the module side writes, and the audit
// log, for "a refused call changes nothing".
func (m *moduleFixture) moduleSnapshot(t *testing.T) string {
	t.Helper()
	return dbtest.Tables(t, m.raw, "channels", "channel_roles", "channel_credentials", "module_attachments", "module_chat_controls", "webhook_events", "oa_users", "audit_log")
}

// refusesModule asserts that call is refused with code and message and
// changes nothing.
func (m *moduleFixture) refusesModule(t *testing.T, code, message string, call func() error) {
	t.Helper()
	before := m.moduleSnapshot(t)
	err := call()
	if got := portal.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (err: %v)", got, code, err)
	}
	if got := english(err); got != message {
		t.Errorf("message:\n got %q\nwant %q", got, message)
	}
	if after := m.moduleSnapshot(t); after != before {
		t.Errorf("a refused call changed the database:\n%s", lineDiff(before, after))
	}
}

func TestStore_RegisterModuleChannel(t *testing.T) {
	m := newModuleFixture(t)
	t.Run("OK", func(t *testing.T) {
		if m.ch.Kind != portal.KindModule || m.ch.LINEChannelID != "2000000101" || m.ch.Name != "Chat module" {
			t.Fatalf("channel %+v", m.ch)
		}
		access, err := m.db.FindChannelAccess(ctx, m.dev, m.ch.ID)
		mustNil(t, err)
		if access.Role != portal.RoleAdmin {
			t.Errorf("the registering admin's role is %v, want Admin", access.Role)
		}
		creds, err := m.db.FindModuleCredentials(ctx, m.box, m.ch.ID)
		mustNil(t, err)
		if creds.ChannelSecret != moduleSecret || creds.AccessToken != moduleToken || creds.LINEChannelID != "2000000101" || creds.ChannelID != m.ch.ID {
			t.Errorf("credentials did not round-trip: %+v", creds)
		}
		id, s, err := m.db.FindWebhookSecret(ctx, m.box, "2000000101")
		if err != nil || id != m.ch.ID || s != moduleSecret {
			t.Errorf("FindWebhookSecret = %d, %v", id, err)
		}
	})
	t.Run("the secret and token are never stored in clear", func(t *testing.T) {
		var sealedSecret, sealedToken []byte
		mustNil(t, m.raw.QueryRow(`SELECT sealed_secret, sealed_token FROM channel_credentials WHERE channel_id = ?`, m.ch.ID).Scan(&sealedSecret, &sealedToken))
		if len(sealedSecret) != 61 || bytes.Contains(sealedSecret, []byte(moduleSecret)) || bytes.Contains(sealedToken, []byte(moduleToken)) {
			t.Fatalf("sealed values hold the clear text (secret %d bytes)", len(sealedSecret))
		}
		var audit string
		mustNil(t, m.raw.QueryRow(`SELECT string_agg(action || ' ' || before_code || '?' || before_params || ' ' || after_code || '?' || after_params, '\n') FROM audit_log`).Scan(&audit))
		if strings.Contains(audit, moduleSecret) || strings.Contains(audit, moduleToken) {
			t.Fatalf("the audit log holds a credential:\n%s", audit)
		}
		if !strings.Contains(audit, `module.register ? module_channel?Admin=Dev&LINEChannelID=2000000101&Name=Chat+module&Region=JP`) {
			t.Errorf("no registration entry:\n%s", audit)
		}
		// Nothing in the database file or its write-ahead log holds them.
		for _, name := range []string{m.path, m.path + "-wal"} {
			raw, err := os.ReadFile(name)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte(moduleSecret)) || bytes.Contains(raw, []byte(moduleToken)) {
				t.Fatalf("%s holds a credential in clear", filepath.Base(name))
			}
		}
	})
	t.Run("a clear-text secret can't be stored", func(t *testing.T) {
		_, err := m.raw.Exec(`UPDATE channel_credentials SET sealed_secret = ? WHERE channel_id = ?`, []byte(moduleSecret), m.ch.ID)
		if err == nil || !strings.Contains(err.Error(), engineMessage("CHECK constraint failed")) {
			t.Fatalf("clear-text secret stored: %v", err)
		}
	})
	t.Run("another key opens nothing", func(t *testing.T) {
		if _, err := m.db.FindModuleCredentials(ctx, newBox(t, 8), m.ch.ID); portal.ErrorCode(err) != portal.EINTERNAL {
			t.Fatalf("opened with another key: %v", err)
		}
		if _, _, err := m.db.FindWebhookSecret(ctx, newBox(t, 8), "2000000101"); portal.ErrorCode(err) != portal.EINTERNAL {
			t.Fatalf("opened with another key: %v", err)
		}
	})
	t.Run("a sealed value moved to another channel does not open", func(t *testing.T) {
		other := m.register(t)
		_, err := m.raw.Exec(`UPDATE channel_credentials SET sealed_secret = (SELECT sealed_secret FROM channel_credentials WHERE channel_id = ?) WHERE channel_id = ?`, m.ch.ID, other.ID)
		mustNil(t, err)
		if _, err := m.db.FindModuleCredentials(ctx, m.box, other.ID); portal.ErrorCode(err) != portal.EINTERNAL {
			t.Fatalf("a moved secret opened: %v", err)
		}
	})
	t.Run("ErrBadSecret", func(t *testing.T) {
		m.refusesModule(t, portal.EINVALID, "Enter the channel secret shown on the channel's Basic settings tab in the LINE Developers Console: 32 characters, 0–9 and a–f.", func() error {
			_, err := m.db.RegisterModuleChannel(ctx, m.box, m.dev, portal.Channel{Provider: m.provider, Kind: portal.KindModule, LINEChannelID: "2000000199", Name: "X", Region: portal.RegionJapan}, "short", moduleToken, time.Time{})
			return err
		})
	})
	t.Run("ErrDuplicateChannelID", func(t *testing.T) {
		m.refusesModule(t, portal.ECONFLICT, "A channel with the channel ID 2000000101 is already registered in the portal.", func() error {
			_, err := m.db.RegisterModuleChannel(ctx, m.box, m.dev, portal.Channel{Provider: m.provider, Kind: portal.KindModule, LINEChannelID: "2000000101", Name: "X", Region: portal.RegionJapan}, moduleSecret, moduleToken, time.Time{})
			return err
		})
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		_, err := m.db.RegisterModuleChannel(ctx, nil, m.dev, portal.Channel{Provider: m.provider, Kind: portal.KindModule, LINEChannelID: "2000000198", Name: "X", Region: portal.RegionJapan}, moduleSecret, moduleToken, time.Time{})
		if err == nil || portal.ErrorCode(err) != portal.EINTERNAL {
			t.Fatalf("registered without a key: %v", err)
		}
	})
	t.Run("ErrUnknownChannel", func(t *testing.T) {
		if _, _, err := m.db.FindWebhookSecret(ctx, m.box, "2999999999"); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("unknown channel: %v", err)
		}
		plain := m.channel(t, portal.Channel{Kind: portal.KindModule})
		if _, _, err := m.db.FindWebhookSecret(ctx, m.box, plain.LINEChannelID); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("channel without credentials: %v", err)
		}
	})
}

func TestStore_SetChannelCredentials(t *testing.T) {
	m := newModuleFixture(t)
	const newSecret = "0123456789abcdef0123456789abcdef"
	t.Run("ErrMember", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, "Only an Admin of this channel can change its credentials.", func() error {
			return m.db.SetChannelCredentials(ctx, m.box, m.mia, m.ch.ID, newSecret, "t2", time.Time{})
		})
	})
	t.Run("ErrMiniApp", func(t *testing.T) {
		mini := m.channel(t, portal.Channel{})
		m.refusesModule(t, portal.EINVALID, "Only a module or Messaging API channel has credentials in the portal; this is a LINE MINI App channel.", func() error {
			return m.db.SetChannelCredentials(ctx, m.box, m.dev, mini.ID, newSecret, "t2", time.Time{})
		})
	})
	t.Run("OK", func(t *testing.T) {
		mark := m.auditMark(t)
		mustNil(t, m.db.SetChannelCredentials(ctx, m.box, m.dev, m.ch.ID, " "+newSecret+" ", "t2", time.Time{}))
		_, s, err := m.db.FindWebhookSecret(ctx, m.box, m.ch.LINEChannelID)
		if err != nil || s != newSecret {
			t.Fatalf("webhook secret after the change: %v", err)
		}
		m.assertAudit(t, mark, "module.credentials_set channel: credentials → new_credentials")
	})
	t.Run("OK Messaging API channel", func(t *testing.T) {
		ch := m.channel(t, portal.Channel{Kind: portal.KindMessagingAPI})
		mark := m.auditMark(t)
		mustNil(t, m.db.SetChannelCredentials(ctx, m.box, m.dev, ch.ID, newSecret, "t3", time.Time{}))
		if id, _, err := m.db.FindWebhookSecret(ctx, m.box, ch.LINEChannelID); err != nil || id != ch.ID {
			t.Fatalf("FindWebhookSecret = %d, %v", id, err)
		}
		m.assertAudit(t, mark, "module.credentials_set channel: no_credentials → new_credentials")
	})
}

func TestStore_RecordAttachment(t *testing.T) {
	m := newModuleFixture(t)
	bot := portal.AttachedBot{BotID: botA, Scopes: []string{"message:send", "message:receive"}}
	t.Run("ErrMember", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, "Only an Admin of this channel can attach it to a LINE Official Account.", func() error {
			_, err := m.db.RecordAttachment(ctx, m.mia, m.ch.ID, bot)
			return err
		})
	})
	t.Run("ErrBadBotID", func(t *testing.T) {
		m.refusesModule(t, portal.EINVALID, "LINE returned a bot ID that is not one (U followed by 32 hex digits); try attaching again.", func() error {
			_, err := m.db.RecordAttachment(ctx, m.dev, m.ch.ID, portal.AttachedBot{BotID: "Unope"})
			return err
		})
	})
	t.Run("OK", func(t *testing.T) {
		mark := m.auditMark(t)
		a, err := m.db.RecordAttachment(ctx, m.dev, m.ch.ID, bot)
		mustNil(t, err)
		got := m.attachment(t, botA)
		if got.ID != a.ID || got.State != portal.Attached || !got.AttachedAt.Equal(start) || strings.Join(got.Scopes, " ") != "message:send message:receive" {
			t.Fatalf("attachment %+v", got)
		}
		m.assertAudit(t, mark, "module.attach channel:  → attached(Bot="+botA+", Scopes=message:send message:receive)")
	})
	t.Run("again: new scopes, same attachment", func(t *testing.T) {
		m.clock.Set(start.Add(time.Hour))
		a, err := m.db.RecordAttachment(ctx, m.dev, m.ch.ID, portal.AttachedBot{BotID: botA, Scopes: []string{"message:receive"}})
		mustNil(t, err)
		got := m.attachment(t, botA)
		if got.ID != a.ID || !got.AttachedAt.Equal(start) || strings.Join(got.Scopes, " ") != "message:receive" {
			t.Fatalf("attachment %+v", got)
		}
	})
}

func TestStore_MarkDetached(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.record(t, func() portal.WebhookEvent {
		e := m.userEv(portal.EventActivated, 5, botA, userXofA)
		return e
	}())
	t.Run("ErrMember", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, "Only an Admin of this channel can detach it.", func() error {
			return m.db.MarkDetached(ctx, m.mia, m.ch.ID, botA)
		})
	})
	t.Run("ErrNeverAttached", func(t *testing.T) {
		m.refusesModule(t, portal.ENOTFOUND, "This module channel has never been attached to that LINE Official Account.", func() error {
			return m.db.MarkDetached(ctx, m.dev, m.ch.ID, botB)
		})
	})
	t.Run("OK", func(t *testing.T) {
		if a := m.attachment(t, botA); a.ChatsUnderControl != 1 {
			t.Fatalf("chats under control before: %d", a.ChatsUnderControl)
		}
		m.clock.Set(start.Add(time.Minute))
		mark := m.auditMark(t)
		mustNil(t, m.db.MarkDetached(ctx, m.dev, m.ch.ID, botA))
		a := m.attachment(t, botA)
		if a.State != portal.Detached || a.DetachReason != portal.DetachByAdmin || !a.DetachedAt.Equal(start.Add(time.Minute)) || a.ChatsUnderControl != 0 {
			t.Fatalf("attachment %+v", a)
		}
		var controls int
		mustNil(t, m.raw.QueryRow(`SELECT count(*) FROM module_chat_controls`).Scan(&controls))
		if controls != 0 {
			t.Errorf("%d chat controls survived the detach", controls)
		}
		m.assertAudit(t, mark, "module.detach channel: attached(Bot="+botA+", Scopes=message:send message:receive) → detached(Bot="+botA+", DetachReason=by_admin)")
	})
	t.Run("ErrAlreadyDetached", func(t *testing.T) {
		m.refusesModule(t, portal.ECONFLICT, "The module channel is no longer attached to "+botA+".", func() error {
			return m.db.MarkDetached(ctx, m.dev, m.ch.ID, botA)
		})
	})
	t.Run("LINE's detached event afterwards keeps the Admin's reason", func(t *testing.T) {
		res := m.record(t, m.detachedEv(61, ""))
		if res.Stored != 1 || res.Applied != 0 {
			t.Fatalf("result %+v", res)
		}
		if a := m.attachment(t, botA); a.DetachReason != portal.DetachByAdmin {
			t.Fatalf("reason %v", a.DetachReason)
		}
	})
}

func TestStore_ChatControl(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	t.Run("ErrMember", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, "Only an Admin of this channel can take or release chat control.", func() error {
			return m.db.SetChatControl(ctx, m.mia, m.ch.ID, botA, userXofA, time.Hour)
		})
	})
	t.Run("ErrTTL", func(t *testing.T) {
		m.refusesModule(t, portal.EINVALID, "The time limit must be a whole number of seconds from 1 second to 1 year, or none.", func() error {
			return m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, 366*24*time.Hour)
		})
	})
	t.Run("ErrChatID", func(t *testing.T) {
		m.refusesModule(t, portal.EINVALID, "Enter the chat's ID: the 68-character L… user ID of this account's chat (listed under Followers), or a group or room ID (C or R followed by 32 hex digits).", func() error {
			return m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofB, time.Hour)
		})
	})
	t.Run("OK with a time limit", func(t *testing.T) {
		mark := m.auditMark(t)
		mustNil(t, m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, time.Hour))
		controls, _, err := m.db.FindChatControls(ctx, m.ch.ID, botA, store.Page{})
		mustNil(t, err)
		if len(controls) != 1 || controls[0].ChatID != userXofA || !controls[0].ExpireAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("controls %+v", controls)
		}
		// The audit log never names a user: a user's chat is kept without
		// its ID.
		m.assertAudit(t, mark, "module.chat_control_acquire channel:  → chat_control_until(Bot="+botA+", Chat=, Until=2026-11-21T11:00:00Z)")
		m.clock.Set(start.Add(time.Hour))
		if a := m.attachment(t, botA); a.ChatsUnderControl != 0 {
			t.Fatalf("an expired control counts: %d", a.ChatsUnderControl)
		}
		m.clock.Set(start)
	})
	t.Run("OK with no time limit, in a group", func(t *testing.T) {
		mark := m.auditMark(t)
		mustNil(t, m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, groupC, 0))
		m.clock.Set(start.Add(10 * 365 * 24 * time.Hour))
		if a := m.attachment(t, botA); a.ChatsUnderControl != 1 {
			t.Fatalf("chats under control ten years on: %d", a.ChatsUnderControl)
		}
		m.clock.Set(start)
		m.assertAudit(t, mark, "module.chat_control_acquire channel:  → chat_control_no_limit(Bot="+botA+", Chat="+groupC+")")
	})
	t.Run("release", func(t *testing.T) {
		mark := m.auditMark(t)
		mustNil(t, m.db.ReleaseChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, m.clock.Now()))
		controls, _, err := m.db.FindChatControls(ctx, m.ch.ID, botA, store.Page{})
		mustNil(t, err)
		if len(controls) != 1 || controls[0].ChatID != groupC {
			t.Fatalf("controls after release %+v", controls)
		}
		m.assertAudit(t, mark, "module.chat_control_release channel: chat_control(Bot="+botA+", Chat=) → chat_returned")
		// Releasing again, later, changes nothing, as at LINE.
		m.clock.Set(start.Add(time.Minute))
		before := m.moduleSnapshot(t)
		mustNil(t, m.db.ReleaseChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, m.clock.Now()))
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("a second release changed:\n%s", lineDiff(before, after))
		}
		m.clock.Set(start)
	})
	t.Run("release that LINE's deactivated event reported first", func(t *testing.T) {
		mustNil(t, m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, 0))
		if res := m.record(t, m.userEv(portal.EventDeactivated, 5, botA, userXofA)); res.Applied != 1 {
			t.Fatalf("the deactivated event: %+v", res)
		}
		mark := m.auditMark(t)
		mustNil(t, m.db.ReleaseChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, start.Add(4*time.Second)))
		m.assertAudit(t, mark, "module.chat_control_release channel: chat_control(Bot="+botA+", Chat=) → chat_returned")
	})
	t.Run("ErrNoScope", func(t *testing.T) {
		m.record(t, m.attachedEv(10, "message:send")) // re-authorised without message:receive
		m.refusesModule(t, portal.EINVALID, "The module channel can't take chat control in this account's chats: the account's admin did not grant it the message:receive permission when attaching.", func() error {
			return m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, time.Hour)
		})
	})
}

func TestStore_SuspendedBotRefusesEveryAdminAction(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	mustNil(t, m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, time.Hour))
	m.record(t, m.userEv(portal.EventFollow, 2, botA, userXofA))
	m.record(t, m.ev(portal.EventBotSuspended, 3))
	a := m.attachment(t, botA)
	if !a.Suspended || a.ChatsUnderControl != 1 {
		t.Fatalf("suspended attachment %+v", a)
	}
	actions := map[string]func() error{
		"detach":       func() error { return m.db.MarkDetached(ctx, m.dev, m.ch.ID, botA) },
		"acquire chat": func() error { return m.db.SetChatControl(ctx, m.dev, m.ch.ID, botA, groupC, time.Hour) },
		"release chat": func() error { return m.db.ReleaseChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, m.clock.Now()) },
	}
	for name, call := range actions {
		t.Run(name, func(t *testing.T) {
			m.refusesModule(t, portal.EUNAVAILABLE, "This admin screen can't be used because the LINE Official Account is unavailable", call)
		})
	}
	t.Run("nothing was deleted", func(t *testing.T) {
		users, _, err := m.db.FindOAUsers(ctx, m.ch.ID, botA, store.Page{})
		mustNil(t, err)
		events, _, err := m.db.FindWebhookEvents(ctx, m.ch.ID, botA, store.Page{})
		mustNil(t, err)
		if len(users) != 1 || len(events) != 3 || m.attachment(t, botA).ChatsUnderControl != 1 {
			t.Fatalf("users %d, events %d", len(users), len(events))
		}
	})
	t.Run("resumed: actions work again", func(t *testing.T) {
		m.record(t, m.ev(portal.EventBotResumed, 4))
		mustNil(t, m.db.ReleaseChatControl(ctx, m.dev, m.ch.ID, botA, userXofA, m.clock.Now()))
	})
}

func TestStore_SyncBots(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	// botB: attached through the code exchange, then detached by LINE.
	m.recordAttachment(t, m.dev, m.ch.ID, botB)
	if res := m.record(t, func() portal.WebhookEvent { e := m.detachedEv(2, ""); e.BotID = botB; return e }()); res.Applied != 1 {
		t.Fatalf("botB's detached event: %+v", res)
	}
	const botC = "U0123456789abcdef0123456789abcdef"
	m.clock.Set(start.Add(time.Hour))
	added, err := m.db.SyncBots(ctx, m.ch.ID, []portal.BotProfile{
		{BotID: botA, BasicID: "@sakuracafe", DisplayName: "Sakura Cafe", PictureURL: "https://example.com/a.png"},
		{BotID: botB, BasicID: "@ume", DisplayName: "Ume"}, // detached here; still listed by LINE (propagation lag)
		{BotID: botC, BasicID: "@new", PremiumID: "@new-premium", DisplayName: "New"},
	})
	mustNil(t, err)
	if added != 1 {
		t.Errorf("added %d, want 1", added)
	}
	a := m.attachment(t, botA)
	if a.Bot.BasicID != "@sakuracafe" || a.Bot.DisplayName != "Sakura Cafe" || a.Bot.PictureURL != "https://example.com/a.png" || a.State != portal.Attached ||
		strings.Join(a.Scopes, " ") != "message:send message:receive" {
		t.Errorf("botA %+v", a)
	}
	if b := m.attachment(t, botB); b.State != portal.Detached || b.Bot.DisplayName != "Ume" {
		t.Errorf("the list re-attached or skipped botB: %+v", b)
	}
	if c := m.attachment(t, botC); c.State != portal.Attached || !c.AttachedAt.Equal(start.Add(time.Hour)) || c.Bot.PremiumID != "@new-premium" || len(c.Scopes) != 0 {
		t.Errorf("botC %+v", c)
	}
	t.Run("the same list again changes nothing", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		m.clock.Set(start.Add(2 * time.Hour))
		added, err := m.db.SyncBots(ctx, m.ch.ID, []portal.BotProfile{{BotID: botA, BasicID: "@sakuracafe", DisplayName: "Sakura Cafe", PictureURL: "https://example.com/a.png"}})
		if err != nil || added != 0 {
			t.Fatalf("SyncBots = %d, %v", added, err)
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("ErrBadBotID", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		if _, err := m.db.SyncBots(ctx, m.ch.ID, []portal.BotProfile{{BotID: botC, DisplayName: "Renamed"}, {BotID: "nope"}}); err == nil {
			t.Fatal("accepted a bad bot ID")
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("ErrNotModule", func(t *testing.T) {
		mini := m.channel(t, portal.Channel{})
		m.refusesModule(t, portal.EINVALID, "Only a module channel attaches to LINE Official Accounts; this is a LINE MINI App channel.", func() error {
			_, err := m.db.SyncBots(ctx, mini.ID, []portal.BotProfile{{BotID: botA}})
			return err
		})
	})
	t.Run("pages", func(t *testing.T) {
		page1, next, err := m.db.FindAttachments(ctx, m.ch.ID, store.Page{Limit: 2})
		mustNil(t, err)
		if len(page1) != 2 || page1[0].Bot.BotID != botC || page1[1].Bot.BotID != botB || next == "" {
			t.Fatalf("page 1: %d, next %q", len(page1), next)
		}
		page2, next, err := m.db.FindAttachments(ctx, m.ch.ID, store.Page{Limit: 2, After: next})
		mustNil(t, err)
		if len(page2) != 1 || page2[0].Bot.BotID != botA || next != "" {
			t.Fatalf("page 2: %d, next %q", len(page2), next)
		}
		if _, _, err := m.db.FindAttachments(ctx, m.ch.ID, store.Page{After: "x"}); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

// LINE's detached webhook for an Admin's detach can be stored before the
// portal records the Admin's action: recording it then still succeeds and
// names the Admin as the reason, once.
func TestStore_MarkDetachedAfterLINEsWebhook(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.clock.Set(start.Add(time.Minute))
	m.record(t, m.detachedEv(2, ""))
	if a := m.attachment(t, botA); a.State != portal.Detached || a.DetachReason != portal.DetachOther {
		t.Fatalf("after LINE's webhook: %+v", a)
	}
	mark := m.auditMark(t)
	mustNil(t, m.db.MarkDetached(ctx, m.dev, m.ch.ID, botA))
	if a := m.attachment(t, botA); a.State != portal.Detached || a.DetachReason != portal.DetachByAdmin {
		t.Fatalf("after the Admin's record: %+v", a)
	}
	m.assertAudit(t, mark, "module.detach channel: detached(Bot="+botA+", DetachReason=other) → detached_by_admin_after_line")
	m.refusesModule(t, portal.ECONFLICT, "The module channel is no longer attached to "+botA+".", func() error {
		return m.db.MarkDetached(ctx, m.dev, m.ch.ID, botA)
	})
}

// A channel is registered under an existing provider only by someone who
// works in it: the provider ID comes from a form, so it can name anyone's.
func TestStore_RegisterModuleChannelProvider(t *testing.T) {
	m := newModuleFixture(t)
	const msg = "You can register a channel only under a provider you work in (you have a role on one of its channels), or under a new provider."
	in := func(p portal.Provider, lineID string) portal.Channel {
		return portal.Channel{Provider: p, Kind: portal.KindModule, LINEChannelID: lineID, Name: "Squat", Region: portal.RegionJapan}
	}
	// Boss holds no role in dev's provider (its channel m.ch is dev's; Mia
	// is a Member of it).
	t.Run("ErrSomeoneElsesProvider", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, msg, func() error {
			_, err := m.db.RegisterModuleChannel(ctx, m.box, m.boss, in(m.provider, "2000000301"), moduleSecret, moduleToken, time.Time{})
			if portal.ErrorFields(err)["provider_id"] != string(portal.RProviderNotYours) {
				t.Errorf("no provider_id field: %#v", err)
			}
			return err
		})
	})
	t.Run("ErrNoSuchProvider is the same refusal", func(t *testing.T) {
		m.refusesModule(t, portal.EFORBIDDEN, msg, func() error {
			_, err := m.db.RegisterModuleChannel(ctx, m.box, m.boss, in(portal.Provider{ID: 9999}, "2000000302"), moduleSecret, moduleToken, time.Time{})
			return err
		})
	})
	t.Run("ErrEmptyProviderOfSomeoneElse", func(t *testing.T) {
		p, err := m.db.CreateProvider(ctx, m.boss, "Boss's own provider")
		mustNil(t, err)
		m.refusesModule(t, portal.EFORBIDDEN, msg, func() error {
			_, err := m.db.RegisterModuleChannel(ctx, m.box, m.dev, in(p, "2000000303"), moduleSecret, moduleToken, time.Time{})
			return err
		})
		// Creating a provider gives no standing in it (nothing records who
		// did, but the audit log); a first channel goes under a new one.
		t.Run("nor its creator", func(t *testing.T) {
			m.refusesModule(t, portal.EFORBIDDEN, msg, func() error {
				_, err := m.db.RegisterModuleChannel(ctx, m.box, m.boss, in(p, "2000000304"), moduleSecret, moduleToken, time.Time{})
				return err
			})
		})
	})
	t.Run("OK a Member of one of its channels", func(t *testing.T) {
		ch, err := m.db.RegisterModuleChannel(ctx, m.box, m.mia, in(m.provider, "2000000306"), moduleSecret, moduleToken, time.Time{})
		if err != nil || ch.Provider.ID != m.provider.ID {
			t.Fatalf("Mia's channel: %+v, %v", ch, err)
		}
		if access, err := m.db.FindChannelAccess(ctx, m.mia, ch.ID); err != nil || access.Role != portal.RoleAdmin {
			t.Errorf("Mia's role on her channel: %+v, %v", access, err)
		}
	})
	t.Run("OK a new provider", func(t *testing.T) {
		ch, err := m.db.RegisterModuleChannel(ctx, m.box, m.boss, in(portal.Provider{Name: "Boss Co."}, "2000000307"), moduleSecret, moduleToken, time.Time{})
		if err != nil || ch.Provider.Name != "Boss Co." || ch.Provider.ID == m.provider.ID {
			t.Fatalf("new provider: %+v, %v", ch, err)
		}
	})
}

func TestStore_FindAttachmentsByBot(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	const unknown = "U0123456789abcdef0123456789abcdef"
	got, err := m.db.FindAttachmentsByBot(ctx, m.ch.ID, []string{botA, unknown})
	mustNil(t, err)
	if len(got) != 1 || got[botA].State != portal.Attached || got[botA].ID == 0 {
		t.Fatalf("FindAttachmentsByBot = %+v", got)
	}
	if _, ok := got[unknown]; ok {
		t.Fatal("a bot the portal does not know was found")
	}
	other := m.register(t)
	if got, err := m.db.FindAttachmentsByBot(ctx, other.ID, []string{botA}); err != nil || len(got) != 0 {
		t.Fatalf("another channel's attachment: %+v, %v", got, err)
	}
	if got, err := m.db.FindAttachmentsByBot(ctx, m.ch.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("no bots: %+v, %v", got, err)
	}
}
