package web

import (
	"context"
	"net/http"
	"strings"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/views"
)

// credentials are a channel's credentials to call LINE with: as stored,
// or, when the portal issued the token and it expires within
// portal.TokenRenewalMargin, with a new stateless token issued now from
// the channel ID and secret and stored for every instance. No call is
// made with a token about to expire.
func (s *Server) credentials(ctx context.Context, channelID int64) (portal.ModuleCredentials, error) {
	creds, err := s.db.FindModuleCredentials(ctx, s.cfg.Secrets, channelID)
	if err != nil || !creds.NeedsNewToken(s.now()) {
		return creds, err
	}
	token, expiresAt, err := s.cfg.LINE.StatelessToken(ctx, creds.LINEChannelID, creds.ChannelSecret)
	if err != nil {
		return creds, err
	}
	if err := s.db.StoreIssuedToken(ctx, s.cfg.Secrets, channelID, token, expiresAt); err != nil {
		return creds, err
	}
	creds.AccessToken, creds.TokenExpiresAt = token, expiresAt
	return creds, nil
}

// channelToken is the access token of credentials.
func (s *Server) channelToken(ctx context.Context, channelID int64) (string, error) {
	creds, err := s.credentials(ctx, channelID)
	return creds.AccessToken, err
}

// readOfficialAccountLINE reads what LINE says of the account now: its
// messages this month, its followers on the latest day LINE has and its
// webhook URL. A failure is shown in place, with LINE's request ID; the
// rest of the page does not depend on it. It returns the token it used,
// "" when the account is not connected or LINE failed.
func (s *Server) readOfficialAccountLINE(r *http.Request, v *views.OfficialAccountView) string {
	ctx := r.Context()
	v.LINE.CanConnect = portal.CanConnectOfficialAccount(v.Access.Role)
	token, err := s.channelToken(ctx, v.Account.ChannelID)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return "" // not connected: the page offers the form
	}
	v.LINE.Connected = true
	var quota portal.MessageQuota
	var followers portal.FollowerStats
	var endpoint portal.WebhookEndpoint
	if err == nil {
		quota, err = s.cfg.LINE.MessageQuota(ctx, token)
	}
	if err == nil {
		followers, err = s.cfg.LINE.Followers(ctx, token, portal.LatestInsightDay(s.now()))
	}
	if err == nil {
		endpoint, err = s.cfg.LINE.WebhookEndpoint(ctx, token)
	}
	if err != nil {
		s.log.Warn("reading an Official Account from LINE failed", "request_id", requestID(ctx), "official_account_id", v.Account.ID,
			"line_request_id", line.RequestID(err), "error", err)
		v.LINE.Problem = line.Refusal(err, "")
		return ""
	}
	v.LINE.Quota, v.LINE.Followers = &quota, &followers
	v.LINE.Webhook = &views.OAWebhook{Endpoint: endpoint, PortalURL: s.absoluteURL("/webhooks/line/" + v.Account.LINEChannelID),
		CanSet: portal.CanSetWebhook(v.Access.Role)}
	return token
}

// handleOfficialAccountConnect takes the channel secret of the account's
// Messaging API channel from one of its Admins. LINE proves it by issuing
// a stateless token for the channel, which is kept, sealed, with the
// secret; the portal issues the next tokens itself.
func (s *Server) handleOfficialAccountConnect(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	channelSecret := strings.TrimSpace(r.PostFormValue("channel_secret"))
	err := portal.CanConnectOfficialAccount(v.Access.Role)
	if err == nil {
		err = portal.CheckChannelSecret(channelSecret)
	}
	if err == nil {
		err = s.connectOfficialAccount(r, v.Account, channelSecret)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v.LINE.CanConnect, v.LINE.ConnectRefusal = nil, why
			s.render(w, r, status, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "success", "flash.oa_connected")
}

// connectOfficialAccount proves the channel secret to LINE with a
// stateless token and stores both.
func (s *Server) connectOfficialAccount(r *http.Request, oa portal.OfficialAccount, channelSecret string) error {
	token, expiresAt, err := s.statelessToken(r, oa.LINEChannelID, channelSecret)
	if err != nil {
		return err
	}
	return s.db.ConnectOfficialAccount(r.Context(), s.cfg.Secrets, actor(r), oa.ID, channelSecret, token, expiresAt)
}

// webhookAction loads what an Admin's webhook action needs: the account,
// what LINE says of it and a token. It answers the request itself and
// reports false when any of it fails.
func (s *Server) webhookAction(w http.ResponseWriter, r *http.Request) (views.OfficialAccountView, string, bool) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return v, "", false
	}
	err := portal.CanSetWebhook(v.Access.Role)
	var token string
	if err == nil {
		token = s.readOfficialAccountLINE(r, &v)
		err = v.LINE.Problem
	}
	if err == nil && token == "" {
		err = portal.Refuse(portal.EINVALID, portal.RNoChannelSecret)
	}
	if err != nil {
		s.fail(w, r, err)
		return v, "", false
	}
	return v, token, true
}

// handleOfficialAccountWebhookConfirm is the confirmation before the
// portal takes the channel's webhook: it names what receives the events
// now, which will receive nothing more.
func (s *Server) handleOfficialAccountWebhookConfirm(w http.ResponseWriter, r *http.Request) {
	if v, _, ok := s.webhookAction(w, r); ok {
		s.render(w, r, http.StatusOK, views.OfficialAccountWebhookConfirmPage(s.shell(w, r, "official-accounts"), v))
	}
}

// handleOfficialAccountWebhookSet points the channel's webhook at the
// portal's receiver, after the confirmation.
func (s *Server) handleOfficialAccountWebhookSet(w http.ResponseWriter, r *http.Request) {
	v, token, ok := s.webhookAction(w, r)
	if !ok {
		return
	}
	if v.LINE.Webhook.IsPortal() {
		// Sent again (the back button): setting it again would only add
		// to the history.
		s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "info", "flash.oa_webhook_already")
		return
	}
	from, target := v.LINE.Webhook.Endpoint.URL, v.LINE.Webhook.PortalURL
	// LINE itself reaches only https; the simulator also http on loopback.
	err := portal.CheckWebhookURL(target, s.cfg.SimulatorURL == "")
	if err == nil {
		if err = s.cfg.LINE.SetWebhookEndpoint(r.Context(), token, target); err != nil {
			s.log.Warn("setting a webhook URL failed", "request_id", requestID(r.Context()), "line_request_id", line.RequestID(err), "error", err)
			err = line.Refusal(err, "")
		}
	}
	if err == nil {
		err = s.db.RecordWebhookSet(r.Context(), actor(r), v.Account.ID, from, target)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "success", "flash.oa_webhook_set")
}

// handleOfficialAccountWebhookVerify has LINE send a test delivery to the
// URL set and shows what LINE saw.
func (s *Server) handleOfficialAccountWebhookVerify(w http.ResponseWriter, r *http.Request) {
	v, token, ok := s.webhookAction(w, r)
	if !ok {
		return
	}
	result, err := s.cfg.LINE.TestWebhookEndpoint(r.Context(), token, "")
	if err != nil {
		s.log.Warn("verifying a webhook URL failed", "request_id", requestID(r.Context()), "line_request_id", line.RequestID(err), "error", err)
		v.LINE.Webhook.Problem = line.Refusal(err, "")
	} else {
		v.LINE.Webhook.Test = &result
	}
	s.render(w, r, http.StatusOK, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
}
