package web

import (
	"lineportal/static"
)

// routes is the whole route table, read top to bottom.
func (s *Server) routes() {
	// Assets and health: no session.
	s.mux.Handle("GET /static/{hash}/{name}", static.Handler())
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("POST /webhooks/line/{channelID}", s.handleWebhook) // LINE, server to server: no session; signed (webhook.go)

	// Sign-in.
	s.mux.Handle("GET /login", s.withAdmin(s.handleLogin)) // withAdmin: LINE speaks a signed-in admin's saved language
	s.mux.HandleFunc("GET /auth/callback", s.handleAuthCallback)
	s.mux.HandleFunc("POST /logout", s.handleLogout)
	s.mux.Handle("POST /language", s.withAdmin(s.handleLanguage))

	// Pages.
	s.mux.Handle("GET /{$}", s.withAdmin(s.handleHome))
	s.mux.Handle("GET /profile", s.signedIn(s.handleProfile))
	s.mux.Handle("POST /profile/settings", s.signedIn(s.handleSettingsUpdate))

	// Channels and their Business Manager link.
	s.mux.Handle("GET /channels", s.signedIn(s.handleChannelList))
	s.mux.Handle("GET /channels/{id}", s.signedIn(s.handleChannelShow))
	s.mux.Handle("POST /channels/{id}/link-requests", s.signedIn(s.handleLinkRequestCreate))
	s.mux.Handle("POST /channels/{id}/link-requests/notify", s.signedIn(s.handleLinkRequestNotify))
	s.mux.Handle("GET /channels/{id}/business-info", s.signedIn(s.handleChannelBusinessInfo))
	s.mux.Handle("POST /channels/{id}/business-info", s.signedIn(s.handleChannelDraftUpdate))
	s.mux.Handle("POST /channels/{id}/mini-app-review", s.signedIn(s.handleMiniAppReviewSubmit))
	s.mux.Handle("GET /channels/{id}/history", s.signedIn(s.handleChannelHistory))
	s.mux.Handle("POST /channels/{id}/linked-oa", s.signedIn(s.handleLinkedOASet))

	// Registering channels and their members.
	s.mux.Handle("GET /channels/new", s.signedIn(s.handleChannelNew))
	s.mux.Handle("POST /channels", s.signedIn(s.handleChannelRegister))
	s.mux.Handle("GET /channels/{id}/members", s.signedIn(s.handleChannelMembers))
	s.mux.Handle("POST /channels/{id}/members", s.signedIn(s.handleChannelRoleGrant))
	// End of registering channels and their members.

	// LINE Official Accounts.
	s.mux.Handle("GET /official-accounts", s.signedIn(s.handleOfficialAccountList))
	s.mux.Handle("GET /official-accounts/{id}", s.signedIn(s.handleOfficialAccountShow))
	s.mux.Handle("POST /official-accounts/{id}", s.signedIn(s.handleOfficialAccountUpdate))
	s.mux.Handle("POST /official-accounts/{id}/organization-link", s.signedIn(s.handleOfficialAccountOrgLink))

	// The link request URL sent to organization administrators.
	s.mux.Handle("GET /link/{token}", s.signedIn(s.handleLinkApprovalShow))
	s.mux.Handle("POST /link/{token}", s.signedIn(s.handleLinkApprove))

	// Business Manager organizations.
	s.mux.Handle("GET /organizations", s.signedIn(s.handleOrganizationList))
	s.mux.Handle("GET /organizations/{org}", s.signedIn(s.handleOrganizationAccounts))
	s.mux.Handle("GET /organizations/{org}/accounts/{channel}", s.signedIn(s.handleAccountDetails))
	s.mux.Handle("POST /organizations/{org}/accounts/{channel}/resubmit", s.signedIn(s.handleReviewResubmit))
	s.mux.Handle("POST /organizations/{org}/accounts/{channel}/transfer", s.signedIn(s.handleChannelTransfer))
	s.mux.Handle("POST /organizations/{org}/accounts/{channel}/override", s.operatorOnly(s.handleReviewOverride))
	s.mux.Handle("GET /organizations/{org}/business-info", s.signedIn(s.handleOrganizationInfo))
	s.mux.Handle("POST /organizations/{org}/business-info", s.signedIn(s.handleOrganizationInfoUpdate))
	s.mux.Handle("POST /organizations/{org}/verification", s.signedIn(s.handleVerificationSubmit))
	s.mux.Handle("GET /organizations/{org}/oa-linking", s.signedIn(s.handleOALinking))
	s.mux.Handle("GET /organizations/{org}/oa-linking/{oa}", s.signedIn(s.handleOALinking))
	s.mux.Handle("GET /organizations/{org}/oa-linking/{oa}/targets", s.signedIn(s.handleOALinkTargets))
	s.mux.Handle("GET /organizations/{org}/oa-linking/{oa}/targets/{channel}", s.signedIn(s.handleOALinkConfirm))
	s.mux.Handle("POST /organizations/{org}/oa-linking/{oa}/targets/{channel}", s.signedIn(s.handleOALink))
	s.mux.Handle("GET /organizations/{org}/members", s.signedIn(s.handleOrganizationMembers))
	s.mux.Handle("GET /organizations/{org}/history", s.signedIn(s.handleOrganizationHistory))

	// Registering organizations, administrators and Official Accounts.
	s.mux.Handle("GET /organizations/new", s.signedIn(s.handleOrganizationNew))
	s.mux.Handle("POST /organizations", s.signedIn(s.handleOrganizationRegister))
	s.mux.Handle("POST /organizations/{org}/members", s.signedIn(s.handleOrganizationAdminAdd))
	s.mux.Handle("GET /official-accounts/new", s.signedIn(s.handleOfficialAccountNew))
	s.mux.Handle("POST /official-accounts", s.signedIn(s.handleOfficialAccountRegister))
	s.mux.Handle("POST /official-accounts/{id}/transfer", s.signedIn(s.handleOfficialAccountTransfer))
	// End of registering organizations, administrators and Official Accounts.

	// Module channels.
	s.mux.Handle("GET /modules", s.signedIn(s.handleModuleList))
	s.mux.Handle("GET /modules/new", s.signedIn(s.handleModuleNew))
	s.mux.Handle("POST /modules", s.signedIn(s.handleModuleRegister))
	s.mux.Handle("GET /modules/callback", s.signedIn(s.handleModuleCallback))
	s.mux.Handle("GET /modules/{id}", s.signedIn(s.handleModuleShow))
	s.mux.Handle("POST /modules/{id}/attach", s.signedIn(s.handleModuleAttachStart))
	s.mux.Handle("POST /modules/{id}/credentials", s.signedIn(s.handleModuleCredentials))
	s.mux.Handle("GET /modules/{id}/bots", s.signedIn(s.handleBotList))
	s.mux.Handle("GET /modules/{id}/bots/{bot}", s.signedIn(s.handleBotShow))
	s.mux.Handle("GET /modules/{id}/bots/{bot}/detach", s.signedIn(s.handleDetachConfirm))
	s.mux.Handle("POST /modules/{id}/bots/{bot}/detach", s.signedIn(s.handleDetach))
	s.mux.Handle("POST /modules/{id}/bots/{bot}/chat-control/acquire", s.signedIn(s.handleChatAcquire))
	s.mux.Handle("POST /modules/{id}/bots/{bot}/chat-control/release", s.signedIn(s.handleChatRelease))
	s.mux.Handle("POST /modules/{id}/bots/{bot}/mission-sticker", s.signedIn(s.handleMissionSticker))
	s.mux.Handle("POST /modules/{id}/bots/{bot}/mark-as-read", s.signedIn(s.handleMarkAsRead))

	// Operators' review queues.
	s.mux.Handle("GET /operator", s.operatorOnly(s.handleOperatorQueues))
	s.mux.Handle("POST /operator/organizations/{org}/verify", s.operatorOnly(s.handleVerifyOrganization))
	s.mux.Handle("POST /operator/organizations/{org}/reject", s.operatorOnly(s.handleRejectOrganization))
	s.mux.Handle("POST /operator/channels/{id}/approve", s.operatorOnly(s.handleApproveMiniApp))
	s.mux.Handle("POST /operator/channels/{id}/reject", s.operatorOnly(s.handleRejectMiniApp))

	// Everything else: 405 when the path exists for another method, else
	// the 404 page.
	s.mux.HandleFunc("/", s.handleNoRoute)
}
