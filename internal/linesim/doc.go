// Package linesim is an in-process simulator of the parts of the LINE platform
// that the portal talks to. One http.Handler serves LINE's own paths, so that
// the real access.line.me, api.line.me and manager.line.biz hosts all map to the
// simulator's base URL and clients differ only in configuration.
//
// This part covers LINE Login v2.1: discovery, the authorization screens, the
// token, verify, revoke, userinfo, profile and friendship-status endpoints, and
// a simulator-only control surface under /sim/ for users and friendships.
//
// # Choices where LINE documents the screens but not every case
//
// Signing in. The simulator has no LINE app and no passwords: step 1 of the
// consent screen picks an existing simulated user or creates one by name, and
// step 2 asks for consent. Picking an existing user is reported in the ID
// token's amr as "linesso" (the "Continue as" screen); creating a user as "pwd"
// (a fresh email login).
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
// authorization. Simulated users have no email address, so the email scope can
// be granted but no email claim is ever issued.
package linesim
