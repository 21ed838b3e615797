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
// gives out the port, so no request can race with it. Counting and every fault (this file's and
// faults.go's) start only when the scenario is fully planted: tags are planted over REST through
// this same server, and those requests go to the bare handler.

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// instrument counts requests and injects REST faults.
type instrument struct {
	bare      http.Handler // before arm: the scenario's own requests
	next      http.Handler // after arm: vcaudit's requests, through the fault injection
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
	// Secrets are the session cookies and REST session ids handed out (netfaults.go).
	Secrets []string `json:"secrets"`
}

func newInstrument(bare, next http.Handler, restFault int) *instrument {
	return &instrument{bare: bare, next: next, restFault: restFault}
}

// arm starts counting and injecting faults.
func (in *instrument) arm() {
	atomic.StoreInt32(&in.armed, 1)
}

func (in *instrument) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if atomic.LoadInt32(&in.armed) == 0 {
		in.bare.ServeHTTP(w, r)
		return
	}
	p := r.URL.Path
	isREST := strings.HasPrefix(p, "/rest/") || strings.HasPrefix(p, "/api/") || p == "/api"
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
	in.next.ServeHTTP(w, r)
}

// stats is the request counts since arm.
func (in *instrument) stats() statsLine {
	return statsLine{Requests: map[string]int64{
		"sdk":   atomic.LoadInt64(&in.sdk),
		"rest":  atomic.LoadInt64(&in.rest),
		"api":   atomic.LoadInt64(&in.api),
		"other": atomic.LoadInt64(&in.other),
	}, Secrets: recordedSecrets()}
}
