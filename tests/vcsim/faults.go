package main

// Fault injection for the tests, wrapped around the simulator's HTTP handler:
//
//	-die-after-soap N   the process exits (os.Exit) when the N-th request to /sdk arrives, before
//	                    answering it: the client sees the connection drop mid-collection, as when
//	                    a vCenter dies. Each /sdk request is logged to stderr with its method.
//	-refuse-events      event reads (CreateCollectorForEvents, QueryEvents) answer a NoPermission
//	                    fault, as for a user without the right to read events.

import (
	"bytes"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"regexp"
	"sync"
)

var (
	dieAfterSOAP = flag.Int("die-after-soap", 0, "exit when the N-th request to /sdk arrives (0: never)")
	refuseEvents = flag.Bool("refuse-events", false, "answer event reads with a NoPermission fault")
)

// dieExitCode is the exit status of a -die-after-soap exit, distinct from log.Fatal's 1.
const dieExitCode = 3

// soapMethod finds the method element: the first element inside the SOAP body.
var soapMethod = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Body[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)`)

// noPermissionFault is a vCenter-style SOAP fault for a refused event read.
const noPermissionFault = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Permission to perform this operation was denied.</faultstring><detail><NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object type="EventManager">EventManager</object><privilegeId>System.View</privilegeId></NoPermissionFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

// wrapFaults adds the faults the flags ask for to h; h itself when none is asked for.
func wrapFaults(h http.Handler) http.Handler {
	var mu sync.Mutex
	count := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sdk" {
			if injectRestFault(w, r) {
				return
			}
			serveRecordingSecrets(h, w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		method := "?"
		if m := soapMethod.FindSubmatch(body); m != nil {
			method = string(m[1])
		}
		if *dieAfterSOAP > 0 {
			mu.Lock()
			count++
			n := count
			mu.Unlock()
			log.Printf("SOAP request %d: %s", n, method)
			if n == *dieAfterSOAP {
				log.Printf("-die-after-soap %d: exiting now", n)
				os.Exit(dieExitCode)
			}
		}
		if *refuseEvents && (method == "CreateCollectorForEvents" || method == "QueryEvents") {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, noPermissionFault)
			return
		}
		if injectNetFault(h, w, r, method) {
			return
		}
		serveRecordingSecrets(h, w, r)
	})
}
