package main

// Reusable planting helpers. Inventory objects are created through the vSphere API with an
// in-process client (the same calls a real vCenter would take); the few things the API cannot
// express in vcsim 0.24 (host versions, Tools state, RDM disks, fixed datastore sizes) are set
// directly on the simulator's objects under their locks.

import (
	"context"
	"crypto/sha1"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	kib = int64(1024)
	mib = 1024 * kib
	gib = 1024 * mib
	tib = 1024 * gib
)

// Planted is one finding a scenario plants on purpose.
type Planted struct {
	ObjectType string `json:"object_type"` // vcenter, host or vm
	Object     string `json:"object"`
	Rule       string `json:"rule"`
	Status     string `json:"status"` // fail or unknown
	Disk       string `json:"disk,omitempty"`
	// Profile is the rules profile the finding belongs to ("" = the default, asr-vmware-2017).
	Profile string `json:"profile,omitempty"`
}

// Builder plants an estate into the simulator.
type Builder struct {
	ctx     context.Context
	c       *vim25.Client
	opts    *options
	root    *object.Folder
	planted []Planted
	shared  []string // VMs with the same UUIDs in every instance
	seq     int      // VMs created, for UUIDs
}

func newBuilder(ctx context.Context, c *vim25.Client, o *options) *Builder {
	return &Builder{ctx: ctx, c: c, opts: o, root: object.NewRootFolder(c)}
}

// Plant records an expected finding.
func (b *Builder) Plant(objectType, obj, rule, status string) {
	b.planted = append(b.planted, Planted{ObjectType: objectType, Object: obj, Rule: rule, Status: status})
}

// PlantIn records an expected finding of one rules profile.
func (b *Builder) PlantIn(profile, objectType, obj, rule, status string) {
	b.planted = append(b.planted, Planted{ObjectType: objectType, Object: obj, Rule: rule, Status: status, Profile: profile})
}

// PlantDisk records an expected disk-size finding for one disk.
func (b *Builder) PlantDisk(vm, label string) {
	b.planted = append(b.planted, Planted{ObjectType: "vm", Object: vm, Rule: "disk-size", Status: "fail", Disk: label})
}

// stableUUID derives a UUID from the scenario, the instance and a key, so estates are identical
// run to run but differ between instances.
func (b *Builder) stableUUID(key string) string {
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:vcaudit:vcsim-scenario"))
	return uuid.NewSHA1(ns, []byte(fmt.Sprintf("%s/%d/%s", b.opts.scenario, b.opts.instance, key))).String()
}

// sharedUUID derives a UUID from the scenario and a key only: the same in every instance.
func (b *Builder) sharedUUID(key string) string {
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:vcaudit:vcsim-scenario"))
	return uuid.NewSHA1(ns, []byte(fmt.Sprintf("%s/shared/%s", b.opts.scenario, key))).String()
}

// Shared gives s the BIOS and instance UUIDs of the VM named s.Name in every instance of the
// scenario, and lists it in the ready line's "shared_vms".
func (b *Builder) Shared(s *VMSpec) *VMSpec {
	s.UUID = b.sharedUUID("vm/" + s.Name + "/bios")
	s.InstanceUUID = b.sharedUUID("vm/" + s.Name + "/instance")
	b.shared = append(b.shared, s.Name)
	return s
}

// PostMigrationEvent posts a cross-vCenter vMotion EventEx (e.g.
// com.vmware.vc.vm.DstVmMigratedEvent) about vm, as vCenter records one. vcsim sets its time to
// now.
func (b *Builder) PostMigrationEvent(vm *VM, eventTypeID, message string) error {
	ref := vm.Obj.Reference()
	e := &types.EventEx{
		Event: types.Event{
			Vm: &types.VmEventArgument{
				EntityEventArgument: types.EntityEventArgument{Name: vm.Name},
				Vm:                  ref,
			},
			FullFormattedMessage: message,
		},
		EventTypeId: eventTypeID,
		Severity:    "info",
		ObjectId:    ref.Value,
		ObjectType:  "VirtualMachine",
		ObjectName:  vm.Name,
	}
	if err := event.NewManager(b.c).PostEvent(b.ctx, e); err != nil {
		return fmt.Errorf("post %s for %s: %v", eventTypeID, vm.Name, err)
	}
	return nil
}

