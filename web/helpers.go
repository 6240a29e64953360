package web

import (
	"net/http"
	"strconv"

	"lineportal/internal/portal"
	"lineportal/store"
)

// actor is the signed-in admin of a request behind signedIn.
func actor(r *http.Request) portal.Admin { return *adminFrom(r.Context()) }

// hasCookie tells whether the request carries the cookie name.
func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// pathInt64 reads a numeric path value; anything else is a page that does
// not exist.
func pathInt64(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Refuse(portal.ENOTFOUND, portal.RNoSuchPage)
	}
	return id, nil
}

// redirectWithFlash finishes a successful POST: a message for the next
// page (its ID and parameters as name/value pairs of strings and
// numbers), then 303 so that reloading does not repeat the action.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, kind, id string, args ...any) {
	if err := s.setFlash(w, flash{Kind: kind, ID: id, Args: args}); err != nil {
		// The action is committed: an error page would invite the person
		// to do it again. Only the message is lost.
		s.log.Error("saving a flash message", "request_id", requestID(r.Context()), "route", r.Pattern, "error", err)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// queueHref is the link to the next page of the list paged by param,
// keeping the page's other parameters (filters, other lists' cursors).
func queueHref(r *http.Request, param, cursor string) string {
	if cursor == "" {
		return ""
	}
	q := r.URL.Query()
	q.Set(param, cursor)
	return r.URL.Path + "?" + q.Encode()
}

// pageOf is the page of a list the URL's "after" cursor names: the first
// when there is none.
func pageOf(r *http.Request) store.Page {
	return store.Page{After: store.Cursor(r.URL.Query().Get("after"))}
}

// nextHref is the link to the page after the current one, keeping the
// list's filters.
func nextHref(r *http.Request, cursor string) string { return queueHref(r, "after", cursor) }

// absoluteURL makes a URL on the portal's public base URL.
func (s *Server) absoluteURL(path string) string {
	u := *s.cfg.BaseURL
	u.Path = path
	u.RawQuery = ""
	return u.String()
}

// businessInfoFrom reads the company name and address fields of a form.
func businessInfoFrom(r *http.Request) portal.BusinessInfo {
	return portal.BusinessInfo{CompanyName: r.PostFormValue("company_name"), Address: r.PostFormValue("address")}
}

// companyCountryFrom reads a form's company (or owner's) country or region.
func companyCountryFrom(r *http.Request) portal.Region {
	return portal.Region(r.PostFormValue("company_country"))
}

// miniAppInfoFrom reads a MINI App's business information form fields.
func miniAppInfoFrom(r *http.Request) portal.MiniAppInfo {
	return portal.MiniAppInfo{
		ServiceCompany:            businessInfoFrom(r),
		DeveloperIsServiceCompany: r.PostFormValue("developer_is_service_company") == "on",
		ProviderIsServiceCompany:  r.PostFormValue("provider_is_service_company") == "on",
		CompanyCountry:            companyCountryFrom(r),
	}
}

// providerChoice is the provider a registration form names: an existing
// one by ID, or with "new" a new one named newName. Anything else is no
// provider (ID -1), refused like someone else's.
func providerChoice(id, newName string) portal.Provider {
	if id == "new" {
		return portal.Provider{Name: newName}
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	if n <= 0 {
		n = -1
	}
	return portal.Provider{ID: n}
}
