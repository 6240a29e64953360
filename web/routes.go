package web

import (
	"net/http"
	"slices"

	"lineportal/static"
)

// route is one entry of the route table: a ServeMux pattern and what
// answers it.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable is every route of the portal, grouped by resource, read top to
// bottom. The route catalogue test (catalogue_test.go) holds a fixture for
// each.
func (s *Server) routeTable() []route {
	public := func(h http.HandlerFunc) http.Handler { return h }
	return slices.Concat([]route{
		// Assets, health and LINE's calls: no session, and no client
		// limit (client_limit.go). Webhooks are server to server and
		// signed (webhook.go).
		{"GET /static/{hash}/{name}", static.Handler()},
		{"GET /healthz", public(s.handleHealthz)},
		{"GET /readyz", public(s.handleReadyz)},
		{"POST /webhooks/line/{channelID}", public(s.handleWebhook)},
		// The portal's own Official Account's; the path is
		// simulated.PortalOAWebhookPath.
		{"POST /webhooks/line/portal-oa", public(s.handlePortalOAWebhook)},

		// Signing in and out, and the language.
		{"GET /login", s.withAdmin(s.handleLogin)},                // withAdmin: LINE speaks a signed-in admin's saved language
		{"GET /auth/callback", s.withAdmin(s.handleAuthCallback)}, // withAdmin: a signed-out client's callbacks count against its limit
		{"POST /logout", public(s.handleLogout)},
		{"POST /language", s.withAdmin(s.handleLanguage)},

		// Home and the signed-in admin's profile.
		{"GET /{$}", s.withAdmin(s.handleHome)},
		{"GET /profile", s.signedIn(s.handleProfile)},
		{"POST /profile/settings", s.signedIn(s.handleSettingsUpdate)},
		{"POST /profile/line-notices", s.signedIn(s.handleLINEChoices)},

		// Channels: registering them, their Business Manager link,
		// business information, Linked OA, members and history.
		{"GET /channels", s.signedIn(s.handleChannelList)},
		{"GET /channels/new", s.signedIn(s.handleChannelNew)},
		{"POST /channels", s.signedIn(s.handleChannelRegister)},
		{"GET /channels/{id}", s.signedIn(s.handleChannelShow)},
		{"POST /channels/{id}/link-requests", s.signedIn(s.handleLinkRequestCreate)},
		{"POST /channels/{id}/link-requests/notify", s.signedIn(s.handleLinkRequestNotify)},
		{"GET /channels/{id}/business-info", s.signedIn(s.handleChannelBusinessInfo)},
		{"POST /channels/{id}/business-info", s.signedIn(s.handleChannelDraftUpdate)},
		{"POST /channels/{id}/mini-app-review", s.signedIn(s.handleMiniAppReviewSubmit)},
		{"POST /channels/{id}/linked-oa", s.signedIn(s.handleLinkedOASet)},
		{"GET /channels/{id}/members", s.signedIn(s.handleChannelMembers)},
		{"POST /channels/{id}/members", s.signedIn(s.handleChannelRoleGrant)},
		{"GET /channels/{id}/history", s.signedIn(s.handleChannelHistory)},

		// The link request URL sent to organization administrators.
		{"GET /link/{token}", s.signedIn(s.handleLinkApprovalShow)},
		{"POST /link/{token}", s.signedIn(s.handleLinkApprove)},
		// The same approval from Home, by an administrator, without the URL.
		{"GET /organizations/{org}/link-requests/{id}", s.signedIn(s.handleHomeApprovalShow)},
		{"POST /organizations/{org}/link-requests/{id}", s.signedIn(s.handleHomeApprove)},

		// Business Manager organizations: registering them, their linked
		// accounts and reviews, business info, OA linking, administrators
		// and history.
		{"GET /organizations", s.signedIn(s.handleOrganizationList)},
		{"GET /organizations/new", s.signedIn(s.handleOrganizationNew)},
		{"POST /organizations", s.signedIn(s.handleOrganizationRegister)},
		{"GET /organizations/{org}", s.signedIn(s.handleOrganizationAccounts)},
		{"GET /organizations/{org}/accounts/{channel}", s.signedIn(s.handleAccountDetails)},
		{"POST /organizations/{org}/accounts/{channel}/resubmit", s.signedIn(s.handleReviewResubmit)},
		{"GET /organizations/{org}/accounts/{channel}/transfer", s.signedIn(s.handleChannelTransferConfirm)},
		{"POST /organizations/{org}/accounts/{channel}/transfer", s.signedIn(s.handleChannelTransfer)},
		{"POST /organizations/{org}/accounts/{channel}/override", s.operatorOnly(s.handleReviewOverride)},
		{"GET /organizations/{org}/business-info", s.signedIn(s.handleOrganizationInfo)},
		{"POST /organizations/{org}/business-info", s.signedIn(s.handleOrganizationInfoUpdate)},
		{"POST /organizations/{org}/verification", s.signedIn(s.handleVerificationSubmit)},
		{"GET /organizations/{org}/oa-linking", s.signedIn(s.handleOALinking)},
		{"GET /organizations/{org}/oa-linking/{oa}", s.signedIn(s.handleOALinking)},
		{"GET /organizations/{org}/oa-linking/{oa}/targets", s.signedIn(s.handleOALinkTargets)},
		{"GET /organizations/{org}/oa-linking/{oa}/targets/{channel}", s.signedIn(s.handleOALinkConfirm)},
		{"POST /organizations/{org}/oa-linking/{oa}/targets/{channel}", s.signedIn(s.handleOALink)},
		{"GET /organizations/{org}/members", s.signedIn(s.handleOrganizationMembers)},
		{"POST /organizations/{org}/members", s.signedIn(s.handleOrganizationAdminAdd)},
		{"GET /organizations/{org}/history", s.signedIn(s.handleOrganizationHistory)},

		// LINE Official Accounts: registering them, editing, linking to an
		// organization and transferring.
		{"GET /official-accounts", s.signedIn(s.handleOfficialAccountList)},
		{"GET /official-accounts/new", s.signedIn(s.handleOfficialAccountNew)},
		{"POST /official-accounts", s.signedIn(s.handleOfficialAccountRegister)},
		{"GET /official-accounts/{id}", s.signedIn(s.handleOfficialAccountShow)},
		{"POST /official-accounts/{id}", s.signedIn(s.handleOfficialAccountUpdate)},
		{"POST /official-accounts/{id}/organization-link", s.signedIn(s.handleOfficialAccountOrgLink)},
		{"GET /official-accounts/{id}/transfer", s.signedIn(s.handleOfficialAccountTransferConfirm)},
		{"POST /official-accounts/{id}/transfer", s.signedIn(s.handleOfficialAccountTransfer)},
		{"POST /official-accounts/{id}/channel-secret", s.signedIn(s.handleOfficialAccountConnect)},
		{"GET /official-accounts/{id}/webhook", s.signedIn(s.handleOfficialAccountWebhookConfirm)},
		{"POST /official-accounts/{id}/webhook", s.signedIn(s.handleOfficialAccountWebhookSet)},
		{"POST /official-accounts/{id}/webhook/verify", s.signedIn(s.handleOfficialAccountWebhookVerify)},

		// The signed-in person's notifications.
		{"GET /notifications", s.signedIn(s.handleNotifications)},
		{"POST /notifications/read", s.signedIn(s.handleMarkRead)},
		{"POST /notifications/{id}/read", s.signedIn(s.handleMarkRead)},

		// Invitation URLs, opened by the person invited.
		{"GET /invitations/{token}", s.withAdmin(s.handleInvitationShow)}, // withAdmin: a newcomer reads it before signing in
		{"POST /invitations/{token}/accept", s.signedIn(s.handleInvitationAccept)},
		{"POST /invitations/{token}/decline", s.signedIn(s.handleInvitationDecline)},
	}, s.peopleRoutes("/channels/{id}", channelTeam), s.peopleRoutes("/official-accounts/{id}", officialAccountTeam),
		s.peopleRoutes("/organizations/{org}", organizationTeam), []route{
			// Module channels: registering them, their credentials, attaching.
			{"GET /modules", s.signedIn(s.handleModuleList)},
			{"GET /modules/new", s.signedIn(s.handleModuleNew)},
			{"POST /modules", s.signedIn(s.handleModuleRegister)},
			{"GET /modules/callback", s.signedIn(s.handleModuleCallback)},
			{"GET /modules/{id}", s.signedIn(s.handleModuleShow)},
			{"POST /modules/{id}/attach", s.signedIn(s.handleModuleAttachStart)},
			{"POST /modules/{id}/credentials", s.signedIn(s.handleModuleCredentials)},

			// The bots a module channel is attached to.
			{"GET /modules/{id}/bots", s.signedIn(s.handleBotList)},
			{"GET /modules/{id}/bots/{bot}", s.signedIn(s.handleBotShow)},
			{"GET /modules/{id}/bots/{bot}/detach", s.signedIn(s.handleDetachConfirm)},
			{"POST /modules/{id}/bots/{bot}/detach", s.signedIn(s.handleDetach)},
			{"POST /modules/{id}/bots/{bot}/chat-control/acquire", s.signedIn(s.handleChatAcquire)},
			{"POST /modules/{id}/bots/{bot}/chat-control/release", s.signedIn(s.handleChatRelease)},
			{"POST /modules/{id}/bots/{bot}/mission-sticker", s.signedIn(s.handleMissionSticker)},
			{"POST /modules/{id}/bots/{bot}/mark-as-read", s.signedIn(s.handleMarkAsRead)},

			// Operators' review queues.
			{"GET /operator", s.operatorOnly(s.handleOperatorQueues)},
			{"POST /operator/organizations/{org}/verify", s.operatorOnly(s.handleVerifyOrganization)},
			{"POST /operator/organizations/{org}/reject", s.operatorOnly(s.handleRejectOrganization)},
			{"POST /operator/channels/{id}/approve", s.operatorOnly(s.handleApproveMiniApp)},
			{"POST /operator/channels/{id}/reject", s.operatorOnly(s.handleRejectMiniApp)},
		})
}

// routes registers the route table. Everything else answers 405 when the
// path exists for another method, else the 404 page.
func (s *Server) routes() {
	for _, rt := range s.routeTable() {
		s.mux.Handle(rt.pattern, rt.handler)
	}
	s.mux.HandleFunc("/", s.handleNoRoute)
}