func (b *Builder) wait(t *object.Task, err error) (types.AnyType, error) {
	if err != nil {
		return nil, err
	}
	info, err := t.WaitForResult(b.ctx, nil)
	if err != nil {
		return nil, err
	}
	return info.Result, nil
}

// ---- About -------------------------------------------------------------------------------

// vcenterAbout is a vCenter Server AboutInfo for version/build.
func vcenterAbout(version, build, apiVersion, instanceUUID string) types.AboutInfo {
	return types.AboutInfo{
		Name:                  "VMware vCenter Server",
		FullName:              fmt.Sprintf("VMware vCenter Server %s build-%s", version, build),
		Vendor:                "VMware, Inc.",
		Version:               version,
		Build:                 build,
		LocaleVersion:         "INTL",
		LocaleBuild:           "000",
		OsType:                "linux-x64",
		ProductLineId:         "vpx",
		ApiType:               "VirtualCenter",
		ApiVersion:            apiVersion,
		InstanceUuid:          instanceUUID,
		LicenseProductName:    "VMware VirtualCenter Server",
		LicenseProductVersion: strings.Join(strings.Split(version, ".")[:2], "."),
	}
}

// esxiAbout is an ESXi AboutInfo for version/build.
func esxiAbout(version, build string) types.AboutInfo {
	return types.AboutInfo{
		Name:                  "VMware ESXi",
		FullName:              fmt.Sprintf("VMware ESXi %s build-%s", version, build),
		Vendor:                "VMware, Inc.",
		Version:               version,
		Build:                 build,
		LocaleVersion:         "INTL",
		LocaleBuild:           "000",
		OsType:                "vmnix-x86",
		ProductLineId:         "embeddedEsx",
		ApiType:               "HostAgent",
		ApiVersion:            strings.Join(strings.Split(version, ".")[:2], "."),
		LicenseProductName:    "VMware ESX Server",
		LicenseProductVersion: strings.Join(strings.Split(version, ".")[:2], "."),
	}
}

// instanceUUID is a vCenter instanceUuid derived from the scenario and instance number.
func instanceUUID(scenario string, instance int) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("vcaudit vcsim-scenario %s vCenter %d", scenario, instance)))
	u, _ := uuid.FromBytes(sum[:16])
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return u.String()
}

// emptyModel is a VPX (vCenter) model with no inventory: the scenario builds it all.
func emptyModel(about func(o *options) types.AboutInfo) func(o *options) *simulator.Model {
	return func(o *options) *simulator.Model {
		m := simulator.VPX()
		m.Datacenter = 0
		m.Portgroup = 0
		m.Host = 0
		m.Cluster = 0
		m.ClusterHost = 0
		m.Datastore = 0
		m.Machine = 0
		m.Autostart = false
		m.ServiceContent.About = about(o)
		return m
	}
}

// ---- Inventory ---------------------------------------------------------------------------

// DC is a created datacenter with its folders.
type DC struct {
	Name    string
	Obj     *object.Datacenter
	Folders *object.DatacenterFolders
}

// Datacenter creates a datacenter in the root folder, or in nested folders when parents are
// given (e.g. "EMEA").
func (b *Builder) Datacenter(name string, parents ...string) (*DC, error) {
	folder := b.root
	for _, p := range parents {
		f, err := b.childFolder(folder, p)
		if err != nil {
			return nil, err
		}
		folder = f
	}
	dc, err := folder.CreateDatacenter(b.ctx, name)
	if err != nil {
		return nil, fmt.Errorf("datacenter %s: %v", name, err)
	}
	folders, err := dc.Folders(b.ctx)
	if err != nil {
		return nil, err
	}
	return &DC{Name: name, Obj: dc, Folders: folders}, nil
}

