package portal

import "strings"

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
// are equal after trimming, collapsing runs of white space (ideographic
// spaces included) and ignoring case: a review should not reject
// "ACME  K.K." for "Acme K.K.". Full-width and half-width forms are not
// folded; that needs Unicode normalization, which the standard library
// does not offer.
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

func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// nameOr returns the display name of an enumerated value, or the raw value
// when the table does not know it (it is then shown as stored, not hidden).
func nameOr[K ~string](names map[K]string, k K) string {
	if n, ok := names[k]; ok {
		return n
	}
	return string(k)
}
