package locale

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"lineportal/internal/portal"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"ja-JP,ja;q=0.9,en;q=0.8"}, "ja"},
		{[]string{"th-TH"}, "th"},
		{[]string{"", "th"}, "th"},
		{[]string{"ja", "th"}, "ja"}, // a saved choice outranks the browser
		{[]string{"zh-TW,zh;q=0.9,en;q=0.8"}, "zh-TW"},
		{[]string{"zh-Hant"}, "zh-TW"},
		{[]string{"zh-HK,en;q=0.5"}, "zh-TW"}, // Hong Kong writes Traditional Chinese too
		{[]string{"zh-CN"}, "zh-TW"},          // closer for a reader of Simplified Chinese than English
		{[]string{"fr-FR,de;q=0.8"}, "en"},
		{[]string{"en-GB"}, "en"},
		{[]string{"zz;;bad"}, "en"},
		{nil, "en"},
	} {
		if got := Match(c.prefs...); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.prefs, got, c.want)
		}
		// Asked is the same match, with nothing where English is only
		// the fallback.
		asked := c.want
		if c.want == "en" && !strings.HasPrefix(strings.Join(c.prefs, ","), "en") {
			asked = ""
		}
		if got := Asked(c.prefs...); got != asked {
			t.Errorf("Asked(%q) = %q, want %q", c.prefs, got, asked)
		}
	}
}

// The same expiry, shown to a Japanese admin in Tokyo, a Thai admin in
// Bangkok, a Taiwanese one in Taipei and an English one in UTC: each in
// their zone and their language's format, the zone named.
func TestTimeInEachZone(t *testing.T) {
	expiry := time.Date(2026, 12, 14, 0, 52, 30, 0, time.UTC)
	for _, c := range []struct {
		lang, zone, want string
	}{
		{"ja", "", "2026/12/14 09:52（UTC+9）"},
		{"th", "", "14 ธ.ค. 2569 07:52 (เวลาประเทศไทย)"},
		{"en", "", "2026-12-14 00:52 (UTC)"},
		{"zh-TW", "", "2026/12/14 08:52（UTC+8）"},
		{"th", "Asia/Tokyo", "14 ธ.ค. 2569 09:52 (เวลาญี่ปุ่น UTC+9)"},
		{"en", "Asia/Kolkata", "2026-12-14 06:22 (UTC+5:30)"},
		{"ja", "America/New_York", "2026/12/13 19:52（UTC-5）"},
		{"en", "Not/AZone", "2026-12-14 00:52 (UTC)"},
	} {
		if got := New(c.lang, c.zone).Time(expiry); got != c.want {
			t.Errorf("%s in %q: %q, want %q", c.lang, c.zone, got, c.want)
		}
	}
	if got := New("ja", "").Time(time.Time{}); got != "—" {
		t.Errorf("zero time: %q", got)
	}
}

// A calendar day (LINE's statistics count days in UTC+9) is written as
// each language writes a date, and stays the day it is whatever the
// reader's zone.
func TestDay(t *testing.T) {
	day := time.Date(2026, 12, 6, 0, 0, 0, 0, time.FixedZone("UTC+9", 9*3600))
	for _, c := range []struct{ lang, zone, want string }{
		{"ja", "", "2026/12/06"},
		{"th", "", "6 ธ.ค. 2569"},
		{"en", "", "2026-12-06"},
		{"zh-TW", "", "2026/12/06"},
		{"en", "America/Los_Angeles", "2026-12-06"},
	} {
		if got := New(c.lang, c.zone).Day(day); got != c.want {
			t.Errorf("%s in %q: %q, want %q", c.lang, c.zone, got, c.want)
		}
	}
}