// childFolder returns the child folder named name of parent, creating it when missing.
func (b *Builder) childFolder(parent *object.Folder, name string) (*object.Folder, error) {
	f := simulator.Map.Get(parent.Reference()).(*simulator.Folder)
	for _, ref := range f.ChildEntity {
		if ref.Type != "Folder" {
			continue
		}
		if child, ok := simulator.Map.Get(ref).(*simulator.Folder); ok && child.Name == name {
			return object.NewFolder(b.c, ref), nil
		}
	}
	return parent.CreateFolder(b.ctx, name)
}

// VMFolder returns the VM folder at path under the datacenter's vm folder ("Prod/Web"),
// creating the folders that are missing. "" is the vm folder itself.
func (b *Builder) VMFolder(dc *DC, p string) (*object.Folder, error) {
	folder := dc.Folders.VmFolder
	for _, name := range strings.Split(p, "/") {
		if name == "" {
			continue
		}
		f, err := b.childFolder(folder, name)
		if err != nil {
			return nil, fmt.Errorf("folder %s: %v", p, err)
		}
		folder = f
	}
	return folder, nil
}

// Cluster creates a cluster with the given DRS state (configurationEx.drsConfig).
func (b *Builder) Cluster(dc *DC, name string, drsEnabled bool, drsBehavior types.DrsBehavior) (*object.ClusterComputeResource, error) {
	cl, err := dc.Folders.HostFolder.CreateCluster(b.ctx, name, types.ClusterConfigSpecEx{})
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %v", name, err)
	}
	sim := simulator.Map.Get(cl.Reference()).(*simulator.ClusterComputeResource)
	simulator.Map.WithLock(sim, func() {
		cfg := sim.ConfigurationEx.(*types.ClusterConfigInfoEx)
		cfg.DrsConfig.Enabled = types.NewBool(drsEnabled)
		cfg.DrsConfig.DefaultVmBehavior = drsBehavior
	})
	return cl, nil
}

// ClusterHost adds a connected ESXi host of the given version to a cluster.
func (b *Builder) ClusterHost(cl *object.ClusterComputeResource, name, version, build string) (*object.HostSystem, error) {
	res, err := b.wait(cl.AddHost(b.ctx, types.HostConnectSpec{HostName: name, UserName: "root", Password: "x"}, true, nil, nil))
	if err != nil {
		return nil, fmt.Errorf("host %s: %v", name, err)
	}
	h := object.NewHostSystem(b.c, res.(types.ManagedObjectReference))
	b.SetHostVersion(h.Reference(), version, build)
	return h, nil
}

// StandaloneHost adds a connected standalone ESXi host of the given version.
func (b *Builder) StandaloneHost(dc *DC, name, version, build string) (*object.HostSystem, error) {
	res, err := b.wait(dc.Folders.HostFolder.AddStandaloneHost(b.ctx, types.HostConnectSpec{HostName: name, UserName: "root", Password: "x"}, true, nil, nil))
	if err != nil {
		return nil, fmt.Errorf("host %s: %v", name, err)
	}
	h := object.NewHostSystem(b.c, res.(types.ManagedObjectReference))
	b.SetHostVersion(h.Reference(), version, build)
	return h, nil
}

// SetHostVersion gives a host a product version and build. summary.config.product is a
// pointer shared by every vcsim host: it gets a new pointer, never an in-place change.
func (b *Builder) SetHostVersion(ref types.ManagedObjectReference, version, build string) {
	h := simulator.Map.Get(ref).(*simulator.HostSystem)
	simulator.Map.WithLock(h, func() {
		h.Config.Product = esxiAbout(version, build)
		summary := esxiAbout(version, build)
		h.Summary.Config.Product = &summary
	})
}

