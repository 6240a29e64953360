package portal

import (
	"strings"
	"unicode/utf8"
)

// Limits on what people type, in characters. LINE's own where LINE states
// one, so that what the portal records fits what LINE's consoles accept;
// the portal's own otherwise, generous for real names and addresses and
// small enough that no page has to show a novel (docs/decisions.md).
const (
	// MaxOfficialAccountName is LINE Official Account Manager's limit on
	// an account's display name.
	MaxOfficialAccountName = 20
	// MaxBasicID is "@" and a premium ID's 18 characters, the longest
	// basic ID LINE issues.
	MaxBasicID = 19
	// MaxName is the portal's limit on provider, channel and organization
	// names.
	MaxName = 100
	// MaxCompanyName and MaxAddress are the portal's limits on business
	// information.
	MaxCompanyName = 100
	MaxAddress     = 200
	// MaxReason is the portal's limit on an operator's reason.
	MaxReason = 1000
)

// checkText refuses value in the form field named field when it is longer
// than max characters, or, when required, empty (white space counts as
// empty). what names the value in the refusal ("the channel's name").
func checkText(field string, what Term, value string, max int, required bool) error {
	if required && strings.TrimSpace(value) == "" {
		return FieldRefusal(field, RTextRequired, "What", what)
	}
	if n := utf8.RuneCountInString(value); n > max {
		return FieldRefusal(field, RTextTooLong, "What", what, "Max", max, "Count", n)
	}
	return nil
}

// CheckBusinessInfo tells whether b can be saved as business information:
// both fields filled in, within their limits.
func CheckBusinessInfo(b BusinessInfo) error {
	return FieldRefusals(
		checkText("company_name", TermCompanyName, b.CompanyName, MaxCompanyName, true),
		checkText("address", TermAddress, b.Address, MaxAddress, true))
}

// checkOptionalBusinessInfo is CheckBusinessInfo for information that may
// still be empty (an Official Account's, until it is linked).
func checkOptionalBusinessInfo(b BusinessInfo) error {
	return FieldRefusals(
		checkText("company_name", TermCompanyName, b.CompanyName, MaxCompanyName, false),
		checkText("address", TermAddress, b.Address, MaxAddress, false))
}
