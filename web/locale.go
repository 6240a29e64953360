package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/views"
)

// langCookie keeps a signed-out visitor's language choice. It holds a
// language code and nothing else; a signed-in admin's choice is saved on
// their profile and outranks it.
const langCookie = "portal_lang"

// visitorLocale is the language a request's reader asked for: the
// switcher's cookie, then the browser's Accept-Language, then English. A
// signed-in admin's saved choice replaces it once they are known
// (withAdmin).
func (s *Server) visitorLocale(r *http.Request) *locale.Locale {
	if s.fixedLocale != nil {
		return s.fixedLocale
	}
	return s.visitorLocales[s.languages.match(cookieLanguage(r), r.Header.Get("Accept-Language"))]
}

// languageMatches remembers the language locale.Match chose for each list
// of preferences: browsers send a few distinct Accept-Language headers,
// and parsing and matching one cost about 2 µs and 16 allocations on
// every request (issue 15).
type languageMatches struct {
	byPrefs sync.Map // the preferences, joined by NUL → the language
	count   atomic.Int64
}

// Bounds of what languageMatches keeps: past maxLanguageMatches lists it
// starts over, and a list longer than maxMatchedPrefs (no browser's is) is
// matched and not kept.
const (
	maxLanguageMatches = 1024
	maxMatchedPrefs    = 256
)

// match is locale.Match(prefs...).
func (m *languageMatches) match(prefs ...string) string {
	key := strings.Join(prefs, "\x00")
	if lang, ok := m.byPrefs.Load(key); ok {
		return lang.(string)
	}
	lang := locale.Match(prefs...)
	if len(key) <= maxMatchedPrefs {
		if m.count.Add(1) > maxLanguageMatches {
			m.byPrefs.Clear()
			m.count.Store(1)
		}
		m.byPrefs.Store(key, lang)
	}
	return lang
}

// adminLocale is the locale of a signed-in admin: their saved language
// and time zone, falling back to what a signed-out visitor would get.
func (s *Server) adminLocale(r *http.Request, language, timeZone string) *locale.Locale {
	if s.fixedLocale != nil {
		return s.fixedLocale
	}
	return locale.New(s.languages.match(language, cookieLanguage(r), r.Header.Get("Accept-Language")), timeZone)
}

func cookieLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && locale.Supported(c.Value) {
		return c.Value
	}
	return ""
}

// localeOf is the request's locale.
func localeOf(r *http.Request) *locale.Locale { return locale.From(r.Context()) }

// tr is the message id in the request's language.
func tr(ctx context.Context, id string, kv ...any) string { return locale.From(ctx).T(id, kv...) }

// handleLanguage is the header's language switcher: it remembers the
// choice in a cookie and, for a signed-in admin, on their profile, then
// goes back to the page it was used on.
func (s *Server) handleLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !locale.Supported(lang) {
		s.renderError(w, r, http.StatusUnprocessableEntity, tr(r.Context(), "lang.unknown"))
		return
	}
	if a := adminFrom(r.Context()); a != nil {
		if err := s.db.SetAdminSettings(r.Context(), a.ID, lang, a.TimeZone); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setLanguageCookie(w, lang)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) setLanguageCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode,
	})
}

// handleSettingsUpdate saves the language and time zone chosen on the
// profile page. An empty zone means the language's default.
func (s *Server) handleSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	a := adminFrom(r.Context())
	lang, zone := r.PostFormValue("lang"), r.PostFormValue("time_zone")
	if !locale.Supported(lang) || (zone != "" && !slices.Contains(locale.Zones, zone)) {
		s.renderError(w, r, http.StatusUnprocessableEntity, tr(r.Context(), "settings.invalid"))
		return
	}
	if err := s.db.SetAdminSettings(r.Context(), a.ID, lang, zone); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setLanguageCookie(w, lang)
	// The flash is rendered on the next page, in the language just chosen.
	s.redirectWithFlash(w, r, "/profile", "success", "settings.saved")
}

// settingsView is what the profile's settings form shows: the language
// and zone in use, and whether the zone was chosen or is the default.
func settingsView(r *http.Request, a *portal.Admin) views.Settings {
	return views.Settings{Language: localeOf(r).Lang, TimeZone: a.TimeZone, Zones: locale.Zones}
}

// reviewStatus is a review status as a flash parameter.
func reviewStatus(s portal.ReviewStatus) msgID { return msgID(views.ReviewStatusID(s)) }