// Datastore creates a local datastore named name mounted on every given host (vcsim keeps its
// files in a temp dir). It returns the datastore's reference.
func (b *Builder) Datastore(dc *DC, name string, hosts ...*object.HostSystem) (types.ManagedObjectReference, error) {
	var ref types.ManagedObjectReference
	dir, err := os.MkdirTemp("", name+"-")
	if err != nil {
		return ref, err
	}
	var mounts []types.DatastoreHostMount
	for _, h := range hosts {
		dss, err := h.ConfigManager().DatastoreSystem(b.ctx)
		if err != nil {
			return ref, err
		}
		ds, err := dss.CreateLocalDatastore(b.ctx, name, dir)
		if err != nil {
			return ref, fmt.Errorf("datastore %s on %s: %v", name, h.Reference().Value, err)
		}
		ref = ds.Reference()
		sim := simulator.Map.Get(ref).(*simulator.Datastore)
		mounts = append(mounts, sim.Host...)
	}
	// Each CreateLocalDatastore call puts a new object (with one host mount) under the same
	// moref and adds the moref to the datastore folder again: keep one object with every mount
	// and one folder entry.
	sim := simulator.Map.Get(ref).(*simulator.Datastore)
	simulator.Map.WithLock(sim, func() { sim.Host = dedupMounts(mounts) })
	b.dedupChildren(dc.Folders.DatastoreFolder.Reference())
	return ref, nil
}

func dedupMounts(in []types.DatastoreHostMount) []types.DatastoreHostMount {
	seen := map[types.ManagedObjectReference]bool{}
	var out []types.DatastoreHostMount
	for _, m := range in {
		if !seen[m.Key] {
			seen[m.Key] = true
			out = append(out, m)
		}
	}
	return out
}

func (b *Builder) dedupChildren(folder types.ManagedObjectReference) {
	f := simulator.Map.Get(folder).(*simulator.Folder)
	simulator.Map.WithLock(f, func() {
		seen := map[types.ManagedObjectReference]bool{}
		var out []types.ManagedObjectReference
		for _, c := range f.ChildEntity {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
		f.ChildEntity = out
	})
}

// SetDatastoreSummary fixes a datastore's type ("" keeps vcsim's "OTHER"), capacity and free
// space (vcsim reads them from the real filesystem of its temp dir and subtracts every disk it
// creates). Call it after the last disk is created.
func (b *Builder) SetDatastoreSummary(ref types.ManagedObjectReference, kind string, capacity, free int64) {
	ds := simulator.Map.Get(ref).(*simulator.Datastore)
	simulator.Map.WithLock(ds, func() {
		if kind != "" {
			ds.Summary.Type = kind
		}
		ds.Summary.Capacity = capacity
		ds.Summary.FreeSpace = free
		info := ds.Info.GetDatastoreInfo()
		info.FreeSpace = free
		info.MaxFileSize = free
		info.MaxMemoryFileSize = free
	})
}

// datastoreName is the name of a datastore.
func datastoreName(ref types.ManagedObjectReference) string {
	return simulator.Map.Get(ref).(*simulator.Datastore).Name
}

// StoragePod creates a datastore cluster with Storage DRS on or off and moves the datastores
// into it.
func (b *Builder) StoragePod(dc *DC, name string, sdrs bool, datastores ...types.ManagedObjectReference) (types.ManagedObjectReference, error) {
	pod, err := dc.Folders.DatastoreFolder.CreateStoragePod(b.ctx, name)
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("storage pod %s: %v", name, err)
	}
	srm := object.NewStorageResourceManager(b.c)
	spec := types.StorageDrsConfigSpec{PodConfigSpec: &types.StorageDrsPodConfigSpec{
		Enabled:           types.NewBool(sdrs),
		DefaultVmBehavior: string(types.StorageDrsPodConfigInfoBehaviorAutomated),
	}}
	if _, err := b.wait(srm.ConfigureStorageDrsForPod(b.ctx, pod, spec, true)); err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("storage DRS on %s: %v", name, err)
	}
	if _, err := b.wait(pod.MoveInto(b.ctx, datastores)); err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("move datastores into %s: %v", name, err)
	}
	// vcsim 0.24's recursive ContainerView does not descend into a StoragePod, so datastores in
	// a pod would vanish from every container view. Keep them listed in the datastore folder
	// too (their parent stays the pod, the pod's childEntity lists them).
	folder := simulator.Map.Get(dc.Folders.DatastoreFolder.Reference()).(*simulator.Folder)
	simulator.Map.WithLock(folder, func() {
		folder.ChildEntity = append(folder.ChildEntity, datastores...)
	})
	return pod.Reference(), nil
}

