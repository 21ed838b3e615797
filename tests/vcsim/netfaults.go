package main

// Network and server faults for vcaudit's fault-matrix tests (tests/faults_vcsim.rs), applied to
// vcaudit's /sdk requests in front of the real simulator:
//
//	-fault 503-once       the first RetrievePropertiesEx answers HTTP 503 (a retry recovers)
//	-fault 503-always     every RetrievePropertiesEx answers HTTP 503
//	-fault reset          the first RetrievePropertiesEx answer breaks off mid-body
//	-fault stall          RetrievePropertiesEx answers start, then no byte comes
//	-fault trickle        the first RetrievePropertiesEx answer's first 8 bytes come 400 ms apart
//	-fault soap-500       RetrievePropertiesEx answers a SystemError SOAP fault (HTTP 500)
//	-fault expire-once    the second RetrievePropertiesEx answers NotAuthenticated
//	-fault expire-always  every RetrievePropertiesEx after the first answers NotAuthenticated
//	-fault redirect       Login answers 307 to https://127.0.0.1:<-fault-port>/sdk
//	-fault rest-*         vAPI tagging faults: see injectRestFault
//	-fault truncated      RetrievePropertiesEx answers end (cleanly) halfway through
//	-fault bad-utf8       RetrievePropertiesEx answers carry bytes that are not UTF-8 in a string
//	-fault deep           RetrievePropertiesEx answers nest 10^6 elements
//	-fault big-text       RetrievePropertiesEx answers hold a 200 MB text node (streamed, not stored)
//	-fault endless-token  RetrievePropertiesEx answers page forever, each page a new token
//
// Every session cookie and REST session id the simulator hands out is recorded for the stats line
// (secrets), so that tests can check vcaudit never shows them.

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	netFault  = flag.String("fault", "", "network or server fault to inject (see netfaults.go)")
	faultPort = flag.Int("fault-port", 0, "port the redirect fault points to")
)

// secrets are the session cookies and REST session ids handed out since arm.
var secrets struct {
	sync.Mutex
	list []string
}

func recordSecret(s string) {
	secrets.Lock()
	defer secrets.Unlock()
	secrets.list = append(secrets.list, s)
}

func recordedSecrets() []string {
	secrets.Lock()
	defer secrets.Unlock()
	return append([]string{}, secrets.list...)
}

var restSessionValue = regexp.MustCompile(`"value"\s*:\s*"([^"]+)"`)

// serveRecordingSecrets serves r with h and records the secrets of its answer.
func serveRecordingSecrets(h http.Handler, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cis/session") {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if m := restSessionValue.FindSubmatch(rec.Body.Bytes()); m != nil {
			recordSecret(string(m[1]))
		}
		copyRecorded(w, rec, rec.Body.Bytes())
		return
	}
	h.ServeHTTP(w, r)
	for _, c := range w.Header().Values("Set-Cookie") {
		pair := strings.SplitN(c, ";", 2)[0]
		if kv := strings.SplitN(pair, "=", 2); len(kv) == 2 && kv[1] != "" {
			recordSecret(kv[1])
		}
	}
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`

const envelopeEnd = `</soapenv:Body></soapenv:Envelope>`

func soapFault(kind, msg string) string {
	return envelopeStart + `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>` + msg +
		`</faultstring><detail><` + kind + `Fault xmlns="urn:vim25" xsi:type="` + kind + `"></` + kind +
		`Fault></detail></soapenv:Fault>` + envelopeEnd
}

// faultState counts the calls the faults key on.
type faultState struct {
	sync.Mutex
	retrieve int // RetrievePropertiesEx calls seen
	page     int // endless-token pages served
}

var faults faultState

// restCalls counts the vAPI tagging calls the REST faults key on.
var restCalls struct {
	sync.Mutex
	n int
}

// injectRestFault answers a vAPI tagging call itself when the -fault asks for it:
//
//	rest-503-once        the first tagging call answers HTTP 503 (a retry recovers)
//	rest-expire-once     the first tagging call answers 401 unauthenticated (a new session recovers)
//	rest-expire-always   every tagging call answers 401 unauthenticated
func injectRestFault(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(*netFault, "rest-") || !strings.HasPrefix(r.URL.Path, "/rest/com/vmware/cis/tagging/") {
		return false
	}
	restCalls.Lock()
	restCalls.n++
	n := restCalls.n
	restCalls.Unlock()
	unauthenticated := func() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[]}}`)
	}
	switch *netFault {
	case "rest-503-once":
		if n == 1 {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return true
		}
	case "rest-expire-once":
		if n == 1 {
			unauthenticated()
			return true
		}
	case "rest-expire-always":
		unauthenticated()
		return true
	}
	return false
}