// The 168-hour validity is the same in every zone, and its durations are
// pluralised by each language's rules.
func TestLeft(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 52, 0, 0, time.UTC)
	for _, c := range []struct {
		d              time.Duration
		en, ja, th, zh string
	}{
		{168 * time.Hour, "7 days left", "残り7日", "เหลืออีก 7 วัน", "剩餘 7 天"},
		{168*time.Hour - time.Millisecond, "7 days left", "残り7日", "เหลืออีก 7 วัน", "剩餘 7 天"},
		{167*time.Hour + 59*time.Minute, "6 days 23 hours left", "残り6日23時間", "เหลืออีก 6 วัน 23 ชั่วโมง", "剩餘 6 天 23 小時"},
		{25*time.Hour + 30*time.Minute, "25 hours 30 minutes left", "残り25時間30分", "เหลืออีก 25 ชั่วโมง 30 นาที", "剩餘 25 小時 30 分鐘"},
		{time.Hour, "1 hour left", "残り1時間", "เหลืออีก 1 ชั่วโมง", "剩餘 1 小時"},
		{time.Minute, "1 minute left", "残り1分", "เหลืออีก 1 นาที", "剩餘 1 分鐘"},
		{30 * time.Second, "1 minute left", "残り1分", "เหลืออีก 1 นาที", "剩餘 1 分鐘"},
		{59 * time.Minute, "59 minutes left", "残り59分", "เหลืออีก 59 นาที", "剩餘 59 分鐘"},
		{0, "expired", "期限切れ", "หมดอายุแล้ว", "已過期"},
	} {
		for lang, want := range map[string]string{"en": c.en, "ja": c.ja, "th": c.th, "zh-TW": c.zh} {
			for _, zone := range []string{"Asia/Tokyo", "Asia/Bangkok", "UTC"} {
				if got := New(lang, zone).Left(now, now.Add(c.d)); got != want {
					t.Errorf("%s %s, %v: %q, want %q", lang, zone, c.d, got, want)
				}
			}
		}
	}
}

// A message a language lacks reads in English. The message check keeps
// that from shipping; here Japanese's table of plain messages is taken
// away.
func TestMissingMessageReadsInEnglish(t *testing.T) {
	ja := New("ja", "")
	ja.plain = nil
	if got := ja.T("nav.home"); got != "Home" {
		t.Errorf("nav.home without its Japanese: %q", got)
	}
	if got := ja.T("no.such.message"); got != "no.such.message" {
		t.Errorf("a message no language has: %q", got)
	}
}

func TestPseudo(t *testing.T) {
	if got := Pseudo().T("nav.home"); got != "⟦Home⟧" {
		t.Errorf("pseudo: %q", got)
	}
	if got := New("ja", "").T("no.such.message"); got != "no.such.message" {
		t.Errorf("missing message: %q", got)
	}
}

// A review's reason: the rules' finding in the reader's language; an
// operator's words as typed; an English sentence recorded before findings
// were kept, as recorded and marked for readers of another language.
func TestReviewReason(t *testing.T) {
	found := portal.ReviewOutcome(portal.BusinessInfo{CompanyName: "Acme", Address: "1 Chome"},
		portal.Organization{ID: "BM01234567890", Verification: portal.OrgVerified, Info: portal.BusinessInfo{CompanyName: "Acme", Address: "1 Chome"}})
	override := portal.Review{Event: portal.ReviewOverride, Verdict: portal.Verdict{Status: portal.ReviewRejected, Reason: "linked to the wrong organization"}}
	legacy := portal.Review{Event: portal.ReviewStart, Verdict: portal.Verdict{Status: portal.ReviewVerified, Reason: "The business information matches."}}
	for _, c := range []struct {
		lang string
		rv   portal.Review
		want string
	}{
		{"en", portal.Review{Verdict: found}, "The business information matches the business info of organization BM01234567890."},
		{"ja", portal.Review{Verdict: found}, "事業情報が組織BM01234567890のビジネス情報と一致しています。"},
		{"ja", override, "linked to the wrong organization"},
		{"ja", legacy, "The business information matches.（英語で記録）"},
		{"en", legacy, "The business information matches."},
	} {
		if got := New(c.lang, "").ReviewReason(c.rv); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.lang, c.rv.Verdict, got, c.want)
		}
	}
}

