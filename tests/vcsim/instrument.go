package main

// Instrumentation of the scenario's HTTP server, for tests that need to see or break what
// vcaudit does on the wire:
//   - every request is counted by interface (SOAP /sdk, REST /rest and /api, other), and the
//     counts are printed as a last JSON line on stdout when the program stops (statsLine), so a
//     test can prove that tags are read in bulk, not one request per VM;
//   - SOAP requests are also counted by method (the first element of the SOAP body), so a test
//     can prove that collection makes a fixed number of calls, none per VM;
//   - -capture DIR writes every SOAP request vcaudit sends, in order, to DIR/NNNNN.req, and the
//     first 64 KiB of each answer to DIR/NNNNN.resp: bench/floor.py replays them with curl to
//     measure the transfer floor (what the server and the wire cost without any client work);
//   - -rest-fault STATUS makes every REST request (/rest/..., /api/...) answer that HTTP status,
//     for "the vCenter's REST interface fails" (404: missing, 503: broken, 403: refused).
//
// The wrapper is installed on the server's handler right after NewServer, before the ready line
// gives out the port, so no request can race with it. Counting and every fault (this file's and
// faults.go's) start only when the scenario is fully planted: tags are planted over REST through
// this same server, and those requests go to the bare handler.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	capture   string // directory for -capture, "" when off

	mu       sync.Mutex
	methods  map[string]int64 // SOAP requests by method
	seq      int              // SOAP requests so far
	captured bool             // the first session has logged out: capture no more
}

// statsLine is the JSON line printed on stdout when the program stops.
type statsLine struct {
	Requests map[string]int64 `json:"requests"`
	// Secrets are the session cookies and REST session ids handed out (netfaults.go).
	Secrets []string `json:"secrets"`
	// SOAP requests by method name (RetrievePropertiesEx, Login, ...).
	SOAPMethods map[string]int64 `json:"soap_methods"`
}

func newInstrument(bare, next http.Handler, restFault int, capture string) *instrument {
	return &instrument{bare: bare, next: next, restFault: restFault, capture: capture,
		methods: map[string]int64{}}
}

// soapRequest counts (and with -capture, records) one SOAP request, then serves it.
func (in *instrument) soapRequest(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	method := "unknown"
	if m := soapMethod.FindSubmatch(body); m != nil {
		method = string(m[1])
	}
	in.mu.Lock()
	in.methods[method]++
	in.seq++
	seq := in.seq
	capture := in.capture != "" && !in.captured
	if method == "Logout" {
		in.captured = true // one session is captured: the first client's
	}
	in.mu.Unlock()
	if !capture {
		in.next.ServeHTTP(w, r)
		return
	}
	base := filepath.Join(in.capture, fmt.Sprintf("%05d", seq))
	_ = os.WriteFile(base+".req", body, 0o600)
	head := &headWriter{ResponseWriter: w}
	in.next.ServeHTTP(head, r)
	_ = os.WriteFile(base+".resp", head.head.Bytes(), 0o600)
}

// headWriter keeps the first 64 KiB of a response.
type headWriter struct {
	http.ResponseWriter
	head bytes.Buffer
}

func (h *headWriter) Write(p []byte) (int, error) {
	if room := 64<<10 - h.head.Len(); room > 0 {
		if room > len(p) {
			room = len(p)
		}
		h.head.Write(p[:room])
	}
	return h.ResponseWriter.Write(p)
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
		if r.Method == http.MethodPost {
			in.soapRequest(w, r)
			return
		}
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
	in.mu.Lock()
	methods := make(map[string]int64, len(in.methods))
	for k, v := range in.methods {
		methods[k] = v
	}
	in.mu.Unlock()
	return statsLine{SOAPMethods: methods, Requests: map[string]int64{
		"sdk":   atomic.LoadInt64(&in.sdk),
		"rest":  atomic.LoadInt64(&in.rest),
		"api":   atomic.LoadInt64(&in.api),
		"other": atomic.LoadInt64(&in.other),
	}, Secrets: recordedSecrets()}
}
