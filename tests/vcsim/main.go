// Command vcsim-scenario serves a scenario estate from govmomi's vCenter simulator (vcsim) for
// vcaudit's integration tests, its shipped demo snapshot and its benchmark.
//
//	vcsim-scenario [-scenario audit|demo|scale|current] [-instance N] [-vms N] [-listen 127.0.0.1:0] [-user NAME]
//	               [-rest-fault STATUS] [-tls stock|ca|wrongkey] [-tls-max 1.2|1.3]
//	               [-die-after-soap N] [-refuse-events]   (fault injection, see faults.go)
//
// The password is taken from the environment variable VCSIM_PASSWORD (default "s3cret").
// When the estate is planted and the server listens, one line of JSON goes to stdout (see
// readyLine); the program then serves until stdin reaches EOF or it gets SIGTERM/SIGINT, and
// exits 0. Everything else (logging) goes to stderr.
//
// Build (GOPATH mode, against Debian's golang-github-vmware-govmomi-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=/tmp/gocache go build -o target/vcsim-scenario/vcsim-scenario ./tests/vcsim
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"

	// REST (vAPI) endpoints under /rest, registered by m.Service.RegisterEndpoints.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

// options are the command line (and VCSIM_PASSWORD).
type options struct {
	scenario  string
	instance  int
	vms       int
	listen    string
	user      string
	password  string
	restFault int
	tls       string
	tlsMax    string
	capture   string
}

// On stop, a last JSON line with the request counts goes to stdout (see instrument.go).

// readyLine is the first JSON line printed to stdout, once the simulator serves.
type readyLine struct {
	URL             string      `json:"url"`
	Server          string      `json:"server"`
	User            string      `json:"user"`
	CAFile          string      `json:"ca_file"`
	Thumbprint      string      `json:"thumbprint"`
	WrongThumbprint string      `json:"wrong_thumbprint"`
	Expected        interface{} `json:"expected"`
	Planted         []Planted   `json:"planted"`
	// Tags attached over REST (scenarios with tags), in attachment order.
	Tags []PlantedTag `json:"tags"`
	// SharedVMs are VMs whose BIOS and instance UUIDs are the same in every instance of the
	// scenario: each copy fails cross-vcenter-vmotion when two instances are audited together.
	SharedVMs []string `json:"shared_vms"`
}

// scenario builds an estate into a created (empty or default) model. model returns the
// simulator model to create; plant runs with an in-process client before the server starts;
// expected reads the result back from the simulator's objects.
// tags says whether vSphere tags are planted over REST once the server runs.
type scenario struct {
	model    func(o *options) *simulator.Model
	plant    func(b *Builder) error
	expected func(b *Builder) interface{}
	tags     bool
}

var scenarios = map[string]scenario{
	"audit":   {model: emptyModel(auditAbout), plant: plantAudit, expected: fullExpected, tags: true},
	"demo":    {model: emptyModel(demoAbout), plant: plantDemo, expected: fullExpected, tags: true},
	"scale":   {model: scaleModel, plant: plantScale, expected: countsExpected},
	"current": {model: emptyModel(currentAbout), plant: plantCurrent, expected: fullExpected},
}

func main() {
	log.SetOutput(os.Stderr)
	log.SetPrefix("vcsim-scenario: ")
	log.SetFlags(log.Ltime | log.Lmicroseconds)

	o := &options{}
	flag.StringVar(&o.scenario, "scenario", "audit", "estate to serve: audit, demo, scale or current")
	flag.IntVar(&o.instance, "instance", 1, "instance number (distinct vCenter identity, names and UUIDs)")
	flag.IntVar(&o.vms, "vms", 10000, "number of VMs for -scenario scale")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	flag.StringVar(&o.user, "user", "auditor", "the one user name that may log in")
	flag.IntVar(&o.restFault, "rest-fault", 0, "answer every REST request (/rest, /api) with this HTTP status (0: serve REST)")
	flag.StringVar(&o.tls, "tls", "stock", "server certificate: stock (vcsim's own RSA-1024 one), ca (P-256 signed by a fresh CA, see ca_file), wrongkey (the stock certificate, handshakes signed by another key)")
	flag.StringVar(&o.tlsMax, "tls-max", "1.3", "highest TLS version served: 1.2 or 1.3")
	flag.StringVar(&o.capture, "capture", "", "write every SOAP request (and the head of its answer) to this directory, for bench/floor.py")
	flag.Parse()
	if flag.NArg() != 0 {
		log.Fatalf("unexpected arguments: %v", flag.Args())
	}
	o.password = os.Getenv("VCSIM_PASSWORD")
	if o.password == "" {
		o.password = "s3cret"
	}
	if o.instance < 1 {
		log.Fatalf("-instance must be 1 or more")
	}

	if err := run(o); err != nil {
		log.Fatalf("%v", err)
	}
}