// An audit note: its code and parameters in the reader's language, the
// domain's values (a kind, a region, a state) named in it, data as it is,
// a time in the reader's zone; an entry logged before notes were kept
// shows its English sentence as recorded, marked for readers of another
// language.
func TestAuditNote(t *testing.T) {
	channel := portal.Note(portal.NoteChannel, "Kind", string(portal.KindMiniApp), "Name", "Acme Shop", "LINEChannelID", "2100000001",
		"Region", string(portal.RegionTaiwan), "Admin", "Dev")
	review := portal.Note(portal.NoteReview, "Review", string(portal.ReviewVerified))
	until := portal.Note(portal.NoteChatControlUntil, "Chat", "C"+strings.Repeat("0", 32), "Bot", "Acme Bot", "Until", "2026-12-14T00:52:00Z")
	userChat := portal.Note(portal.NoteChatControlNoLimit, "Chat", "", "Bot", "Acme Bot")
	info := portal.Note(portal.NoteMiniAppInfo, "Company", "Acme K.K.", "Address", "1 Chome", "DeveloperIsService", "true",
		"ProviderIsService", "false", "Country", string(portal.RegionJapan))
	legacy := portal.AuditNote{Recorded: "Pending"}
	accepted := portal.Note(portal.NoteInvitation, "Invitation", string(portal.InvitationAccepted))
	for _, c := range []struct {
		lang string
		note portal.AuditNote
		want string
	}{
		{"en", channel, "LINE MINI App channel Acme Shop (2100000001) in Taiwan; Admin: Dev"},
		{"ja", channel, "LINEミニアプリチャネル「Acme Shop」（2100000001）、台湾、Admin：Dev"},
		{"th", channel, "Channel LINE MINI App Acme Shop (2100000001) ในไต้หวัน; Admin: Dev"},
		{"en", review, "Verified"},
		{"en", accepted, "accepted"},
		{"ja", accepted, "承諾済み"},
		{"ja", review, New("ja", "").T("review.verified")},
		{"en", until, "Chat control of group C" + strings.Repeat("0", 32) + " in Acme Bot until 2026-12-14 00:52 (UTC)"},
		{"ja", until, "Acme Botのグループ" + "C" + strings.Repeat("0", 32) + "の主導権（Chat Control）、期限：2026/12/14 09:52（UTC+9）"},
		{"th", userChat, "สิทธิ์ควบคุมแชท (Chat Control) ของแชท 1:1 ของผู้ใช้ ใน Acme Bot แบบไม่จำกัดเวลา"},
		{"ja", info, "サービス事業主：Acme K.K.、1 Chome／開発担当企業がサービス事業主と同じ：はい／プロバイダーがサービス事業主：いいえ／会社・事業者の所在国・地域：日本"},
		{"en", legacy, "Pending"},
		{"ja", legacy, "Pending（英語で記録）"},
		{"th", legacy, "Pending (บันทึกเป็นภาษาอังกฤษ)"},
		{"ja", portal.AuditNote{}, ""},
	} {
		if got := New(c.lang, "").AuditNote(c.note); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.lang, c.note, got, c.want)
		}
	}
}