// ---- Virtual machines --------------------------------------------------------------------

// DiskSpec is one virtual disk of a VM.
type DiskSpec struct {
	Size       int64  // bytes; both capacityInBytes and capacityInKB are set
	Datastore  string // "" = the VM's datastore
	Thin       bool
	Mode       types.VirtualDiskMode // "" = persistent
	Controller int                   // SCSI controller index (0..3)
}

// GuestSpec is what VMware Tools report.
type GuestSpec struct {
	ToolsStatus   types.VirtualMachineToolsStatus
	Running       types.VirtualMachineToolsRunningStatus
	Version       string // "" = unset
	VersionStatus types.VirtualMachineToolsVersionStatus
	GuestID       string // guest.guestId
	FullName      string // guest.guestFullName
	HostName      string
	IP            string
	IPv6          []string // more addresses Tools report on the first adapter
	Disks         []types.GuestDiskInfo
}

// VMSpec is a VM to create.
type VMSpec struct {
	Name          string // inventory name
	CreateAs      string // config name and file names when the VM is renamed later ("" = Name)
	Folder        string // under the datacenter's vm folder, e.g. "Prod/Web"
	Host          *object.HostSystem
	Datastore     string
	GuestID       string
	GuestFullName string // config.guestFullName ("" = the descriptor name of GuestID)
	CPUs          int32
	MemoryMB      int64
	Firmware      types.GuestOsDescriptorFirmwareType // "" = bios
	Controller    string                              // "pvscsi" or "lsilogic-sas" ("" = by OS)
	Disks         []DiskSpec
	PowerOff      bool
	Template      bool
	Guest         *GuestSpec
	UUID          string // "" = derived from scenario, instance and sequence
	InstanceUUID  string
}

// VM is a created VM.
type VM struct {
	Name string
	Obj  *object.VirtualMachine
	Sim  *simulator.VirtualMachine
	Spec *VMSpec
}

// hostPool is the root resource pool of a host's compute resource.
func (b *Builder) hostPool(h *object.HostSystem) (*object.ResourcePool, error) {
	hs := simulator.Map.Get(h.Reference()).(*simulator.HostSystem)
	switch cr := simulator.Map.Get(*hs.Parent).(type) {
	case *simulator.ClusterComputeResource:
		return object.NewResourcePool(b.c, *cr.ResourcePool), nil
	case *mo.ComputeResource:
		return object.NewResourcePool(b.c, *cr.ResourcePool), nil
	}
	return h.ResourcePool(b.ctx)
}

func scsiController(kind string, bus int32) types.BaseVirtualDevice {
	base := types.VirtualSCSIController{
		VirtualController: types.VirtualController{
			VirtualDevice: types.VirtualDevice{
				Key:           1000 + bus,
				ControllerKey: 100,
				UnitNumber:    types.NewInt32(3 + bus),
				DeviceInfo: &types.Description{
					Label: fmt.Sprintf("SCSI controller %d", bus),
				},
			},
			BusNumber: bus,
		},
		SharedBus:          types.VirtualSCSISharingNoSharing,
		ScsiCtlrUnitNumber: 7,
	}
	switch kind {
	case "lsilogic-sas":
		base.DeviceInfo.GetDescription().Summary = "LSI Logic SAS"
		return &types.VirtualLsiLogicSASController{VirtualSCSIController: base}
	default:
		base.DeviceInfo.GetDescription().Summary = "VMware paravirtual SCSI"
		return &types.ParaVirtualSCSIController{VirtualSCSIController: base}
	}
}

// unitFor is the SCSI unit number of the n-th disk on a controller (7 is the controller's own).
func unitFor(n int) int32 {
	if n >= 7 {
		return int32(n + 1)
	}
	return int32(n)
}

