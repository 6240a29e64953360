package line

// ModuleScope is a permission a module channel asks an Official Account's
// administrator for when attaching, as LINE documents them.
type ModuleScope struct {
	Name        string
	Description string
}

// ModuleScopes are the documented scopes of module attachment, in LINE's
// order. (crm:manage applies to the Chat Plugin only and is left out.)
var ModuleScopes = []ModuleScope{
	{"message:send", "send messages"},
	{"message:receive", "receive webhooks, module events included, and take chat control"},
	{"account:manage", "manage the account's settings"},
	{"message:mark_as_read", "mark users' messages as read"},
	{"message:templated_pnp", "send templated notification messages"},
	{"profile:read", "read users' profiles"},
	{"coupon:manage", "manage coupons"},
}
