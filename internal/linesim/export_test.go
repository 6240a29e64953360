package linesim

// Sign exposes the webhook signature to the tests: the documented test
// vector checks it directly.
var Sign = sign
