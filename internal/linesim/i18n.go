package linesim

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// LINE's screens speak the languages of the markets the portal serves, from
// the simulator's own message bundle (locales/*.json, LINE's words from the
// glossary); the simulator shares nothing with the portal's translations.

//go:embed locales/*.json
var localeFiles embed.FS

// screenLanguages are the languages of the screens, English first: the
// language when nothing else matches.
var screenLanguages = []language.Tag{language.English, language.Japanese, language.Thai, language.MustParse("zh-TW")}

var (
	messages        = loadMessages()
	languageMatcher = language.NewMatcher(screenLanguages)
)

func loadMessages() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, tag := range screenLanguages {
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+tag.String()+".json"); err != nil {
			panic(fmt.Sprintf("linesim: message bundle: %v", err)) // the files are embedded and tested
		}
	}
	return b
}

// screenLanguage chooses a screen's language: the first of uiLocales (the
// ui_locales parameter, space-separated BCP 47 tags) the simulator speaks,
// else the browser's Accept-Language, else English.
func screenLanguage(uiLocales string, r *http.Request) language.Tag {
	var tags []language.Tag
	for _, field := range strings.Fields(uiLocales) {
		if tag, err := language.Parse(field); err == nil {
			tags = append(tags, tag)
		}
	}
	if tag, ok := match(tags); ok {
		return tag
	}
	accepted, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if tag, ok := match(accepted); ok {
		return tag
	}
	return language.English
}

func match(tags []language.Tag) (language.Tag, bool) {
	if len(tags) == 0 {
		return language.Tag{}, false
	}
	_, i, confidence := languageMatcher.Match(tags...)
	return screenLanguages[i], confidence != language.No
}

// translator renders the screens' messages in one language.
type translator struct {
	lang      language.Tag
	localizer *i18n.Localizer
}

func newTranslator(lang language.Tag) translator {
	return translator{lang: lang, localizer: i18n.NewLocalizer(messages, lang.String())}
}

// Lang is the language's BCP 47 tag, for the page's lang attribute.
func (t translator) Lang() string { return t.lang.String() }

// T is the message id, with its {{.Name}} fields filled from name, value
// pairs.
func (t translator) T(id string, pairs ...string) string {
	var data map[string]string
	if len(pairs) > 0 {
		data = make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			data[pairs[i]] = pairs[i+1]
		}
	}
	text, err := t.localizer.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		// Every ID the screens use is in every file (TestMessageBundle);
		// show the ID rather than nothing.
		return id
	}
	return text
}
