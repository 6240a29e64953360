package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The simulator's control surface moves time forward for the portal too,
// when the portal runs it in-process: two days later, signing in still
// works (the ID token is not issued in the portal's future) and the
// portal's own clock says two days later.
func TestBrowser_SimulatorClockIsThePortalsClock(t *testing.T) {
	m := startPortal(t, nil)
	res, err := http.Post(m.SimulatorURL+"/sim/api/clock", "application/json", strings.NewReader(`{"advance":"48h"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("advancing the clock: %d", res.StatusCode)
	}
	if ahead := m.DB.Now().Sub(time.Now()); ahead < 47*time.Hour || ahead > 49*time.Hour {
		t.Errorf("the portal's clock is %v ahead, want 48h", ahead)
	}
	b := newBrowser(t)
	signInInBrowser(t, b, m.URL, demoDeveloperID, false)
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}
