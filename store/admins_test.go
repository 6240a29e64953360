package store_test

import (
	"testing"

	"lineportal/internal/portal"
)

// The language a person chose before signing in becomes their saved
// choice only while they have none: a later sign-in, or one from a browser
// set to another language, keeps it.
func TestSignIn_SavesLanguageOnlyWhenNoneIsSaved(t *testing.T) {
	f := newFixture(t)
	const id = "U0123456789abcdef0123456789abcdef"
	for _, c := range []struct{ lang, want string }{
		{"", ""},     // chose nothing: nothing saved
		{"ja", "ja"}, // the first choice is saved
		{"th", "ja"}, // another browser's choice does not replace it
		{"", "ja"},
	} {
		a, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: id, Name: "Nao", Language: c.lang})
		mustNil(t, err)
		if a.Language != c.want {
			t.Fatalf("signing in with %q: language %q, want %q", c.lang, a.Language, c.want)
		}
	}
	a, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: id, Name: "Nao"})
	mustNil(t, err)
	mustNil(t, f.db.SetAdminSettings(ctx, a.ID, "en", ""))
	a, err = f.db.SignIn(ctx, portal.SignIn{LINEUserID: id, Name: "Nao", Language: "th"})
	mustNil(t, err)
	if a.Language != "en" {
		t.Fatalf("a choice saved on the profile became %q at sign-in", a.Language)
	}
}
