// paged-server: a synthetic vCenter for the benchmark, serving a generated estate of any size
// the way a real vCenter does and vcsim does not: RetrievePropertiesEx answers at most
// `maxObjects` objects and a token, ContinueRetrievePropertiesEx the next page. It costs the
// server little CPU (VM bodies are written straight from their index), so at 100k-1M VMs the
// benchmark measures the client, not the simulator.
//
//	paged-server -vms N [-instance I] [-listen ADDR] [-capture DIR] [-page-delay D]
//
// It prints one JSON line when it serves ({"server": "127.0.0.1:PORT", "ca_file": PATH}) and runs
// until its stdin closes. The estate: one datacenter; a cluster per 16 hosts, a host per 40 VMs,
// a datastore per 200 VMs, a VM folder per 500 VMs; every VM with 10 devices besides 2-4 disks
// (as vSphere creates them: controllers, CD-ROM, NIC, video, VMCI...), 1-2 datastores, guest
// disks, tools and guest OS fields taken from a handful of common guests. It answers every call
// vcaudit makes: RetrieveServiceContent, Login, Logout, CreateContainerView, DestroyView,
// RetrievePropertiesEx, ContinueRetrievePropertiesEx and the event collector calls (no events).
// The REST (tags) interface answers 404, as a vCenter without the vAPI endpoint does.
// -capture DIR records the SOAP requests of the first session for bench/floor.py, like the vcsim scenario's.
// -page-delay D (a Go duration, e.g. 500ms) waits before each page of RetrievePropertiesEx and
// ContinueRetrievePropertiesEx: a real vCenter takes a while to build a page of 1000 VMs.
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	vms      = flag.Int("vms", 100000, "number of VMs")
	instance = flag.Int("instance", 1, "instance number: distinct UUIDs and names per vCenter")
	listen   = flag.String("listen", "127.0.0.1:0", "address to listen on")
	capture  = flag.String("capture", "", "write every SOAP request and the head of its answer here")
	delay    = flag.Duration("page-delay", 0, "wait this long before each page, as a vCenter builds a page before its first byte")
)

type estate struct {
	vms, hosts, clusters, datastores, folders int
}

