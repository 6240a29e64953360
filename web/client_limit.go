package web

import (
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ClientLimit caps the requests a client that is not signed in may make:
// Burst at once, earned back evenly over Per. The zero value sets no limit.
type ClientLimit struct {
	Burst int
	Per   time.Duration
}

// maxTrackedClients bounds the limiter's memory (a few hundred bytes per
// client, so about 10 MB at most).
const maxTrackedClients = 50_000

// clientLimiter counts signed-out requests by client address, with a
// token bucket (golang.org/x/time/rate) per address.
type clientLimiter struct {
	limit   ClientLimit
	trusted []netip.Prefix
	max     int

	mu        sync.Mutex
	clients   map[netip.Addr]*trackedClient
	lastSweep time.Time
}

type trackedClient struct {
	bucket   *rate.Limiter
	lastSeen time.Time
}

func newClientLimiter(limit ClientLimit, trusted []netip.Prefix) *clientLimiter {
	return &clientLimiter{limit: limit, trusted: trusted, max: maxTrackedClients, clients: map[netip.Addr]*trackedClient{}}
}

// allow counts one request from addr at now. When the client has used its
// budget it answers false and how long until the next request is allowed.
func (l *clientLimiter) allow(addr netip.Addr, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.limit.Per {
		l.sweep(now)
	}
	c, ok := l.clients[addr]
	if !ok {
		if len(l.clients) >= l.max {
			l.sweep(now)
		}
		if len(l.clients) >= l.max {
			// Every tracked client is active: forget one (Go's map order
			// makes it an arbitrary one), so memory stays bounded. Only an
			// attacker with more than max addresses gains by it, and that
			// attacker has max budgets anyway.
			for a := range l.clients {
				delete(l.clients, a)
				break
			}
		}
		every := l.limit.Per / time.Duration(l.limit.Burst)
		c = &trackedClient{bucket: rate.NewLimiter(rate.Every(every), l.limit.Burst)}
		l.clients[addr] = c
	}
	c.lastSeen = now
	if c.bucket.AllowN(now, 1) {
		return true, 0
	}
	r := c.bucket.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return false, wait
}

// sweep forgets the clients idle for Per or longer: their buckets are full
// again, the same as a client never seen.
func (l *clientLimiter) sweep(now time.Time) {
	for a, c := range l.clients {
		if now.Sub(c.lastSeen) >= l.limit.Per {
			delete(l.clients, a)
		}
	}
	l.lastSweep = now
}

// tracked is how many clients the limiter holds.
func (l *clientLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientAddr is the address a request is counted under: its client's
// (clientIP), an IPv6 address by its /64, the block one subscriber gets.
func (l *clientLimiter) clientAddr(r *http.Request) netip.Addr {
	addr := clientIP(r, l.trusted)
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	return addr
}

// clientIP is the address of a request's client: the TCP peer or, when
// the peer is one of the trusted proxies, the right-most address of
// X-Forwarded-For that is not a trusted proxy (the left-most when all
// are). Entries left of it were written by the client and prove nothing.
func clientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	addr := parseHop(r.RemoteAddr)
	if isTrusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0 && isTrusted(addr); i-- {
			hop := parseHop(hops[i])
			if !hop.IsValid() {
				break // not written by a proxy of ours: the request is the last one's that was
			}
			addr = hop
		}
	}
	return addr
}

// parseHop reads an address, with or without a port, as IPv4 when it is
// IPv4 mapped to IPv6; the zero Addr when it is none.
func parseHop(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}

// admitSignedOut counts a request of a client that is not signed in and
// answers 429, with Retry-After, once the client has used its budget; the
// handler then does not run. It reports whether the request may go on.
func (s *Server) admitSignedOut(w http.ResponseWriter, r *http.Request) bool {
	if s.clients == nil {
		return true
	}
	ok, wait := s.clients.allow(s.clients.clientAddr(r), s.now())
	if ok {
		return true
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.renderError(w, r, http.StatusTooManyRequests, tr(r.Context(), "error.rate_limited", "Seconds", secs))
	return false
}
