// Package linesim is an in-process simulator of the parts of the LINE platform
// that the portal talks to. One http.Handler serves LINE's own paths, so that
// the real access.line.me, api.line.me and manager.line.biz hosts all map to the
// simulator's base URL and clients differ only in configuration.
//
// This part covers LINE Login v2.1: discovery, the authorization screens, the
// token, verify, revoke, userinfo, profile, friendship-status and deauthorize
// endpoints, and a simulator-only control surface under /sim/ (a page and a
// JSON API) for users, friendships, the clock, Official Accounts, module
// attachments, Primary channel webhooks and email permissions.
//
// The screens (login, consent, add friend, module authorization) speak
// English, Japanese, Thai or Traditional Chinese: the first of ui_locales
// the simulator knows,
// else the browser's Accept-Language, else English, from the simulator's own
// message bundle (locales/). LINE's own error pages for a bad client_id or
// redirect_uri stay in English.
//
// The clock is Config.Now moved forward by the control surface; every
// lifetime (codes, tokens, continuation tokens, chat control) runs on it.
//
// # Choices where LINE documents the screens but not every case
//
// Signing in. The simulator has no LINE app and no passwords: step 1 of the
// consent screen picks an existing simulated user or creates one by name, and
// step 2 asks for consent. Picking an existing user is reported in the ID
// token's amr as "linesso" (the "Continue as" screen); creating a user, or
// any pick under prompt=login, as "pwd" (a fresh email login). Step 1 signs
// the browser in to LINE (a session cookie on the simulator's origin) and
// preselects that user next time, except under prompt=login; auth_time is
// the time of step 1. Without prompt=none both screens are always shown, so
// prompt=consent and prompt=login never skip one; LINE may skip them (auto
// login, scopes already granted). prompt=none shows no screen: a browser
// signed in (within max_age, if sent) as a user who granted the channel
// every requested scope gets its code (amr "lineautologin"); otherwise the
// client hears LOGIN_REQUIRED or INTERACTION_REQUIRED.
//
// response_mode: query (default), form_post (a page whose form posts the
// parameters to the redirect URI; it submits itself, or shows Continue
// without JavaScript), and query.jwt, jwt (= query.jwt) and form_post.jwt:
// one parameter, response, a JWT (JARM) signed HS256 with the channel secret
// holding iss, aud (the channel ID), exp (10 minutes) and the parameters as
// string claims. Error responses use the request's mode too, except that an
// unknown response_mode is itself reported in the query.
//
// bot_prompt=normal on a channel with a linked official account: step 2 shows
// the add-friend option for the picked user's current friendship: a checkbox
// "Add <OA> as a friend" when not a friend, a checkbox "Unblock <OA>" when
// blocked, and the text "You are friends with <OA>" when already a friend. The
// option is shown in all three cases, so the callback always carries
// friendship_status_changed: "true" when the user ticked the box (the
// friendship becomes "friend"), "false" otherwise. The checkbox starts
// unticked, as for providers that are not certified.
//
// bot_prompt=aggressive on a channel with a linked official account: after
// Allow, a separate add-friend screen ("Add friend" or "Unblock", and "Not
// now") is shown when the user is not a friend or has blocked the account; its
// answer gives friendship_status_changed "true" or "false". A user who is
// already a friend skips that screen, and because nothing was shown the
// parameter is omitted.
//
// No bot_prompt, or no linked official account: no option and no parameter.
//
// Channels behave as "Web app" channels: client_secret is required on the
// token and revoke endpoints. A failed token request does not consume the
// authorization code; a second successful-looking use of a code is refused and
// revokes every token issued from it (RFC 6749 section 4.1.2). Refreshing keeps
// the refresh token and its 90-day lifetime and leaves earlier access tokens
// valid. Revoking an access token revokes everything issued from the same
// authorization. The email claim needs the email scope, the channel's email
// permission and a user with an address. Deauthorizing (the channel, by
// /user/v1/deauthorize with its own stateless channel access token) or
// unlinking (the user, on the control surface) revokes every token of the
// user's logins to the channel and forgets the consent.
//
// # Module channels, shop and webhooks
//
// The simulator also serves module attachment (/module/auth/v1/authorize and
// /token, the manager.line.biz paths), stateless channel access tokens
// (/oauth2/v3/token), the module channel APIs (bot list, detach, acquire and
// release chat control), POST /v2/bot/message/markAsRead, a minimal POST
// /v2/bot/message/push (text only, X-Line-Retry-Key; 429 "You have reached
// your monthly limit." past the account's quota), GET
// /v2/bot/message/quota and /quota/consumption, GET
// /v2/bot/insight/followers (quota.go) and POST /shop/v3/mission, and
// delivers signed webhooks to module channels. Where LINE leaves a case open
// it behaves as follows.
//
// Tokens. Module channels get stateless tokens (15 minutes) or, through
// IssueChannelToken, tokens that never expire, for demos and tests; LINE
// gives module channels no such token. Client assertions (JWT) are answered
// 404 "Cannot find channel key that satisfies the conditions", LINE's answer
// for a channel without a registered assertion key, on /oauth2/v3/token and
// on the client_credentials grant of /oauth2/v2.1/token.
//
// The bot-user-ID header. Its real name is private, so Config.BotIDHeader
// names it (default X-Line-Bot-Id). Acquire, release, mark as read, push and
// mission stickers need it: missing → 400; naming an unknown bot → 400; a
// bot the module is not attached to → 403; a suspended bot → 403 "The LINE
// Official Account is suspended"; a missing scope → 403 (chat control needs
// message:receive, push message:send, mark as read message:mark_as_read).
// The bot list and detach need no header and work for suspended bots.
//
// Chats are the 1:1 chats of a bot with its friends. A module names them by
// the 68-character module user ID (ModuleUserID); the user's own ID is
// accepted too. A well-formed ID that is not a friend's, a group or a room
// is 404 on acquire; a module user ID of another bot, or any other shape, is
// 400. Another module acquiring within 5 seconds of the holder's acquire is
// 423. Chat control that ran out ends without events, as LINE documents; an
// activated event for control without a time limit has chatControl.expireAt
// 0. Blocking or re-adding the account resets the chat to the Primary
// channel.
//
// Attaching. Authorize errors after client_id and redirect_uri are checked go
// to the redirect URI with RFC 6749's lower-case codes. The token endpoint
// answers 403 invalid_client for wrong credentials and 400 for everything
// else, in RFC 6749's shape; repeating region, scope and the like is
// accepted and not compared. Attaching again replaces the scopes.
//
// Detach answers "user/group/room Id is not available." for an unknown or
// malformed bot ID and "Specified channel is not detachable" for a bot the
// module is not attached to. Its detached event has reason module_detached
// (LINE documents only bot_deleted); deleting the account on the control page
// detaches with reason bot_deleted at once (LINE: about three months later).
//
// Mission stickers answer by package ID: 10001 and 10002 are granted; 20001
// illegal argument, 20002 not_sales_period, 20003 not sale for country, 20004
// not sale for device, 20005 not sale for version (400, the wording of the
// corporate options document, which differs from LINE's API reference),
// 20006 sticker set not available for channel (400), 20403 not allowed to
// use the API (403), 20500 internal error (500), 20502 upstream error (502);
// any other package is 404 not found; a "to" that is no user of the bot is
// 400 invalid request. The control page lists them too.
//
// Webhooks. Each module channel's events go to its webhook URL, signed with
// its secret, up to 100 events of one bot per request, one request at a
// time. A failed request is retried twice (after 200 and 400 ms) with
// isRedelivery set; the control surface redelivers any finished delivery on
// demand, with the same webhookEventIds. follow and unfollow go to modules
// attached with message:receive, in standby mode and without a reply token;
// the module events go to every attached module.
package linesim