func newEstate(n int) estate {
	e := estate{vms: n}
	e.hosts = max1((n + 39) / 40)
	e.clusters = max1((e.hosts + 15) / 16)
	e.datastores = max1((n + 199) / 200)
	e.folders = max1((n + 499) / 500)
	return e
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// count is how many objects of a type the estate has.
func (e estate) count(kind string) int {
	switch kind {
	case "Folder":
		return 5 + e.folders
	case "Datacenter":
		return 1
	case "ComputeResource", "ClusterComputeResource":
		return e.clusters
	case "HostSystem":
		return e.hosts
	case "Datastore":
		return e.datastores
	case "VirtualMachine":
		return e.vms
	}
	return 0
}

type server struct {
	e        estate
	mu       sync.Mutex
	views    map[string]string // view id -> object type
	next     int
	seq      int
	captured bool
}

var (
	reMethod = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Body[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)`)
	reType   = regexp.MustCompile(`<type[^>]*>([^<]+)</type>`)
	reView   = regexp.MustCompile(`type="ContainerView"[^>]*>([^<]+)<`)
	reMax    = regexp.MustCompile(`<maxObjects[^>]*>(\d+)</maxObjects>`)
	reToken  = regexp.MustCompile(`<token[^>]*>([^<]+)</token>`)
)

const head = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
`
const tail = "\n</soapenv:Body>\n</soapenv:Envelope>\n"

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/sdk" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m := reMethod.FindSubmatch(body)
	if m == nil {
		http.Error(w, "no SOAP method", http.StatusBadRequest)
		return
	}
	method := string(m[1])
	var out io.Writer = w
	var captured *bytes.Buffer
	s.mu.Lock()
	record := *capture != "" && !s.captured
	if method == "Logout" {
		s.captured = true // only the first session is captured
	}
	s.seq++
	base := filepath.Join(*capture, fmt.Sprintf("%05d", s.seq))
	s.mu.Unlock()
	if record {
		_ = os.WriteFile(base+".req", body, 0o600)
		captured = new(bytes.Buffer)
		out = io.MultiWriter(w, &limited{captured, 64 << 10})
		defer func() { _ = os.WriteFile(base+".resp", captured.Bytes(), 0o600) }()
	}
	if method == "Login" {
		w.Header().Set("Set-Cookie", fmt.Sprintf(`vmware_soap_session="%x"; Path=/; HttpOnly; Secure`, time.Now().UnixNano()))
	} else if method != "RetrieveServiceContent" {
		if c, err := r.Cookie("vmware_soap_session"); err != nil || c.Value == "" {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(out, head+`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="PropertyCollector">propertyCollector</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>`+tail)
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	bw := bufio.NewWriterSize(out, 64<<10)
	defer bw.Flush()
	bw.WriteString(head)
	fmt.Fprintf(bw, `<%sResponse xmlns="urn:vim25">`, method)
	switch method {
	case "RetrieveServiceContent":
		fmt.Fprintf(bw, `<returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager><about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 7.0.3 build-21477706</fullName><vendor>VMware, Inc.</vendor><version>7.0.3</version><build>21477706</build><localeVersion>INTL</localeVersion><localeBuild>000</localeBuild><osType>linux-x64</osType><productLineId>vpx</productLineId><apiType>VirtualCenter</apiType><apiVersion>7.0.3.0</apiVersion><instanceUuid>0b6c3f1e-8a2d-4d8e-9c1b-%012d</instanceUuid><licenseProductName>VMware VirtualCenter Server</licenseProductName><licenseProductVersion>7.0</licenseProductVersion></about><setting type="OptionManager">VpxSettings</setting><userDirectory type="UserDirectory">UserDirectory</userDirectory><sessionManager type="SessionManager">SessionManager</sessionManager><authorizationManager type="AuthorizationManager">AuthorizationManager</authorizationManager><eventManager type="EventManager">EventManager</eventManager><taskManager type="TaskManager">TaskManager</taskManager><searchIndex type="SearchIndex">SearchIndex</searchIndex><fileManager type="FileManager">FileManager</fileManager></returnval>`, *instance)
	case "Login":
		bw.WriteString(`<returnval><key>52e4c2a1-7d1b-3a6f-0c9e-8f2b1d4a6e73</key><userName>VSPHERE.LOCAL\bench</userName><fullName>bench </fullName><loginTime>2026-01-01T00:00:00Z</loginTime><lastActiveTime>2026-01-01T00:00:00Z</lastActiveTime><locale>en</locale><messageLocale>en</messageLocale><extensionSession>false</extensionSession><ipAddress>127.0.0.1</ipAddress><userAgent>bench</userAgent><callCount>0</callCount></returnval>`)
	case "CreateContainerView":
		kind := ""
		if t := reType.FindSubmatch(body); t != nil {
			kind = string(t[1])
		}
		s.mu.Lock()
		s.next++
		id := fmt.Sprintf("session[bench]view-%08d", s.next)
		s.views[id] = kind
		s.mu.Unlock()
		fmt.Fprintf(bw, `<returnval type="ContainerView">%s</returnval>`, id)
	case "RetrievePropertiesEx":
		view := ""
		if v := reView.FindSubmatch(body); v != nil {
			view = string(v[1])
		}
		max := 100
		if v := reMax.FindSubmatch(body); v != nil {
			max, _ = strconv.Atoi(string(v[1]))
		}
		s.page(bw, view, 0, max)
	case "RetrieveProperties":
		// The old call, without paging (govmomi's view.Retrieve uses it): every object, each
		// in its own returnval.
		view := ""
		if v := reView.FindSubmatch(body); v != nil {
			view = string(v[1])
		}
		s.mu.Lock()
		kind := s.views[view]
		s.mu.Unlock()
		for i := 0; i < s.e.count(kind); i++ {
			s.object(bw, kind, i, "returnval")
		}
	case "ContinueRetrievePropertiesEx":
		t := reToken.FindSubmatch(body)
		if t == nil {
			break
		}
		parts := strings.Split(string(t[1]), "|")
		if len(parts) != 3 {
			break
		}
		from, _ := strconv.Atoi(parts[1])
		max, _ := strconv.Atoi(parts[2])
		s.page(bw, parts[0], from, max)
	case "DestroyView":
		if v := reView.FindSubmatch(body); v != nil {
			s.mu.Lock()
			delete(s.views, string(v[1]))
			s.mu.Unlock()
		}
	case "CreateCollectorForEvents":
		bw.WriteString(`<returnval type="EventHistoryCollector">session[bench]events-1</returnval>`)
	case "ReadNextEvents", "SetCollectorPageSize", "RewindCollector", "DestroyCollector", "Logout":
	default:
		log.Printf("unanswered method %s", method)
	}
	fmt.Fprintf(bw, `</%sResponse>`, method)
	bw.WriteString(tail)
}

// limited keeps the first n bytes written to it.
type limited struct {
	b *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		if room > len(p) {
			room = len(p)
		}
		l.b.Write(p[:room])
	}
	return len(p), nil
}

// page writes objects [from, from+max) of the view's type and a token when more are left.
func (s *server) page(w *bufio.Writer, view string, from, max int) {
	time.Sleep(*delay)
	s.mu.Lock()
	kind, ok := s.views[view]
	s.mu.Unlock()
	n := s.e.count(kind)
	if !ok || from >= n {
		return
	}
	if max <= 0 {
		max = 100
	}
	end := from + max
	if end > n {
		end = n
	}
	w.WriteString("<returnval>")
	if end < n {
		fmt.Fprintf(w, "<token>%s|%d|%d</token>", view, end, max)
	}
	for i := from; i < end; i++ {
		s.object(w, kind, i, "objects")
	}
	w.WriteString("</returnval>")
}

func prop(w *bufio.Writer, name, xsiType, val string) {
	w.WriteString("<propSet><name>")
	w.WriteString(name)
	w.WriteString(`</name><val xsi:type="`)
	w.WriteString(xsiType)
	w.WriteString(`">`)
	w.WriteString(val)
	w.WriteString("</val></propSet>")
}

func ref(w *bufio.Writer, name, kind, value string) {
	fmt.Fprintf(w, `<propSet><name>%s</name><val type="%s" xsi:type="ManagedObjectReference">%s</val></propSet>`, name, kind, value)
}

// object writes one ObjectContent as element elem.
func (s *server) object(w *bufio.Writer, kind string, i int, elem string) {
	w.WriteString("<" + elem + ">")
	switch kind {
	case "Folder":
		names := []string{"Datacenters", "vm", "host", "datastore", "network"}
		if i < 5 {
			fmt.Fprintf(w, `<obj type="Folder">group-%c%d</obj>`, "dvhsn"[i], i+1)
			prop(w, "name", "xsd:string", names[i])
			if i > 0 {
				ref(w, "parent", "Datacenter", "datacenter-2")
			}
		} else {
			fmt.Fprintf(w, `<obj type="Folder">group-v%d</obj>`, 1000+i-5)
			prop(w, "name", "xsd:string", fmt.Sprintf("Apps-%03d", i-5))
			ref(w, "parent", "Folder", "group-v2")
		}
	case "Datacenter":
		w.WriteString(`<obj type="Datacenter">datacenter-2</obj>`)
		prop(w, "name", "xsd:string", fmt.Sprintf("DC%d", *instance))
		ref(w, "parent", "Folder", "group-d1")
	case "ComputeResource", "ClusterComputeResource":
		fmt.Fprintf(w, `<obj type="ClusterComputeResource">domain-c%d</obj>`, i)
		if kind == "ClusterComputeResource" {
			w.WriteString(`<propSet><name>configurationEx</name><val xsi:type="ClusterConfigInfoEx"><dasConfig><enabled>true</enabled><vmMonitoring>vmMonitoringDisabled</vmMonitoring><hostMonitoring>enabled</hostMonitoring><failoverLevel>1</failoverLevel><admissionControlEnabled>true</admissionControlEnabled></dasConfig><drsConfig><enabled>true</enabled><enableVmBehaviorOverrides>true</enableVmBehaviorOverrides><defaultVmBehavior>fullyAutomated</defaultVmBehavior><vmotionRate>3</vmotionRate></drsConfig><dpmConfigInfo><enabled>false</enabled><defaultDpmBehavior>automated</defaultDpmBehavior></dpmConfigInfo></val></propSet>`)
		}
		prop(w, "name", "xsd:string", fmt.Sprintf("Cluster-%04d", i))
		ref(w, "parent", "Folder", "group-h3")
	case "HostSystem":
		fmt.Fprintf(w, `<obj type="HostSystem">host-%d</obj>`, i)
		prop(w, "name", "xsd:string", fmt.Sprintf("esx%05d.vc%d.corp.local", i, *instance))
		ref(w, "parent", "ClusterComputeResource", fmt.Sprintf("domain-c%d", i/16))
		prop(w, "runtime.connectionState", "HostSystemConnectionState", "connected")
		prop(w, "runtime.inMaintenanceMode", "xsd:boolean", "false")
		w.WriteString(`<propSet><name>summary.config.product</name><val xsi:type="AboutInfo"><name>VMware ESXi</name><fullName>VMware ESXi 7.0.3 build-21424296</fullName><vendor>VMware, Inc.</vendor><version>7.0.3</version><build>21424296</build><localeVersion>INTL</localeVersion><localeBuild>000</localeBuild><osType>vmnix-x86</osType><productLineId>embeddedEsx</productLineId><apiType>HostAgent</apiType><apiVersion>7.0.3.0</apiVersion><licenseProductName>VMware ESX Server</licenseProductName><licenseProductVersion>7.0</licenseProductVersion></val></propSet>`)
	case "Datastore":
		fmt.Fprintf(w, `<obj type="Datastore">datastore-%d</obj>`, i)
		prop(w, "name", "xsd:string", fmt.Sprintf("ds-%05d", i))
		ref(w, "parent", "Folder", "group-s4")
		prop(w, "summary.capacity", "xsd:long", "4397778075648")
		prop(w, "summary.freeSpace", "xsd:long", "1099511627776")
		prop(w, "summary.type", "xsd:string", "VMFS")
	case "VirtualMachine":
		s.vm(w, i)
	}
	w.WriteString("</" + elem + ">\n")
}

// guests are common guest OSes: id, full name, firmware, file system, root path.
var guests = [][5]string{
	{"windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)", "efi", "NTFS", `C:\`},
	{"rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)", "bios", "xfs", "/"},
	{"windows9Server64Guest", "Microsoft Windows Server 2016 or later (64-bit)", "efi", "NTFS", `C:\`},
	{"ubuntu64Guest", "Ubuntu Linux (64-bit)", "bios", "ext4", "/"},
	{"centos7_64Guest", "CentOS 7 (64-bit)", "bios", "xfs", "/"},
	{"sles15_64Guest", "SUSE Linux Enterprise 15 (64-bit)", "efi", "btrfs", "/"},
}

func (s *server) vm(w *bufio.Writer, i int) {
	e := s.e
	g := guests[i%len(guests)]
	name := fmt.Sprintf("vm%07d-vc%d", i, *instance)
	host := i / 40
	if host >= e.hosts {
		host = e.hosts - 1
	}
	ds := i / 200
	uuid := fmt.Sprintf("42%02x%04x-%04x-%04x-8192-%012x", *instance, i>>16&0xffff, i&0xffff, *instance, i)
	iuuid := fmt.Sprintf("50%02x%04x-%04x-%04x-8192-%012x", *instance, i>>16&0xffff, i&0xffff, *instance, i)
	disks := 2 + i%3
	fmt.Fprintf(w, `<obj type="VirtualMachine">vm-%d</obj>`, i)
	prop(w, "config.firmware", "xsd:string", g[2])
	prop(w, "config.guestFullName", "xsd:string", g[1])
	prop(w, "config.guestId", "xsd:string", g[0])
	w.WriteString(`<propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice">`)
	w.WriteString(`<VirtualDevice xsi:type="VirtualIDEController"><key>200</key><deviceInfo><label>IDE 0</label><summary>IDE 0</summary></deviceInfo><busNumber>0</busNumber></VirtualDevice><VirtualDevice xsi:type="VirtualIDEController"><key>201</key><deviceInfo><label>IDE 1</label><summary>IDE 1</summary></deviceInfo><busNumber>1</busNumber><device>3002</device></VirtualDevice><VirtualDevice xsi:type="VirtualPS2Controller"><key>300</key><deviceInfo><label>PS2 controller 0</label><summary>PS2 controller 0</summary></deviceInfo><busNumber>0</busNumber><device>600</device><device>700</device></VirtualDevice><VirtualDevice xsi:type="VirtualPCIController"><key>100</key><deviceInfo><label>PCI controller 0</label><summary>PCI controller 0</summary></deviceInfo><busNumber>0</busNumber><device>500</device><device>12000</device><device>1000</device><device>4000</device></VirtualDevice><VirtualDevice xsi:type="VirtualSIOController"><key>400</key><deviceInfo><label>SIO controller 0</label><summary>SIO controller 0</summary></deviceInfo><busNumber>0</busNumber></VirtualDevice><VirtualDevice xsi:type="VirtualKeyboard"><key>600</key><deviceInfo><label>Keyboard </label><summary>Keyboard</summary></deviceInfo><controllerKey>300</controllerKey><unitNumber>0</unitNumber></VirtualDevice><VirtualDevice xsi:type="VirtualPointingDevice"><key>700</key><deviceInfo><label>Pointing device</label><summary>Pointing device; Device</summary></deviceInfo><backing xsi:type="VirtualPointingDeviceDeviceBackingInfo"><deviceName></deviceName><useAutoDetect>false</useAutoDetect><hostPointingDevice>autodetect</hostPointingDevice></backing><controllerKey>300</controllerKey><unitNumber>1</unitNumber></VirtualDevice><VirtualDevice xsi:type="VirtualMachineVideoCard"><key>500</key><deviceInfo><label>Video card </label><summary>Video card</summary></deviceInfo><controllerKey>100</controllerKey><unitNumber>0</unitNumber><videoRamSizeInKB>8192</videoRamSizeInKB><numDisplays>1</numDisplays><useAutoDetect>false</useAutoDetect><enable3DSupport>false</enable3DSupport><use3dRenderer>automatic</use3dRenderer><graphicsMemorySizeInKB>262144</graphicsMemorySizeInKB></VirtualDevice><VirtualDevice xsi:type="VirtualMachineVMCIDevice"><key>12000</key><deviceInfo><label>VMCI device</label><summary>Device on the virtual machine PCI bus that provides support for the virtual machine communication interface</summary></deviceInfo><slotInfo xsi:type="VirtualDevicePciBusSlotInfo"><pciSlotNumber>33</pciSlotNumber></slotInfo><controllerKey>100</controllerKey><unitNumber>17</unitNumber><id>1754519335</id><allowUnrestrictedCommunication>false</allowUnrestrictedCommunication><filterEnable>true</filterEnable></VirtualDevice><VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><deviceInfo><label>SCSI controller 0</label><summary>VMware paravirtual SCSI</summary></deviceInfo><slotInfo xsi:type="VirtualDevicePciBusSlotInfo"><pciSlotNumber>160</pciSlotNumber></slotInfo><controllerKey>100</controllerKey><unitNumber>3</unitNumber><busNumber>0</busNumber>`)
	for d := 0; d < disks; d++ {
		fmt.Fprintf(w, "<device>%d</device>", 2000+d)
	}
	w.WriteString(`<hotAddRemove>true</hotAddRemove><sharedBus>noSharing</sharedBus><scsiCtlrUnitNumber>7</scsiCtlrUnitNumber></VirtualDevice>`)
	for d := 0; d < disks; d++ {
		kb := 41943040 * (d + 1)
		dsd := ds
		if d == disks-1 && ds+1 < e.datastores {
			dsd = ds + 1
		}
		fmt.Fprintf(w, `<VirtualDevice xsi:type="VirtualDisk"><key>%d</key><deviceInfo><label>Hard disk %d</label><summary>%d KB</summary></deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds-%05d] %s/%s_%d.vmdk</fileName><datastore type="Datastore">datastore-%d</datastore><backingObjectId></backingObjectId><diskMode>persistent</diskMode><split>false</split><writeThrough>false</writeThrough><thinProvisioned>true</thinProvisioned><uuid>6000C29%d-%s</uuid><contentId>9a1b7c0e5d3f4a2b8c6d0e1f2a3b4c5d</contentId><digestEnabled>false</digestEnabled><sharing>sharingNone</sharing></backing><controllerKey>1000</controllerKey><unitNumber>%d</unitNumber><capacityInKB>%d</capacityInKB><capacityInBytes>%d</capacityInBytes><shares><shares>1000</shares><level>normal</level></shares><storageIOAllocation><limit>-1</limit><shares><shares>1000</shares><level>normal</level></shares><reservation>0</reservation></storageIOAllocation><diskObjectId>%d-%d</diskObjectId><nativeUnmanagedLinkedClone>false</nativeUnmanagedLinkedClone></VirtualDevice>`,
			2000+d, d+1, kb, dsd, name, name, d, dsd, d, uuid[2:], d, kb, int64(kb)*1024, i, 2000+d)
	}
	fmt.Fprintf(w, `<VirtualDevice xsi:type="VirtualCdrom"><key>3002</key><deviceInfo><label>CD/DVD drive 1</label><summary>Remote device</summary></deviceInfo><backing xsi:type="VirtualCdromRemotePassthroughBackingInfo"><deviceName></deviceName><useAutoDetect>false</useAutoDetect><exclusive>false</exclusive></backing><connectable><migrateConnect>unset</migrateConnect><startConnected>false</startConnected><allowGuestControl>true</allowGuestControl><connected>false</connected><status>untried</status></connectable><controllerKey>201</controllerKey><unitNumber>0</unitNumber></VirtualDevice><VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label><summary>DVSwitch: 50 1e 2f 3a 4b 5c 6d 7e-8f 90 a1 b2 c3 d4 e5 f6</summary></deviceInfo><backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port><switchUuid>50 1e 2f 3a 4b 5c 6d 7e-8f 90 a1 b2 c3 d4 e5 f6</switchUuid><portgroupKey>dvportgroup-31</portgroupKey><portKey>%d</portKey><connectionCookie>1404557193</connectionCookie></port></backing><connectable><migrateConnect>unset</migrateConnect><startConnected>true</startConnected><allowGuestControl>true</allowGuestControl><connected>true</connected><status>ok</status></connectable><slotInfo xsi:type="VirtualDevicePciBusSlotInfo"><pciSlotNumber>192</pciSlotNumber></slotInfo><controllerKey>100</controllerKey><unitNumber>7</unitNumber><addressType>assigned</addressType><macAddress>00:50:56:%02x:%02x:%02x</macAddress><wakeOnLanEnabled>true</wakeOnLanEnabled><resourceAllocation><reservation>0</reservation><share><shares>50</shares><level>normal</level></share><limit>-1</limit></resourceAllocation><uptCompatibilityEnabled>true</uptCompatibilityEnabled></VirtualDevice>`,
		i%4096, i>>16&0xff, i>>8&0xff, i&0xff)
	w.WriteString(`</val></propSet>`)
	prop(w, "config.hardware.memoryMB", "xsd:int", strconv.Itoa(4096<<(i%3)))
	prop(w, "config.hardware.numCPU", "xsd:int", strconv.Itoa(2<<(i%3)))
	prop(w, "config.instanceUuid", "xsd:string", iuuid)
	prop(w, "config.template", "xsd:boolean", "false")
	prop(w, "config.uuid", "xsd:string", uuid)
	w.WriteString(`<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference">`)
	fmt.Fprintf(w, `<ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-%d</ManagedObjectReference>`, ds)
	if ds+1 < e.datastores {
		fmt.Fprintf(w, `<ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-%d</ManagedObjectReference>`, ds+1)
	}
	w.WriteString(`</val></propSet><propSet><name>guest.disk</name><val xsi:type="ArrayOfGuestDiskInfo">`)
	for d := 0; d < disks; d++ {
		path := g[4]
		if d > 0 {
			if g[3] == "NTFS" {
				path = fmt.Sprintf(`%c:\`, 'D'+d-1)
			} else {
				path = fmt.Sprintf("/data%d", d)
			}
		}
		cap := int64(41943040*(d+1)) * 1024
		fmt.Fprintf(w, `<GuestDiskInfo xsi:type="GuestDiskInfo"><diskPath>%s</diskPath><capacity>%d</capacity><freeSpace>%d</freeSpace><filesystemType>%s</filesystemType><mappings><key>%d</key></mappings></GuestDiskInfo>`,
			path, cap-(1<<26), cap/3, g[3], 2000+d)
	}
	w.WriteString(`</val></propSet>`)
	prop(w, "guest.guestFullName", "xsd:string", g[1])
	prop(w, "guest.guestId", "xsd:string", g[0])
	prop(w, "guest.toolsRunningStatus", "xsd:string", "guestToolsRunning")
	prop(w, "guest.toolsStatus", "VirtualMachineToolsStatus", "toolsOk")
	prop(w, "guest.toolsVersion", "xsd:string", "12320")
	prop(w, "guest.toolsVersionStatus2", "xsd:string", "guestToolsCurrent")
	prop(w, "name", "xsd:string", name)
	ref(w, "parent", "Folder", fmt.Sprintf("group-v%d", 1000+i/500))
	ref(w, "runtime.host", "HostSystem", fmt.Sprintf("host-%d", host))
	prop(w, "runtime.powerState", "VirtualMachinePowerState", "poweredOn")
}

func main() {
	log.SetPrefix("paged-server: ")
	flag.Parse()
	dir, err := os.MkdirTemp("", "paged-server-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cert, caFile, err := selfSigned(dir)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{e: newEstate(*vms), views: map[string]string{}}
	srv := &http.Server{Handler: s, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go srv.ServeTLS(ln, "", "")
	line, _ := json.Marshal(map[string]string{"server": ln.Addr().String(), "ca_file": caFile})
	fmt.Println(string(line))
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// selfSigned makes a CA (written as the CA file clients trust) and a certificate for 127.0.0.1
// signed by it: rustls refuses a CA certificate as a server's own.
func selfSigned(dir string) (tls.Certificate, string, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "paged-server CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	caFile := filepath.Join(dir, "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caFile, nil
}
