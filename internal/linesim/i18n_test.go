package linesim

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Every screen message exists in every language, with the same fields.
func TestMessageBundle(t *testing.T) {
	read := func(lang string) map[string]string {
		raw, err := localeFiles.ReadFile("locales/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		return m
	}
	fields := func(s string) []string {
		var out []string
		for _, part := range strings.Split(s, "{{.")[1:] {
			name, _, _ := strings.Cut(part, "}}")
			out = append(out, name)
		}
		slices.Sort(out)
		return out
	}
	en := read("en")
	for _, tag := range screenLanguages[1:] {
		lang := tag.String()
		other := read(lang)
		if !slices.Equal(slices.Sorted(maps.Keys(other)), slices.Sorted(maps.Keys(en))) {
			t.Errorf("%s.json and en.json name different messages", lang)
		}
		for id, text := range other {
			if !slices.Equal(fields(text), fields(en[id])) {
				t.Errorf("%s %s uses fields %v, en uses %v", lang, id, fields(text), fields(en[id]))
			}
			if text == en[id] && !slices.Contains([]string{"ModuleChannel", "OfficialAccount", "ScopeWithName"}, id) {
				t.Errorf("%s %s is not translated: %q", lang, id, text)
			}
		}
	}
	data := map[string]string{"Channel": "1", "Account": "A", "User": "U", "Module": "M", "Max": "20", "Description": "D", "Scope": "S"}
	for _, tag := range screenLanguages {
		tr := newTranslator(tag)
		for id := range en {
			got, lang, err := tr.localizer.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
			if err != nil || lang != tag || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s renders as %q in %s (%v)", tag, id, got, lang, err)
			}
		}
	}
}
