// Package archtest holds the tests that keep the layers apart: the domain
// free of SQL, HTTP and templates; the store free of the web; the views
// free of the store; the simulator apart from the product.
package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "lineportal"

// rules: package → import paths (or prefixes ending in "/") it must not
// depend on, directly or indirectly.
var rules = map[string][]string{
	module + "/internal/portal": {
		"database/sql", "net/http", "github.com/a-h/templ", "github.com/line/", "github.com/mattn/go-sqlite3",
		module + "/store", module + "/web", module + "/views", module + "/internal/line",
		// Refusals carry a code and parameters; the edge writes the sentence.
		"github.com/nicksnyder/go-i18n/", module + "/internal/locale",
	},
	module + "/store": {
		"net/http", "github.com/a-h/templ", module + "/web", module + "/views",
	},
	module + "/views": {
		"database/sql", module + "/store", module + "/web", "github.com/mattn/go-sqlite3",
	},
}

func TestImportRules(t *testing.T) {
	for pkg, forbidden := range rules {
		t.Run(pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 2 {
				t.Fatalf("go list found no dependencies of %s", pkg)
			}
			for _, dep := range deps {
				for _, f := range forbidden {
					if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}

// simulator is the LINE platform simulator, which stands for LINE.
const simulator = module + "/internal/linesim"

// simulatorStarters are the only packages of the product whose code
// imports the simulator: the one that starts the portal on it with the
// demo data, and the binary, whose `portal linesim` runs it on its own.
// Tests may drive the simulator as they drive LINE.
var simulatorStarters = []string{module + "/internal/simulated", module + "/cmd/portal"}

func TestSimulatorStandsApart(t *testing.T) {
	t.Run("the simulator imports nothing of the product", func(t *testing.T) {
		out, err := exec.Command("go", "list", "-deps", simulator).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", simulator, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, module+"/") && dep != simulator && !strings.HasPrefix(dep, simulator+"/") {
				t.Errorf("the simulator depends on %s", dep)
			}
		}
	})
	t.Run("the product imports the simulator only where it starts it", func(t *testing.T) {
		out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...").Output()
		if err != nil {
			t.Fatalf("go list %s/...: %v", module, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 10 {
			t.Fatalf("go list found %d packages", len(lines))
		}
		starters := 0
		for _, line := range lines {
			pkg, imports, _ := strings.Cut(line, " ")
			if pkg == simulator || strings.HasPrefix(pkg, simulator+"/") || !slices.Contains(strings.Fields(imports), simulator) {
				continue
			}
			if !slices.Contains(simulatorStarters, pkg) {
				t.Errorf("%s imports the simulator; only %v start it", pkg, simulatorStarters)
			}
			starters++
		}
		if starters == 0 {
			t.Error("nothing imports the simulator: the check reads nothing")
		}
	})
}
