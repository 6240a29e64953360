package web

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/views"
)

// Attaching a module channel to a LINE Official Account: off to LINE's
// authorization screen, and back to /modules/callback.

// attachFlowTTL is how long attaching may take between leaving for LINE
// and coming back to /modules/callback.
const attachFlowTTL = 10 * time.Minute

// Session keys of an attach in progress.
const (
	keyAttachState         = "attach_state"
	keyAttachVerifier      = "attach_verifier"
	keyAttachChannel       = "attach_channel"
	keyAttachStarted       = "attach_started"
	keyAttachRegion        = "attach_region"
	keyAttachBasicSearchID = "attach_basic_search_id"
	keyAttachScopes        = "attach_scopes"      // space-separated
	keyAttachBrandTypes    = "attach_brand_types" // space-separated
)

// knownScopes are the scope names LINE documents, in LINE's order.
func knownScopes() []string {
	names := make([]string, len(line.ModuleScopes))
	for i, sc := range line.ModuleScopes {
		names[i] = sc.Name
	}
	return names
}

// handleModuleAttachStart sends the browser to LINE's authorization screen
// with a fresh state and PKCE verifier, kept in the server-side session.
func (s *Server) handleModuleAttachStart(w http.ResponseWriter, r *http.Request) {
	ch, access, ok := s.loadModule(w, r)
	if !ok {
		return
	}
	if err := portal.CanStartAttach(access.Role, ch); err != nil {
		s.fail(w, r, err)
		return
	}
	req := line.AttachRequest{
		ChannelID: ch.LINEChannelID, RedirectURL: s.absoluteURL("/modules/callback"),
		State: rand.Text(), CodeVerifier: oauth2.GenerateVerifier(),
		Region: r.PostFormValue("region"), Scopes: r.PostForm["scope"], BrandTypes: r.PostForm["brand_type"],
	}
	// One account to offer, or (left empty) every account that fits.
	typed := strings.TrimSpace(r.PostFormValue("basic_search_id"))
	var basicIDRefusal error
	if typed != "" {
		req.BasicSearchID, basicIDRefusal = portal.ParseBasicID(typed)
	}
	err := portal.FieldRefusals(portal.CheckAttachRequest(req.Region, req.Scopes, req.BrandTypes, knownScopes()), portal.OnField(basicIDRefusal, "basic_search_id"))
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v := views.ModuleView{Channel: ch, Access: access, AttachRefusal: why,
				Attach: views.AttachForm{Region: req.Region, BasicSearchID: typed, BrandTypes: req.BrandTypes}}
			s.renderModule(w, r, status, v, append([]string{}, req.Scopes...))
		})
		return
	}
	sess := s.sessions.current(r)
	if sess == nil {
		s.fail(w, r, errors.New("web: no session to keep the attach flow in"))
		return
	}
	sess.Values[keyAttachState] = req.State
	sess.Values[keyAttachVerifier] = req.CodeVerifier
	sess.Values[keyAttachChannel] = ch.ID
	sess.Values[keyAttachStarted] = s.now().UnixMilli()
	// The code's exchange repeats what the authorization URL asked for.
	sess.Values[keyAttachRegion] = req.Region
	sess.Values[keyAttachBasicSearchID] = req.BasicSearchID
	sess.Values[keyAttachScopes] = strings.Join(req.Scopes, " ")
	sess.Values[keyAttachBrandTypes] = strings.Join(req.BrandTypes, " ")
	if err := sess.Save(r, w); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.cfg.LINE.AttachURL(req), http.StatusSeeOther)
}

// handleModuleCallback finishes attaching: the flow is used up first, then
// the state is checked, the code exchanged and the attachment recorded.
func (s *Server) handleModuleCallback(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.current(r)
	if sess == nil {
		s.fail(w, r, errors.New("web: no session"))
		return
	}
	state, _ := sess.Values[keyAttachState].(string)
	channelID, _ := sess.Values[keyAttachChannel].(int64)
	started, _ := sess.Values[keyAttachStarted].(int64)
	asked := line.AttachRequest{RedirectURL: s.absoluteURL("/modules/callback")}
	asked.CodeVerifier, _ = sess.Values[keyAttachVerifier].(string)
	asked.Region, _ = sess.Values[keyAttachRegion].(string)
	asked.BasicSearchID, _ = sess.Values[keyAttachBasicSearchID].(string)
	scopes, _ := sess.Values[keyAttachScopes].(string)
	brandTypes, _ := sess.Values[keyAttachBrandTypes].(string)
	asked.Scopes, asked.BrandTypes = strings.Fields(scopes), strings.Fields(brandTypes)
	for _, k := range []string{keyAttachState, keyAttachVerifier, keyAttachChannel, keyAttachStarted,
		keyAttachRegion, keyAttachBasicSearchID, keyAttachScopes, keyAttachBrandTypes} {
		delete(sess.Values, k)
	}
	if err := sess.Save(r, w); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	switch {
	case state == "" || s.now().Sub(time.UnixMilli(started)) > attachFlowTTL:
		s.fail(w, r, portal.Refuse(portal.EINVALID, portal.RAttachFlowMissing))
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		s.fail(w, r, portal.Refuse(portal.EINVALID, portal.RAttachStateMismatch))
		return
	case q.Get("error") != "":
		if q.Get("error") == "access_denied" {
			s.redirectWithFlash(w, r, views.ModulePath(channelID), "error", "flash.attach_cancelled")
			return
		}
		s.redirectWithFlash(w, r, views.ModulePath(channelID), "error", "flash.attach_failed", "Code", q.Get("error"))
		return
	}
	ctx := r.Context()
	ch, err := s.db.FindChannelByID(ctx, channelID)
	var creds portal.ModuleCredentials
	if err == nil {
		creds, err = s.credentials(ctx, channelID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	asked.ChannelID = ch.LINEChannelID
	att, err := s.cfg.LINE.ExchangeAttachCode(ctx, creds.ChannelSecret, q.Get("code"), asked)
	if err != nil {
		s.lineRefused(w, r, views.ModulePath(channelID), "attaching", err)
		return
	}
	a, err := s.db.RecordAttachment(ctx, actor(r), channelID, att)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Names and pictures come from LINE's bot list; without them the page
	// shows the bot ID, so a failure here is logged, not shown.
	if page, err := s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, "", line.DefaultBotPageSize); err != nil {
		s.log.Warn("LINE's bot list after attaching", "request_id", requestID(ctx), "line_request_id", line.RequestID(err), "error", err)
	} else if err := s.recordBots(ctx, ch, page); err != nil {
		s.log.Error("recording LINE's bot list after attaching", "request_id", requestID(ctx), "error", err)
	}
	// Named as LINE's list names it, read again now that the list is in.
	if named, err := s.db.FindAttachment(ctx, channelID, a.Bot.BotID); err == nil {
		a = named
	}
	s.redirectWithFlash(w, r, views.BotPath(channelID, a.Bot.BotID), "success", "flash.module_attached", "Name", a.Name(), "Scopes", strings.Join(a.Scopes, " "))
}