// injectNetFault answers r itself when the -fault asks for it; false lets the simulator answer.
func injectNetFault(h http.Handler, w http.ResponseWriter, r *http.Request, method string) bool {
	if *netFault == "" {
		return false
	}
	faults.Lock()
	if method == "RetrievePropertiesEx" {
		faults.retrieve++
	}
	n := faults.retrieve
	faults.Unlock()
	isRetrieve := method == "RetrievePropertiesEx"
	switch *netFault {
	case "503-once":
		if isRetrieve && n == 1 {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return true
		}
	case "503-always":
		if isRetrieve {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return true
		}
	case "reset":
		if isRetrieve && n == 1 {
			body := record(h, r)
			writeSOAPHead(w, 200)
			_, _ = w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection is torn down mid-body
		}
	case "stall":
		if isRetrieve {
			body := record(h, r)
			writeSOAPHead(w, 200)
			_, _ = w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(60 * time.Second):
			}
			return true
		}
	case "trickle":
		if isRetrieve && n == 1 {
			body := record(h, r)
			writeSOAPHead(w, 200)
			for i := 0; i < 8 && i < len(body); i++ {
				_, _ = w.Write(body[i : i+1])
				w.(http.Flusher).Flush()
				time.Sleep(400 * time.Millisecond)
			}
			_, _ = w.Write(body[8:])
			return true
		}
	case "soap-500":
		if isRetrieve {
			writeSOAPHead(w, 500)
			_, _ = io.WriteString(w, soapFault("SystemError", "A general system error occurred: vpxd is shutting down"))
			return true
		}
	case "expire-once", "expire-always":
		if isRetrieve && (n == 2 || (*netFault == "expire-always" && n > 1)) {
			writeSOAPHead(w, 500)
			_, _ = io.WriteString(w, soapFault("NotAuthenticated", "The session is not authenticated."))
			return true
		}
	case "redirect":
		if method == "Login" {
			w.Header().Set("Location", fmt.Sprintf("https://127.0.0.1:%d/sdk", *faultPort))
			w.WriteHeader(http.StatusTemporaryRedirect)
			return true
		}
	case "truncated":
		if isRetrieve {
			body := record(h, r)
			writeSOAPHead(w, 200)
			_, _ = w.Write(body[:len(body)/2])
			return true
		}
	case "bad-utf8":
		if isRetrieve {
			body := record(h, r)
			marker := []byte(`"xsd:string">`)
			if i := bytes.Index(body, marker); i >= 0 {
				at := i + len(marker)
				body = append(append(append([]byte{}, body[:at]...), 0xff, 0xfe, 0xfd), body[at:]...)
			}
			writeSOAPHead(w, 200)
			_, _ = w.Write(body)
			return true
		}
	case "deep":
		if isRetrieve {
			writeSOAPHead(w, 200)
			_, _ = io.WriteString(w, envelopeStart+`<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects>`)
			_, _ = w.Write(bytes.Repeat([]byte("<a>"), 1000000))
			return true
		}
	case "big-text":
		if isRetrieve {
			writeSOAPHead(w, 200)
			_, _ = io.WriteString(w, envelopeStart+`<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Folder">`)
			chunk := bytes.Repeat([]byte("a"), 1<<20)
			for i := 0; i < 200; i++ {
				if _, err := w.Write(chunk); err != nil {
					return true // the client gave up
				}
			}
			_, _ = io.WriteString(w, `</obj></objects></returnval></RetrievePropertiesExResponse>`+envelopeEnd)
			return true
		}
	case "endless-token":
		if isRetrieve || method == "ContinueRetrievePropertiesEx" {
			faults.Lock()
			faults.page++
			p := faults.page
			faults.Unlock()
			writeSOAPHead(w, 200)
			_, _ = fmt.Fprintf(w, `%s<%sResponse xmlns="urn:vim25"><returnval><token>page-%d</token><objects><obj type="Folder">group-endless-%d</obj><propSet><name>name</name><val xsi:type="xsd:string">endless %d</val></propSet></objects></returnval></%sResponse>%s`,
				envelopeStart, method, p, p, p, method, envelopeEnd)
			return true
		}
	}
	return false
}

func writeSOAPHead(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
}

// record is the simulator's whole answer to r.
func record(h http.Handler, r *http.Request) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Body.Bytes()
}