// CreateVM creates, configures and (unless PowerOff or Template) powers on a VM, then sets its
// Tools state.
func (b *Builder) CreateVM(dc *DC, s *VMSpec) (*VM, error) {
	b.seq++
	createAs := s.CreateAs
	if createAs == "" {
		createAs = s.Name
	}
	if s.UUID == "" {
		s.UUID = b.stableUUID(fmt.Sprintf("vm/%d/bios", b.seq))
	}
	if s.InstanceUUID == "" {
		s.InstanceUUID = b.stableUUID(fmt.Sprintf("vm/%d/instance", b.seq))
	}
	if s.Firmware == "" {
		s.Firmware = types.GuestOsDescriptorFirmwareTypeBios
	}
	if s.CPUs == 0 {
		s.CPUs = 2
	}
	if s.MemoryMB == 0 {
		s.MemoryMB = 4096
	}
	ctrlKind := s.Controller
	if ctrlKind == "" {
		ctrlKind = "pvscsi"
		if strings.HasPrefix(s.GuestID, "win") {
			ctrlKind = "lsilogic-sas"
		}
	}
	folder, err := b.VMFolder(dc, s.Folder)
	if err != nil {
		return nil, err
	}
	pool, err := b.hostPool(s.Host)
	if err != nil {
		return nil, err
	}

	// Devices: SCSI controllers, disks, one NIC.
	var devices []types.BaseVirtualDevice
	perCtrl := map[int]int{}
	maxCtrl := 0
	for _, d := range s.Disks {
		if d.Controller > maxCtrl {
			maxCtrl = d.Controller
		}
	}
	for bus := 0; bus <= maxCtrl; bus++ {
		devices = append(devices, scsiController(ctrlKind, int32(bus)))
	}
	for i, d := range s.Disks {
		ds := d.Datastore
		if ds == "" {
			ds = s.Datastore
		}
		if ds != s.Datastore {
			// vcsim creates the disk file itself: its VM directory must exist on that datastore.
			if err := b.mkdirOnDatastore(dc, ds, createAs); err != nil {
				return nil, err
			}
		}
		n := perCtrl[d.Controller]
		perCtrl[d.Controller]++
		file := fmt.Sprintf("[%s] %s/%s.vmdk", ds, createAs, createAs)
		if i > 0 {
			file = fmt.Sprintf("[%s] %s/%s_%d.vmdk", ds, createAs, createAs, i)
		}
		mode := d.Mode
		if mode == "" {
			mode = types.VirtualDiskModePersistent
		}
		unit := unitFor(n)
		devices = append(devices, &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Key:           2000 + int32(16*d.Controller) + unit,
				ControllerKey: 1000 + int32(d.Controller),
				UnitNumber:    types.NewInt32(unit),
				DeviceInfo: &types.Description{
					Label:   fmt.Sprintf("Hard disk %d", i+1),
					Summary: fmt.Sprintf("%s KB", commas(d.Size/kib)),
				},
				Backing: &types.VirtualDiskFlatVer2BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: file},
					DiskMode:                     string(mode),
					ThinProvisioned:              types.NewBool(d.Thin),
					EagerlyScrub:                 types.NewBool(false),
				},
			},
			CapacityInKB:    d.Size / kib,
			CapacityInBytes: d.Size,
		})
	}
	devices = append(devices, &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{
		VirtualDevice: types.VirtualDevice{
			Key:           4000,
			ControllerKey: 100,
			UnitNumber:    types.NewInt32(7),
			DeviceInfo:    &types.Description{Label: "Network adapter 1"},
			Backing: &types.VirtualEthernetCardNetworkBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
			},
			Connectable: &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: true, AllowGuestControl: true, Status: "ok"},
		},
		AddressType: string(types.VirtualEthernetCardMacTypeGenerated),
	}}})
	changes, err := object.VirtualDeviceList(devices).ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return nil, err
	}

	spec := types.VirtualMachineConfigSpec{
		Name:              createAs,
		GuestId:           s.GuestID,
		NumCPUs:           s.CPUs,
		NumCoresPerSocket: 1,
		MemoryMB:          s.MemoryMB,
		Firmware:          string(s.Firmware),
		Uuid:              s.UUID,
		InstanceUuid:      s.InstanceUUID,
		Version:           "vmx-11",
		Files:             &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", s.Datastore)},
		DeviceChange:      changes,
	}
	res, err := b.wait(folder.CreateVM(b.ctx, spec, pool, s.Host))
	if err != nil {
		return nil, fmt.Errorf("create VM %s: %v", s.Name, err)
	}
	obj := object.NewVirtualMachine(b.c, res.(types.ManagedObjectReference))
	sim := simulator.Map.Get(obj.Reference()).(*simulator.VirtualMachine)
	vm := &VM{Name: s.Name, Obj: obj, Sim: sim, Spec: s}

	full := s.GuestFullName
	if full == "" {
		full = guestDescriptorName(s.GuestID)
	}
	simulator.Map.WithLock(sim, func() {
		sim.Config.GuestFullName = full
		sim.Summary.Config.GuestFullName = full
	})

	if s.Name != createAs {
		if _, err := b.wait(obj.Rename(b.ctx, s.Name)); err != nil {
			return nil, fmt.Errorf("rename %s to %s: %v", createAs, s.Name, err)
		}
	}
	switch {
	case s.Template:
		if err := obj.MarkAsTemplate(b.ctx); err != nil {
			return nil, fmt.Errorf("mark %s as template: %v", s.Name, err)
		}
	case !s.PowerOff:
		if _, err := b.wait(obj.PowerOn(b.ctx)); err != nil {
			return nil, fmt.Errorf("power on %s: %v", s.Name, err)
		}
	}
	if s.Guest != nil {
		b.SetGuest(vm, s.Guest)
	}
	return vm, nil
}

