package portal

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// BusinessInfo identifies the company behind a service: for a LINE MINI App
// the service company of its published business information, for an
// organization its business info. An account linking review compares the
// two to tell whether the owners of the channel and of the organization are
// the same, so it holds what identifies an owner and nothing more.
type BusinessInfo struct {
	CompanyName string
	Address     string
}

// Complete tells whether every field is filled in: a review cannot compare
// what is missing.
func (b BusinessInfo) Complete() bool {
	return strings.TrimSpace(b.CompanyName) != "" && strings.TrimSpace(b.Address) != ""
}

// mismatch names the fields of b that do not match org's business info,
// with both values; the zero Finding when all match. Fields match when they
// are the same text as a person reads it (sameText): a review should not
// reject "ACME  K.K." for "Acme K.K.", nor "１－２－３ Roppongi" for
// "1-2-3 Roppongi", which a Japanese input method types unless switched.
func (b BusinessInfo) mismatch(org Organization) Finding {
	name, address := !sameText(b.CompanyName, org.Info.CompanyName), !sameText(b.Address, org.Info.Address)
	var reason Reason
	switch {
	case name && address:
		reason = RReviewNameAndAddressDiffer
	case name:
		reason = RReviewNameDiffers
	case address:
		reason = RReviewAddressDiffers
	default:
		return Finding{}
	}
	return finding(reason, "OrgID", org.ID, "OurName", b.CompanyName, "TheirName", org.Info.CompanyName,
		"OurAddress", b.Address, "TheirAddress", org.Info.Address)
}

// sameText tells whether a and b are the same text once trimmed, runs of
// white space (ideographic spaces included) collapsed, case ignored,
// compatibility forms normalized (NFKC: full-width Latin letters and
// digits, half-width katakana, "㈱") and dashes read as "-". Japanese
// addresses are written with all of these ("1−2−3", "１‐２‐３") for the
// same place.
func sameText(a, b string) bool {
	return strings.EqualFold(plainText(a), plainText(b))
}

func plainText(s string) string {
	return strings.Join(strings.Fields(readDashes(norm.NFKC.String(s))), " ")
}

// readDashes reads as "-" the dashes and minus signs written between an
// address's numbers, which NFKC leaves as they are, and the long-vowel
// mark "ー" between two digits, where an input method often types it
// ("1ー2ー3"); elsewhere "ー" is part of a word (コーポレーション).
func readDashes(s string) string {
	runes := []rune(dashes.Replace(s))
	for i, r := range runes {
		if r == 'ー' && i > 0 && i < len(runes)-1 && unicode.IsDigit(runes[i-1]) && unicode.IsDigit(runes[i+1]) {
			runes[i] = '-'
		}
	}
	return string(runes)
}

var dashes = strings.NewReplacer("\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-", "\u2212", "-")

// nameOr returns the display name of an enumerated value, or the raw value
// when the table does not know it (it is then shown as stored, not hidden).
func nameOr[K ~string](names map[K]string, k K) string {
	if n, ok := names[k]; ok {
		return n
	}
	return string(k)
}
