package main

// Instrumentation of the scenario's HTTP server, for tests that need to see or break what
// vcaudit does on the wire:
//   - every request is counted by interface (SOAP /sdk, REST /rest and /api, other), and the
//     counts are printed as a last JSON line on stdout when the program stops (statsLine), so a
//     test can prove that tags are read in bulk, not one request per VM;
//   - -rest-fault STATUS makes every REST request (/rest/..., /api/...) answer that HTTP status,
//     for "the vCenter's REST interface fails" (404: missing, 503: broken, 403: refused).
//
// The wrapper is installed on the server's handler right after NewServer, before the ready line
// gives out the port, so no request can race with it. Counting and the fault start only when
// the scenario is fully planted (tags are planted over REST through this same server).

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// instrument counts requests and injects REST faults.
type instrument struct {
	next      http.Handler
	restFault int
	armed     int32 // 1 once the estate is planted
	sdk       int64
	rest      int64
	api       int64
	other     int64
}

// statsLine is the JSON line printed on stdout when the program stops.
type statsLine struct {
	Requests map[string]int64 `json:"requests"`
}

func newInstrument(next http.Handler, restFault int) *instrument {
	return &instrument{next: next, restFault: restFault}
}

// arm starts counting (from zero) and injecting faults.
func (in *instrument) arm() {
	atomic.StoreInt64(&in.sdk, 0)
	atomic.StoreInt64(&in.rest, 0)
	atomic.StoreInt64(&in.api, 0)
	atomic.StoreInt64(&in.other, 0)
	atomic.StoreInt32(&in.armed, 1)
}

func (in *instrument) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	armed := atomic.LoadInt32(&in.armed) == 1
	p := r.URL.Path
	isREST := strings.HasPrefix(p, "/rest/") || strings.HasPrefix(p, "/api/") || p == "/api"
	if armed {
		switch {
		case strings.HasPrefix(p, "/sdk"):
			atomic.AddInt64(&in.sdk, 1)
		case strings.HasPrefix(p, "/rest/"):
			atomic.AddInt64(&in.rest, 1)
		case isREST:
			atomic.AddInt64(&in.api, 1)
		default:
			atomic.AddInt64(&in.other, 1)
		}
		if isREST && in.restFault != 0 {
			http.Error(w, http.StatusText(in.restFault), in.restFault)
			return
		}
	}
	in.next.ServeHTTP(w, r)
}

// stats is the request counts since arm.
func (in *instrument) stats() statsLine {
	return statsLine{Requests: map[string]int64{
		"sdk":   atomic.LoadInt64(&in.sdk),
		"rest":  atomic.LoadInt64(&in.rest),
		"api":   atomic.LoadInt64(&in.api),
		"other": atomic.LoadInt64(&in.other),
	}}
}
