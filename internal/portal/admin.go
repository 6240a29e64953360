package portal

import "time"

// Admin is a person signed in to the portal with LINE Login. Their LINE
// user ID is their identity; there are no passwords.
type Admin struct {
	ID         int64
	LINEUserID string
	Name       string
	PictureURL string
	// Operator is true for admins named in the portal's configuration: they
	// run the reviews that LINE staff run.
	Operator bool
	// FriendshipChanged is friendship_status_changed from the latest
	// sign-in: nil when LINE did not show the add-friend option.
	FriendshipChanged *bool
	// FriendFlag is whether the admin is a friend of the portal's Official
	// Account (and has not blocked it), as of the latest sign-in or, later,
	// the latest follow or unfollow its webhook told (FriendshipChanges);
	// nil when LINE could not be asked.
	FriendFlag *bool
	// BlockedPortalOA is whether the admin blocked the portal's Official
	// Account and has not added it since, as its webhook told (LINE's
	// unfollow); a sign-in can't tell a block from never having added it.
	BlockedPortalOA bool
	CreatedAt       time.Time
	LastSignInAt    time.Time
	// Language is the language the admin chose ("en", "ja", "th", "zh-TW"), with
	// the header's switcher or on their profile, or, until they do, the one
	// they first signed in reading; empty if that was none of the portal's
	// (the browser's preference then applies). LINE messages to them are
	// written in it.
	Language string
	// TimeZone is the IANA zone the admin chose for the times shown to
	// them; empty means their language's default.
	TimeZone string
}

// SignIn is what a successful LINE Login tells about the admin.
type SignIn struct {
	LINEUserID        string
	Name              string
	PictureURL        string
	FriendshipChanged *bool
	FriendFlag        *bool // nil when LINE could not be asked: the flag known before stays
	// FriendFlagAt is when LINE was asked for FriendFlag (zero: when the
	// sign-in is recorded). A follow or block LINE's webhook told of since
	// is newer, and stays.
	FriendFlagAt time.Time
	// Language is the language the person signed in reading: chosen with
	// the switcher, else asked for by their browser ("" when neither names
	// one of the portal's languages). It becomes their saved choice if they
	// have none yet, so that LINE messages speak it too.
	Language string
}

// ReachableByLINE returns the admins a LINE message from the portal's
// Official Account reaches: those who, as last known, are its friends and
// have not blocked it. LINE delivers nothing to anyone else.
func ReachableByLINE(admins []Admin) []Admin {
	var reachable []Admin
	for _, a := range admins {
		if a.FriendFlag != nil && *a.FriendFlag {
			reachable = append(reachable, a)
		}
	}
	return reachable
}

// FriendshipChange is a person adding the portal's Official Account as a
// friend (or unblocking it) or blocking it, as its webhook tells.
type FriendshipChange struct {
	LINEUserID string
	Friend     bool
	At         time.Time // the event's time, by LINE's clock
}

// FriendshipChanges returns what the portal's own Official Account's
// webhook events say of friendships: its follow and unfollow events from
// a user. The rest (messages, a group joined) say nothing of them. Which
// change wins is the one that happened last, not the one that arrived
// last: LINE redelivers, and not in order.
func FriendshipChanges(events []WebhookEvent) []FriendshipChange {
	var changes []FriendshipChange
	for _, e := range events {
		if (e.Type == EventFollow || e.Type == EventUnfollow) && e.Source.Type == "user" && e.Source.UserID != "" && !e.Timestamp.IsZero() {
			changes = append(changes, FriendshipChange{LINEUserID: e.Source.UserID, Friend: e.Type == EventFollow, At: e.Timestamp})
		}
	}
	return changes
}
