package line

// AuthorizeErrorMessage explains, for the person signing in, an error code
// that LINE's authorization endpoint put on the callback (LINE Login v2.1,
// "Receiving an error response").
func AuthorizeErrorMessage(code string) string {
	switch code {
	case "ACCESS_DENIED":
		return "You cancelled signing in on LINE. To use the portal, sign in again and allow access to your LINE profile."
	case "LOGIN_REQUIRED", "INTERACTION_REQUIRED":
		return "LINE needs you to sign in again. Start signing in once more."
	case "SERVER_ERROR":
		return "LINE had a temporary problem. Try signing in again in a few minutes."
	case "INVALID_REQUEST", "UNSUPPORTED_RESPONSE_TYPE", "INVALID_SCOPE":
		return "LINE refused the portal's sign-in request (" + code + "). The portal's LINE Login settings need fixing; tell the portal's administrator."
	default:
		return "LINE could not complete the sign-in. Try again; if it keeps happening, tell the portal's administrator."
	}
}
