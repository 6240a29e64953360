package demo_test

import "lineportal/internal/locale"

// english is the sentence an English reader sees for err.
func english(err error) string { return locale.New("en", "UTC").Refusal(err) }
