// Package locale is the portal's languages and time zones: the message
// files (embedded, one per language, read by go-i18n with CLDR plural
// rules), the choice of a language from what a person said they want, and
// times and durations written as each language writes them.
package locale

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the languages the portal speaks, English first: it is
// what a person gets when nothing they prefer matches. Traditional Chinese
// is Taiwan's (zh-TW), where LINE Official Accounts are also run; a browser
// asking for Chinese of Hong Kong or Macau, or for Chinese alone, gets it.
var Languages = []language.Tag{language.English, language.Japanese, language.Thai, TraditionalChinese}

// TraditionalChinese is Taiwan's Chinese, zh-TW.
var TraditionalChinese = language.MustParse("zh-TW")

// Names are the languages in their own words, for the switcher.
var Names = map[string]string{"en": "English", "ja": "日本語", "th": "ไทย", "zh-TW": "繁體中文"}

//go:embed messages/*.json
var files embed.FS

var (
	bundle  = i18n.NewBundle(language.English)
	matcher = language.NewMatcher(Languages)
	// ids are the message IDs each language's file holds, for the check
	// that every language translates every message.
	ids = map[string]map[string]bool{}
	// plain are, per language, the messages that take no parameters and
	// have no plural forms, as they read. Most of a page's text is such
	// messages; T answers them from here, where go-i18n would match the
	// language and look the template up again on every call (about a
	// tenth of a page's CPU, profiled in issue 15).
	plain = map[string]map[string]string{}
	// filled are, per language, the messages that have no plural forms and
	// whose parameters are all plain "{{.Name}}" actions, split at them: T
	// fills in string parameters itself, where go-i18n would run a
	// text/template for each (a table row's "decided by {{.Name}}").
	filled = map[string]map[string][]part{}
	// localizers are go-i18n's localizer of each language, built once
	// (they hold the bundle, whose messages init reads).
	localizers = func() map[string]*i18n.Localizer {
		m := map[string]*i18n.Localizer{}
		for _, t := range Languages {
			m[t.String()] = i18n.NewLocalizer(bundle, t.String())
		}
		return m
	}()
)

func init() {
	names, err := fs.Glob(files, "messages/*.json")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("locale: no message files embedded: %v", err))
	}
	for _, name := range names {
		mf, err := parseMessageFile(name)
		if err != nil {
			panic(err)
		}
		// A language may have several files (one per area of the portal,
		// "teams.ja.json"); the check sees their union.
		set := ids[mf.Tag.String()]
		if set == nil {
			set = map[string]bool{}
			ids[mf.Tag.String()] = set
		}
		lang := mf.Tag.String()
		if plain[lang] == nil {
			plain[lang], filled[lang] = map[string]string{}, map[string][]part{}
		}
		// go-i18n holds what T can't answer from the tables: a plain
		// message never reaches it, and its message and template objects
		// would be about 0.4 MiB of heap a language.
		var rest []*i18n.Message
		for _, m := range mf.Messages {
			set[m.ID] = true
			if isPlain(m) {
				plain[lang][m.ID] = m.Other
				continue
			}
			if parts, ok := split(m); ok {
				filled[lang][m.ID] = parts // and in go-i18n, for parameters fill can't take
			}
			rest = append(rest, m)
		}
		if err := bundle.AddMessages(mf.Tag, rest...); err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
	}
	english = New("en", "UTC")
}

// parseMessageFile reads one embedded message file.
func parseMessageFile(name string) (*i18n.MessageFile, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	mf, err := i18n.ParseMessageFileBytes(data, path.Base(name), nil)
	if err != nil {
		return nil, fmt.Errorf("locale: %s: %w", name, err)
	}
	return mf, nil
}

// isPlain tells whether m reads the same whatever the parameters and count:
// no plural forms besides Other, and no template action in it.
func isPlain(m *i18n.Message) bool {
	delim := m.LeftDelim
	if delim == "" {
		delim = "{{"
	}
	return m.Zero == "" && m.One == "" && m.Two == "" && m.Few == "" && m.Many == "" && !strings.Contains(m.Other, delim)
}