func run(o *options) error {
	sc, ok := scenarios[o.scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q (audit, demo, scale or current)", o.scenario)
	}
	started := time.Now()

	// vcsim keeps datastore contents in temp dirs; keep ours in one per-process dir that a later
	// run removes if this process is killed before it can clean up.
	work, err := newWorkDir()
	if err != nil {
		return err
	}
	defer work.remove()

	certs, err := newCerts(work.dir)
	if err != nil {
		return err
	}

	m := sc.model(o)
	if err := m.Create(); err != nil {
		return fmt.Errorf("create the simulator model: %v", err)
	}
	log.Printf("model created after %s", time.Since(started).Round(time.Millisecond))
	defer m.Remove()

	ctx := context.Background()
	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return fmt.Errorf("in-process client: %v", err)
	}
	b := newBuilder(ctx, c, o)
	if err := sc.plant(b); err != nil {
		return fmt.Errorf("plant the %s estate: %v", o.scenario, err)
	}
	if err := renameHostile(b); err != nil {
		return err
	}
	log.Printf("estate planted after %s", time.Since(started).Round(time.Millisecond))
	expected := sc.expected(b)

	m.Service.Listen = &url.URL{Host: o.listen, User: url.UserPassword(o.user, o.password)}
	if m.Service.TLS, err = serverTLS(o, certs); err != nil {
		return err
	}
	m.Service.RegisterEndpoints = true
	s := m.Service.NewServer()
	defer s.Close()
	// Faults (faults.go) apply to vcaudit's requests only: the instrument sends the tag planting
	// below to the bare handler.
	inst := newInstrument(s.Server.Config.Handler, wrapFaults(s.Server.Config.Handler), o.restFault, o.capture)
	s.Server.Config.Handler = inst

	var planted []PlantedTag
	if sc.tags {
		if planted, err = plantScenarioTags(ctx, s.URL, certs.caFile, url.UserPassword(o.user, o.password)); err != nil {
			return err
		}
		log.Printf("%d tags attached after %s", len(planted), time.Since(started).Round(time.Millisecond))
	}
	if o.tls != "ca" {
		certs.thumbprint = thumbprint(sha256.Sum256(s.Certificate().Raw))
	}
	if o.tls == "wrongkey" {
		if err := signWithAnotherKey(s.Server.TLS); err != nil {
			return err
		}
	}
	inst.arm()

	addr := s.Listener.Addr().String()
	line := readyLine{
		URL:             "https://" + addr + "/sdk",
		Server:          addr,
		User:            o.user,
		CAFile:          certs.caFile,
		Thumbprint:      certs.thumbprint,
		WrongThumbprint: certs.wrongThumbprint,
		Expected:        expected,
		Planted:         b.planted,
		Tags:            planted,
		SharedVMs:       b.shared,
	}
	if line.Tags == nil {
		line.Tags = []PlantedTag{}
	}
	if line.Planted == nil {
		line.Planted = []Planted{}
	}
	if line.SharedVMs == nil {
		line.SharedVMs = []string{}
	}
	out, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encode the ready line: %v", err)
	}
	log.Printf("scenario %s instance %d ready on %s after %s", o.scenario, o.instance, addr,
		time.Since(started).Round(time.Millisecond))
	w := bufio.NewWriter(os.Stdout)
	_, _ = w.Write(out)
	_ = w.WriteByte('\n')
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write the ready line: %v", err)
	}

	waitForEnd(func(cmd string) (any, error) {
		if cmd != "mutate" {
			return nil, fmt.Errorf("unknown command %q (mutate)", cmd)
		}
		return b.mutate()
	}, w)
	log.Printf("stopping")
	stats, err := json.Marshal(inst.stats())
	if err != nil {
		return fmt.Errorf("encode the stats line: %v", err)
	}
	_, _ = w.Write(stats)
	_ = w.WriteByte('\n')
	return w.Flush()
}

// waitForEnd blocks until stdin reaches EOF (or fails) or SIGTERM/SIGINT arrives. Each line on
// stdin is a command for handle, answered with one JSON line on w (`{"error": ...}` on failure).
func waitForEnd(handle func(string) (any, error), w *bufio.Writer) {
	done := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			res, err := handle(sc.Text())
			if err != nil {
				res = map[string]string{"error": err.Error()}
			}
			out, _ := json.Marshal(res)
			_, _ = w.Write(out)
			_ = w.WriteByte('\n')
			_ = w.Flush()
		}
		done <- "stdin closed"
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sig
		done <- "signal " + s.String()
	}()
	log.Printf("%s", <-done)
}