func (b *Builder) mkdirOnDatastore(dc *DC, ds, dir string) error {
	d := simulator.Map.Get(dc.Obj.Reference()).(*simulator.Datacenter)
	e := simulator.Map.FindByName(ds, d.Datastore)
	if e == nil {
		return fmt.Errorf("no datastore %s in %s", ds, dc.Name)
	}
	url := e.(*simulator.Datastore).Info.GetDatastoreInfo().Url
	return os.MkdirAll(path.Join(url, dir), 0o700)
}

// SetGuest sets what VMware Tools report, keeping summary.guest consistent.
func (b *Builder) SetGuest(vm *VM, g *GuestSpec) {
	sim := vm.Sim
	simulator.Map.WithLock(sim, func() {
		gi := sim.Guest
		gi.ToolsStatus = g.ToolsStatus
		gi.ToolsRunningStatus = string(g.Running)
		gi.ToolsVersion = g.Version
		gi.ToolsVersionStatus2 = string(g.VersionStatus)
		gi.ToolsVersionStatus = legacyVersionStatus(g.VersionStatus)
		gi.GuestId = g.GuestID
		gi.GuestFullName = g.FullName
		gi.HostName = g.HostName
		gi.IpAddress = g.IP
		if len(gi.Net) > 0 && (g.IP != "" || len(g.IPv6) > 0) {
			ips := []string{}
			if g.IP != "" {
				ips = append(ips, g.IP)
			}
			gi.Net[0].IpAddress = append(ips, g.IPv6...)
		}
		gi.Disk = g.Disks
		gi.GuestState = "notRunning"
		if g.Running == types.VirtualMachineToolsRunningStatusGuestToolsRunning {
			gi.GuestState = "running"
		}
		if gi.GuestFamily == "" && g.GuestID != "" {
			gi.GuestFamily = guestFamily(g.GuestID)
		}
		sim.Summary.Guest = &types.VirtualMachineGuestSummary{
			GuestId:             gi.GuestId,
			GuestFullName:       gi.GuestFullName,
			ToolsStatus:         gi.ToolsStatus,
			ToolsVersionStatus:  gi.ToolsVersionStatus,
			ToolsVersionStatus2: gi.ToolsVersionStatus2,
			ToolsRunningStatus:  gi.ToolsRunningStatus,
			HostName:            gi.HostName,
			IpAddress:           gi.IpAddress,
		}
		if g.Running == types.VirtualMachineToolsRunningStatusGuestToolsRunning {
			sim.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGreen
		}
	})
}