// A team reads with its name and, for an organization, its ID, in every
// language.
func TestTeam(t *testing.T) {
	org := portal.Team{OrgID: "BM00000000001", Name: "Sakura Foods"}
	for lang, want := range map[string]string{"en": "organization Sakura Foods (BM00000000001)", "ja": "組織「Sakura Foods」（BM00000000001）", "th": "องค์กร Sakura Foods (BM00000000001)"} {
		if got := New(lang, "").Team(org); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// A zone that does not load (an unknown name, or any name on a host
// without the zone database) falls back to the language's zone, then to
// UTC: a nil zone would make every time on a page panic.
func TestZoneThatDoesNotLoadFallsBack(t *testing.T) {
	if z := New("ja", "Mars/Olympus_Mons").Zone; z == nil || z.String() != "Asia/Tokyo" {
		t.Errorf("unknown zone for ja: %v", z)
	}
	if z := loadZone("Mars/Olympus_Mons", "Nowhere/Else"); z != time.UTC {
		t.Errorf("no zone loads: %v", z)
	}
}

// goI18n is a go-i18n localizer of each language over every message, as
// the portal's would be if T had no tables of its own.
func goI18n(t *testing.T) map[string]*i18n.Localizer {
	t.Helper()
	b := i18n.NewBundle(language.English)
	names, err := fs.Glob(files, "messages/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		mf, err := parseMessageFile(name)
		if err == nil {
			err = b.AddMessages(mf.Tag, mf.Messages...)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*i18n.Localizer{}
	for _, tag := range Languages {
		out[tag.String()] = i18n.NewLocalizer(b, tag.String())
	}
	return out
}

// A message T answers from its table of plain messages reads exactly as
// go-i18n renders it, in every language.
func TestPlainMessagesReadAsGoI18nRendersThem(t *testing.T) {
	localizers := goI18n(t)
	n := 0
	for lang, msgs := range plain {
		for id, s := range msgs {
			want, err := localizers[lang].Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil || s != want {
				t.Errorf("%s %s: table %q, go-i18n %q (%v)", lang, id, s, want, err)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d plain messages: the table is not filled", n)
	}
	// A message with parameters is not in the table, and still gets them.
	if _, ok := plain["en"]["site.title"]; ok {
		t.Error("site.title takes a title, yet is in the plain table")
	}
	if got := New("en", "").T("site.title", "Title", "Home"); !strings.Contains(got, "Home") {
		t.Errorf("site.title with a title: %q", got)
	}
}

// A message T fills in itself reads exactly as go-i18n renders it with the
// same parameters, in every language; a parameter that is missing or not a
// string leaves the message to go-i18n.
func TestFilledMessagesReadAsGoI18nRendersThem(t *testing.T) {
	localizers := goI18n(t)
	n := 0
	for lang, msgs := range filled {
		l := New(lang, "")
		for id, parts := range msgs {
			// Every parameter given, with characters a template could
			// mistake, and one more the message does not take.
			var kv []any
			data := map[string]any{"Unused": "x"}
			for _, p := range parts {
				if p.param {
					v := p.text + ` <&"{{.X}}> ` + id
					kv, data[p.text] = append(kv, p.text, v), v
				}
			}
			kv = append(kv, "Unused", "x")
			want, err := localizers[lang].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
			if got, ok := fill(parts, kv); err != nil || !ok || got != want || l.T(id, kv...) != want {
				t.Errorf("%s %s: filled %q (%v), go-i18n %q (%v)", lang, id, got, ok, want, err)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d filled messages: the table is not filled", n)
	}
	parts := filled["en"]["site.title"]
	for _, kv := range [][]any{nil, {"Title", 3}, {"Title", "Home", "Title", 3}} {
		if s, ok := fill(parts, kv); ok {
			t.Errorf("site.title with %v filled in as %q", kv, s)
		}
	}
	if got := New("en", "").T("site.title", "Title", "Home", "Title", "Away"); !strings.Contains(got, "Away") || strings.Contains(got, "Home") {
		t.Errorf("site.title with two titles: %q (the last counts)", got)
	}
	if got, want := New("en", "").T("site.title", "Title", 42), "42"; !strings.Contains(got, want) {
		t.Errorf("site.title with a number: %q", got)
	}
	// A template with more than parameters in it is go-i18n's.
	if _, ok := filled["en"]["flash.role_granted"]; ok {
		t.Error("flash.role_granted has an if, yet is filled in by T")
	}
	if got, want := New("en", "").T("flash.role_granted", "Name", "Mia", "Role", "Admin"), "Mia is now an Admin of this channel."; got != want {
		t.Errorf("flash.role_granted = %q, want %q", got, want)
	}
}

// A context without a locale reads English from the tables, which init
// fills before it makes that locale.
func TestFromAContextWithoutALocale(t *testing.T) {
	l := From(t.Context())
	if l.Lang != "en" || l.plain["nav.home"] != "Home" || l.T("nav.home") != "Home" {
		t.Errorf("the default locale: %s, its table holds nav.home as %q", l.Lang, l.plain["nav.home"])
	}
}