// part is a piece of a filled message: words as they read, or the name of
// a parameter.
type part struct {
	text  string
	param bool
}

// action is a template action that only prints a parameter.
var action = regexp.MustCompile(`\{\{\.([A-Za-z][A-Za-z0-9_]*)\}\}`)

// split cuts m into its words and parameters when it has no plural forms
// and every action in it is a plain action: ok is false for any other
// template ("{{if …}}", "{{- .Name}}"), which T leaves to go-i18n.
func split(m *i18n.Message) (parts []part, ok bool) {
	if m.LeftDelim != "" || m.RightDelim != "" || m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
		return nil, false
	}
	words := func(s string) bool {
		if s != "" {
			parts = append(parts, part{text: s})
		}
		return !strings.Contains(s, "{{")
	}
	at := 0
	for _, loc := range action.FindAllStringSubmatchIndex(m.Other, -1) {
		if !words(m.Other[at:loc[0]]) {
			return nil, false
		}
		parts = append(parts, part{text: m.Other[loc[2]:loc[3]], param: true})
		at = loc[1]
	}
	return parts, words(m.Other[at:])
}

// fill writes parts with the parameters kv (name/value pairs, the last of
// a name counting, as go-i18n takes them). ok is false when a parameter is
// missing or is not a string, which go-i18n prints in its own ways.
func fill(parts []part, kv []any) (s string, ok bool) {
	n := 0
	for _, p := range parts {
		if p.param {
			v, ok := param(kv, p.text)
			if !ok {
				return "", false
			}
			n += len(v)
		} else {
			n += len(p.text)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		if p.param {
			v, _ := param(kv, p.text)
			b.WriteString(v)
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String(), true
}

// param is the string value of the parameter name in kv.
func param(kv []any, name string) (v string, ok bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == name {
			if v, ok = kv[i+1].(string); !ok {
				return "", false
			}
		}
	}
	return v, ok
}

// MessageIDs returns the IDs held by the message files of lang ("en",
// "ja", "th", "zh-TW").
func MessageIDs(lang string) map[string]bool { return ids[lang] }

// Match picks the language for the given preferences, most important
// first. Each is a language tag (a saved choice, a cookie) or an
// Accept-Language header; empty ones are skipped. English when nothing
// matches.
func Match(prefs ...string) string {
	if lang := Asked(prefs...); lang != "" {
		return lang
	}
	return "en"
}

// Asked is the portal's language that best matches prefs, as Match, but
// "" when none of them names one (English then is a fallback, not
// anyone's choice).
func Asked(prefs ...string) string {
	var tags []language.Tag
	for _, p := range prefs {
		if p == "" {
			continue
		}
		t, _, err := language.ParseAcceptLanguage(p)
		if err != nil {
			continue
		}
		tags = append(tags, t...)
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return Languages[i].String()
}

// Supported tells whether lang is one of the portal's languages, exactly.
func Supported(lang string) bool {
	_, ok := Names[lang]
	return ok
}

// DefaultZone is the time zone of a person who has not chosen one: Japan
// for Japanese, Thailand for Thai, Taiwan for Traditional Chinese, UTC
// otherwise.
func DefaultZone(lang string) string {
	switch lang {
	case "ja":
		return "Asia/Tokyo"
	case "th":
		return "Asia/Bangkok"
	case "zh-TW":
		return "Asia/Taipei"
	}
	return "UTC"
}

// Zones are the time zones a person may choose, the portal's markets
// first.
var Zones = []string{"Asia/Tokyo", "Asia/Bangkok", "Asia/Taipei", "Asia/Jakarta", "Asia/Singapore", "Asia/Kolkata", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"}

// Locale is one reader's language and time zone.
type Locale struct {
	Lang string
	Zone *time.Location
	loc  *i18n.Localizer
	// plain and filled are the language's tables of messages T answers
	// itself (a page looks up a hundred or more).
	plain  map[string]string
	filled map[string][]part
	// pseudo wraps every message in markers, so that a test can find
	// visible text that did not come from a message.
	pseudo bool
}

// New returns the locale for lang (one of Languages) and the IANA time
// zone name zone; an empty or unknown zone is the language's default.
func New(lang, zone string) *Locale {
	if !Supported(lang) {
		lang = "en"
	}
	if zone == "" {
		zone = DefaultZone(lang)
	}
	return &Locale{Lang: lang, Zone: loadZone(zone, DefaultZone(lang)), loc: localizers[lang], plain: plain[lang], filled: filled[lang]}
}

// SentenceSpace is what the language writes after a sentence or a label
// that ends in a colon, or before words in brackets, where more follows on
// the same line: a space, except in Japanese and Chinese, whose full-width
// full stop, colon and brackets take none.
func (l *Locale) SentenceSpace() string {
	if l.fullWidth() {
		return ""
	}
	return " "
}

// fullWidth tells whether the language writes full-width punctuation
// (。：（）), which takes no space around it: Japanese and Chinese.
func (l *Locale) fullWidth() bool { return l.Lang == "ja" || l.Lang == "zh-TW" }

// loadZone is the first of the IANA time zones names that loads, or UTC
// when none does: a host without the zone database (cmd/portal embeds it,
// time/tzdata, but a program that imports this package may not) still
// shows times, never a nil zone.
func loadZone(names ...string) *time.Location {
	for _, name := range names {
		if z, ok := zones.Load(name); ok {
			return z.(*time.Location)
		}
		if z, err := time.LoadLocation(name); err == nil {
			zones.Store(name, z)
			return z
		}
	}
	return time.UTC
}

// zones are the time zones loaded so far, by name: time.LoadLocation reads
// and parses the zone's file on every call, and a page needs its reader's
// zone on every request. Only names that load are kept, so the map is at
// most the zone database.
var zones sync.Map

// Pseudo is English with every message between ⟦ and ⟧: a page rendered
// in it shows at a glance which text came from no message.
func Pseudo() *Locale {
	l := New("en", "UTC")
	l.pseudo = true
	return l
}

// Pseudo markers.
const (
	PseudoOpen  = "⟦"
	PseudoClose = "⟧"
)

// T is the message id with the given parameters, as name/value pairs. A
// parameter named Count also chooses the plural form. A message no file
// holds shows as its ID (the message check keeps that from shipping).
func (l *Locale) T(id string, kv ...any) string {
	s := l.text(id, kv)
	if l.pseudo {
		return PseudoOpen + s + PseudoClose
	}
	return s
}

// text is the message id in l's language: from l's own tables where they
// hold it, else through go-i18n.
func (l *Locale) text(id string, kv []any) string {
	if s, ok := l.plain[id]; ok {
		return s
	}
	if parts, ok := l.filled[id]; ok {
		if s, ok := fill(parts, kv); ok {
			return s
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(kv) > 0 {
		data := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
			if k == "Count" {
				cfg.PluralCount = kv[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err != nil && s == "" {
		// A message the language lacks reads in English, as go-i18n
		// would give it; the English tables are not in go-i18n.
		if en, ok := plain["en"][id]; ok {
			return en
		}
		s = id
	}
	return s
}

var thaiMonths = [...]string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}

// Time writes t in the reader's zone as their language writes a date and
// time in a table, with the zone named:
//
//	ja: 2026/12/14 09:52（UTC+9）
//	zh-TW: 2026/12/14 08:52（UTC+8）
//	th: 14 ธ.ค. 2569 09:52 (เวลาประเทศไทย), the year in the Buddhist era
//	en: 2026-12-14 00:52 (UTC)
//
// The zero time is "—".
func (l *Locale) Time(t time.Time) string { return string(l.AppendTime(make([]byte, 0, 48), t)) }

// AppendTime appends Time(t) to b. A table row shows a time or two, so
// this is written to allocate nothing but b (issue 15).
func (l *Locale) AppendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "—"...)
	}
	t = t.In(l.Zone)
	b = t.AppendFormat(l.appendDay(b, t), " 15:04")
	if l.fullWidth() {
		return append(l.appendZoneName(append(b, "（"...), t), "）"...)
	}
	return append(l.appendZoneName(append(b, " ("...), t), ')')
}

// Day writes the calendar day of t (in t's own location: a day LINE
// counts in UTC+9 stays that day) as the language writes a date:
//
//	ja, zh-TW: 2026/12/14
//	th: 14 ธ.ค. 2569, the year in the Buddhist era
//	en: 2026-12-14
func (l *Locale) Day(t time.Time) string { return string(l.appendDay(make([]byte, 0, 24), t)) }

func (l *Locale) appendDay(b []byte, t time.Time) []byte {
	switch l.Lang {
	case "ja", "zh-TW":
		return t.AppendFormat(b, "2006/01/02")
	case "th":
		b = append(strconv.AppendInt(b, int64(t.Day()), 10), ' ')
		b = append(append(b, thaiMonths[t.Month()-1]...), ' ')
		return strconv.AppendInt(b, int64(t.Year()+543), 10)
	}
	return t.AppendFormat(b, "2006-01-02")
}

// appendZoneName names the zone of t: its offset from UTC, which is how
// LINE's Japanese pages write it (UTC+9, never JST); in Thai, Thailand's
// and Japan's own times are named as LINE Thailand names them.
func (l *Locale) appendZoneName(b []byte, t time.Time) []byte {
	if l.Lang == "th" {
		switch l.Zone.String() {
		case "Asia/Bangkok":
			return append(b, "เวลาประเทศไทย"...)
		case "Asia/Tokyo":
			b = append(b, "เวลาญี่ปุ่น "...)
		}
	}
	return appendUTCOffset(b, t)
}

// appendUTCOffset appends t's offset as UTC, UTC+9, UTC-5 or UTC+5:30.
func appendUTCOffset(b []byte, t time.Time) []byte {
	b = append(b, "UTC"...)
	_, secs := t.Zone()
	if secs == 0 {
		return b
	}
	sign := byte('+')
	if secs < 0 {
		sign, secs = '-', -secs
	}
	b = strconv.AppendInt(append(b, sign), int64(secs/3600), 10)
	if m := secs % 3600 / 60; m != 0 {
		b = append(b, ':', byte('0'+m/10), byte('0'+m%10))
	}
	return b
}

// Left says how long remains from now until t, in the reader's language:
// "7 days left", 「残り7日」. It rounds up to the minute, so a URL issued a
// moment ago has 7 days left, not 6 days 23 hours.
func (l *Locale) Left(now, t time.Time) string {
	d := t.Sub(now)
	if d > 0 {
		d = (d + time.Minute - 1).Truncate(time.Minute)
	}
	const day = 24 * time.Hour
	switch {
	case d <= 0:
		return l.T("time.expired")
	case d < time.Hour:
		return l.T("time.left", "Duration", l.T("time.minutes", "Count", int(d/time.Minute)))
	case d < 48*time.Hour:
		return l.T("time.left", "Duration", l.pair(int(d/time.Hour), "time.hours", int(d%time.Hour/time.Minute), "time.minutes"))
	default:
		return l.T("time.left", "Duration", l.pair(int(d/day), "time.days", int(d%day/time.Hour), "time.hours"))
	}
}

// pair writes an amount of a large unit and a small one, leaving out a
// small amount of zero.
func (l *Locale) pair(big int, bigID string, small int, smallID string) string {
	s := l.T(bigID, "Count", big)
	if small == 0 {
		return s
	}
	return strings.TrimSpace(l.T("time.pair", "Big", s, "Small", l.T(smallID, "Count", small)))
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// english is the locale of a context that carries none, made by init once
// the message tables are filled (a package variable's initializer runs
// before init, and would see none).
var english *Locale

// From returns the locale ctx carries; English in UTC when none.
func From(ctx context.Context) *Locale {
	if l, ok := ctx.Value(ctxKey{}).(*Locale); ok {
		return l
	}
	return english
}

// Count writes n with its thousands grouped by commas, as English,
// Japanese (LINE writes 2,000) and Thai all do.
func (l *Locale) Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