// AddRDM appends a raw device mapping disk directly to the VM's devices: ReconfigVM_Task with
// an RDM backing crashes vcsim 0.24, and so would any later reconfigure of this VM.
func (b *Builder) AddRDM(vm *VM, label string, size int64, mode types.VirtualDiskCompatibilityMode, lun string) {
	sim := vm.Sim
	simulator.Map.WithLock(sim, func() {
		devices := object.VirtualDeviceList(sim.Config.Hardware.Device)
		used := map[int32]bool{7: true}
		for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
			if d.GetVirtualDevice().ControllerKey == 1000 {
				used[*d.GetVirtualDevice().UnitNumber] = true
			}
		}
		unit := int32(0)
		for used[unit] {
			unit++
		}
		var p object.DatastorePath
		p.FromString(sim.Config.Files.VmPathName)
		dsName := p.Datastore
		var dsRef *types.ManagedObjectReference
		for _, ref := range sim.Datastore {
			if datastoreName(ref) == dsName {
				r := ref
				dsRef = &r
			}
		}
		disk := &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Key:           2000 + unit,
				ControllerKey: 1000,
				UnitNumber:    types.NewInt32(unit),
				DeviceInfo:    &types.Description{Label: label, Summary: fmt.Sprintf("%s KB", commas(size/kib))},
				Backing: &types.VirtualDiskRawDiskMappingVer1BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
						FileName:  fmt.Sprintf("[%s] %s/%s_rdm.vmdk", dsName, path.Dir(p.Path), sim.Config.Name),
						Datastore: dsRef,
					},
					LunUuid:           "0200000000" + lun + "566d6178",
					DeviceName:        "/vmfs/devices/disks/naa." + lun,
					CompatibilityMode: string(mode),
					DiskMode:          string(types.VirtualDiskModeIndependent_persistent),
					Uuid:              b.stableUUID("rdm/" + lun),
				},
			},
			CapacityInKB:    size / kib,
			CapacityInBytes: size,
		}
		sim.Config.Hardware.Device = append(sim.Config.Hardware.Device, disk)
		sim.Summary.Config.NumVirtualDisks++
	})
}

func commas(n int64) string {
	s := fmt.Sprintf("%d", n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// sortedEntities returns the simulator's entities of a kind, ordered by moref.
func sortedEntities(kind string) []mo.Entity {
	all := simulator.Map.All(kind)
	sort.Slice(all, func(i, j int) bool { return morefLess(all[i].Reference().Value, all[j].Reference().Value) })
	return all
}

// morefLess orders "vm-9" before "vm-10".
func morefLess(a, b string) bool {
	pa, na := splitMoref(a)
	pb, nb := splitMoref(b)
	if pa != pb {
		return pa < pb
	}
	if na != nb {
		return na < nb
	}
	return a < b
}

func splitMoref(s string) (string, int) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, -1
	}
	n := 0
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return s, -1
		}
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}

// legacyVersionStatus is guest.toolsVersionStatus (deprecated) for a toolsVersionStatus2.
func legacyVersionStatus(s types.VirtualMachineToolsVersionStatus) string {
	switch s {
	case "":
		return ""
	case types.VirtualMachineToolsVersionStatusGuestToolsNotInstalled,
		types.VirtualMachineToolsVersionStatusGuestToolsUnmanaged,
		types.VirtualMachineToolsVersionStatusGuestToolsCurrent:
		return string(s)
	case types.VirtualMachineToolsVersionStatusGuestToolsNeedUpgrade,
		types.VirtualMachineToolsVersionStatusGuestToolsSupportedOld,
		types.VirtualMachineToolsVersionStatusGuestToolsTooOld:
		return string(types.VirtualMachineToolsVersionStatusGuestToolsNeedUpgrade)
	}
	return string(types.VirtualMachineToolsVersionStatusGuestToolsCurrent)
}
