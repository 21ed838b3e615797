package main

// The "expected" object of the ready line: what the simulator holds after planting, read back
// from the simulator's own objects (never hand-typed), with null for unset values.

import (
	"reflect"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type expAbout struct {
	Name         string `json:"name"`
	FullName     string `json:"full_name"`
	Version      string `json:"version"`
	Build        string `json:"build"`
	APIVersion   string `json:"api_version"`
	InstanceUUID string `json:"instance_uuid"`
}

type expDatacenter struct {
	Moref string `json:"moref"`
	Name  string `json:"name"`
}

type expCluster struct {
	Moref         string  `json:"moref"`
	Name          string  `json:"name"`
	Datacenter    string  `json:"datacenter"`
	DrsEnabled    *bool   `json:"drs_enabled"`
	DrsAutomation *string `json:"drs_automation"`
	// The RVTools columns: HA and the cluster's summary.
	HaEnabled   *bool `json:"ha_enabled"`
	NumHosts    int32 `json:"num_hosts"`
	NumCPUCores int16 `json:"num_cpu_cores"`
	TotalCPU    int32 `json:"total_cpu"`
	TotalMemory int64 `json:"total_memory"`
}

type expHost struct {
	Moref           string  `json:"moref"`
	Name            string  `json:"name"`
	Datacenter      string  `json:"datacenter"`
	Cluster         *string `json:"cluster"`
	Version         *string `json:"version"`
	Build           *string `json:"build"`
	FullName        *string `json:"full_name"`
	ConnectionState string  `json:"connection_state"`
	MaintenanceMode bool    `json:"maintenance_mode"`
	VMs             int     `json:"vms"`
	// summary.hardware, for vHost.
	Hardware *types.HostHardwareSummary `json:"hardware"`
}

type expDatastore struct {
	Moref      string  `json:"moref"`
	Name       string  `json:"name"`
	Datacenter string  `json:"datacenter"`
	Type       string  `json:"type"`
	Capacity   int64   `json:"capacity"`
	FreeSpace  int64   `json:"free_space"`
	StoragePod *string `json:"storage_pod"`
	Accessible bool    `json:"accessible"`
	URL        string  `json:"url"`
	// summary.uncommitted, nil when unset.
	Uncommitted int64 `json:"uncommitted"`
}

type expStoragePod struct {
	Moref      string `json:"moref"`
	Name       string `json:"name"`
	Datacenter string `json:"datacenter"`
	StorageDrs *bool  `json:"storage_drs"`
}

type expDisk struct {
	Key             int32   `json:"key"`
	Label           string  `json:"label"`
	CapacityInBytes *int64  `json:"capacity_in_bytes"`
	CapacityInKB    int64   `json:"capacity_in_kb"`
	Datastore       *string `json:"datastore"`
	File            string  `json:"file"`
	Thin            *bool   `json:"thin"`
	DiskMode        *string `json:"disk_mode"`
	Backing         string  `json:"backing"`
	Controller      *string `json:"controller"`
	Unit            *int32  `json:"unit"`
}

type expGuestDisk struct {
	Path      string `json:"path"`
	Capacity  int64  `json:"capacity"`
	FreeSpace int64  `json:"free_space"`
}

type expVM struct {
	Moref              string         `json:"moref"`
	Name               string         `json:"name"`
	Datacenter         string         `json:"datacenter"`
	Cluster            *string        `json:"cluster"`
	Host               *string        `json:"host"`
	Folder             string         `json:"folder"`
	BiosUUID           *string        `json:"bios_uuid"`
	InstanceUUID       *string        `json:"instance_uuid"`
	PowerState         string         `json:"power_state"`
	Template           bool           `json:"template"`
	GuestID            *string        `json:"guest_id"`
	GuestFullName      *string        `json:"guest_full_name"`
	ToolsGuestID       *string        `json:"tools_guest_id"`
	ToolsGuestFullName *string        `json:"tools_guest_full_name"`
	ToolsStatus        *string        `json:"tools_status"`
	ToolsRunning       *string        `json:"tools_running"`
	ToolsVersion       *string        `json:"tools_version"`
	ToolsVersionStatus *string        `json:"tools_version_status"`
	Firmware           *string        `json:"firmware"`
	CPUs               int32          `json:"cpus"`
	MemoryMB           int32          `json:"memory_mb"`
	Datastores         []string       `json:"datastores"`
	Disks              []expDisk      `json:"disks"`
	GuestDisks         []expGuestDisk `json:"guest_disks"`
	Nics               []expNic       `json:"nics"`
	Details            expVMDetails   `json:"details"`
}

// expNic is a network adapter as vcaudit should report it (model::Nic).
type expNic struct {
	Key         int32    `json:"key"`
	Label       *string  `json:"label"`
	Adapter     string   `json:"adapter"`
	Mac         *string  `json:"mac"`
	Network     *string  `json:"network"`
	Connected   *bool    `json:"connected"`
	IPAddresses []string `json:"ip_addresses"`
}

type fullExp struct {
	About       expAbout        `json:"about"`
	Datacenters []expDatacenter `json:"datacenters"`
	Clusters    []expCluster    `json:"clusters"`
	Hosts       []expHost       `json:"hosts"`
	Datastores  []expDatastore  `json:"datastores"`
	StoragePods []expStoragePod `json:"storage_pods"`
	VMs         []expVM         `json:"vms"`
}

// The RVTools columns of a VM, null when unset.
type expVMDetails struct {
	DNSName           *string `json:"dns_name"`
	PrimaryIP         *string `json:"primary_ip"`
	GuestState        *string `json:"guest_state"`
	Heartbeat         *string `json:"heartbeat"`
	ConnectionState   *string `json:"connection_state"`
	VmxPath           *string `json:"vmx_path"`
	Annotation        *string `json:"annotation"`
	HWVersion         *string `json:"hw_version"`
	CBT               *bool   `json:"cbt"`
	CoresPerSocket    int32   `json:"cores_per_socket"`
	CPUReservation    *int64  `json:"cpu_reservation"`
	CPULimit          *int64  `json:"cpu_limit"`
	MemoryReservation *int64  `json:"memory_reservation"`
	MemoryLimit       *int64  `json:"memory_limit"`
	MemoryActive      int32   `json:"memory_active"`
	MemoryConsumed    int32   `json:"memory_consumed"`
	Committed         *int64  `json:"committed"`
	Uncommitted       *int64  `json:"uncommitted"`
	Unshared          *int64  `json:"unshared"`
}

func expectedDetails(vm *simulator.VirtualMachine) expVMDetails {
	x := expVMDetails{
		Heartbeat:       str(string(vm.GuestHeartbeatStatus)),
		ConnectionState: str(string(vm.Runtime.ConnectionState)),
		MemoryActive:    vm.Summary.QuickStats.GuestMemoryUsage,
		MemoryConsumed:  vm.Summary.QuickStats.HostMemoryUsage,
	}
	if g := vm.Guest; g != nil {
		x.DNSName, x.PrimaryIP, x.GuestState = str(g.HostName), str(g.IpAddress), str(g.GuestState)
	}
	if c := vm.Config; c != nil {
		x.VmxPath, x.Annotation, x.HWVersion = str(c.Files.VmPathName), str(c.Annotation), str(c.Version)
		x.CBT = c.ChangeTrackingEnabled
		x.CoresPerSocket = c.Hardware.NumCoresPerSocket
		if a := c.CpuAllocation; a != nil {
			x.CPUReservation, x.CPULimit = a.Reservation, a.Limit
		}
		if a := c.MemoryAllocation; a != nil {
			x.MemoryReservation, x.MemoryLimit = a.Reservation, a.Limit
		}
	}
	if st := vm.Summary.Storage; st != nil {
		x.Committed, x.Uncommitted, x.Unshared = &st.Committed, &st.Uncommitted, &st.Unshared
	}
	return x
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func entity(ref types.ManagedObjectReference) mo.Entity {
	e, _ := simulator.Map.Get(ref).(mo.Entity)
	return e
}

// datacenterOf is the name of the datacenter holding e ("" when none).
func datacenterOf(e mo.Entity) string {
	for e != nil {
		if dc, ok := e.(*simulator.Datacenter); ok {
			return dc.Name
		}
		p := e.Entity().Parent
		if p == nil {
			return ""
		}
		e = entity(*p)
	}
	return ""
}

// inventoryPath is the govc-style path of e: "/DC0/vm/Prod/Web" (the root folder left out).
func inventoryPath(e mo.Entity) string {
	var names []string
	for e != nil {
		p := e.Entity().Parent
		if p == nil {
			break // root folder
		}
		names = append(names, e.Entity().Name)
		e = entity(*p)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return "/" + strings.Join(names, "/")
}

// clusterOfHost is the name of the host's cluster, nil for a standalone host.
func clusterOfHost(h *simulator.HostSystem) *string {
	if h.Parent == nil {
		return nil
	}
	if cl, ok := simulator.Map.Get(*h.Parent).(*simulator.ClusterComputeResource); ok {
		return str(cl.Name)
	}
	return nil
}

func fullExpected(b *Builder) interface{} {
	var out fullExp

	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	a := si.Content.About
	out.About = expAbout{a.Name, a.FullName, a.Version, a.Build, a.ApiVersion, a.InstanceUuid}

	out.Datacenters = []expDatacenter{}
	for _, e := range sortedEntities("Datacenter") {
		dc := e.(*simulator.Datacenter)
		out.Datacenters = append(out.Datacenters, expDatacenter{dc.Self.Value, dc.Name})
	}

	out.Clusters = []expCluster{}
	for _, e := range sortedEntities("ClusterComputeResource") {
		cl := e.(*simulator.ClusterComputeResource)
		c := expCluster{Moref: cl.Self.Value, Name: cl.Name, Datacenter: datacenterOf(cl)}
		if cfg, ok := cl.ConfigurationEx.(*types.ClusterConfigInfoEx); ok {
			c.DrsEnabled = cfg.DrsConfig.Enabled
			c.DrsAutomation = str(string(cfg.DrsConfig.DefaultVmBehavior))
			c.HaEnabled = cfg.DasConfig.Enabled
		}
		if cl.Summary != nil {
			sum := cl.Summary.GetComputeResourceSummary()
			c.NumHosts, c.NumCPUCores, c.TotalCPU, c.TotalMemory = sum.NumHosts, sum.NumCpuCores, sum.TotalCpu, sum.TotalMemory
		}
		out.Clusters = append(out.Clusters, c)
	}

	vms := sortedEntities("VirtualMachine")
	perHost := map[types.ManagedObjectReference]int{}
	for _, e := range vms {
		if h := e.(*simulator.VirtualMachine).Runtime.Host; h != nil {
			perHost[*h]++
		}
	}

	out.Hosts = []expHost{}
	for _, e := range sortedEntities("HostSystem") {
		h := e.(*simulator.HostSystem)
		x := expHost{
			Moref:           h.Self.Value,
			Name:            h.Name,
			Datacenter:      datacenterOf(h),
			Cluster:         clusterOfHost(h),
			ConnectionState: string(h.Runtime.ConnectionState),
			MaintenanceMode: h.Runtime.InMaintenanceMode,
			VMs:             perHost[h.Self],
			Hardware:        h.Summary.Hardware,
		}
		if p := h.Summary.Config.Product; p != nil {
			x.Version, x.Build, x.FullName = str(p.Version), str(p.Build), str(p.FullName)
		}
		out.Hosts = append(out.Hosts, x)
	}

	out.Datastores = []expDatastore{}
	for _, e := range sortedEntities("Datastore") {
		ds := e.(*simulator.Datastore)
		x := expDatastore{
			Moref:       ds.Self.Value,
			Name:        ds.Name,
			Datacenter:  datacenterOf(ds),
			Type:        ds.Summary.Type,
			Capacity:    ds.Summary.Capacity,
			FreeSpace:   ds.Summary.FreeSpace,
			Accessible:  ds.Summary.Accessible,
			URL:         ds.Summary.Url,
			Uncommitted: ds.Summary.Uncommitted,
		}
		if ds.Parent != nil && ds.Parent.Type == "StoragePod" {
			x.StoragePod = str(ds.Parent.Value)
		}
		out.Datastores = append(out.Datastores, x)
	}

	out.StoragePods = []expStoragePod{}
	for _, e := range sortedEntities("StoragePod") {
		p := e.(*simulator.StoragePod)
		x := expStoragePod{Moref: p.Self.Value, Name: p.Name, Datacenter: datacenterOf(p)}
		if p.PodStorageDrsEntry != nil {
			enabled := p.PodStorageDrsEntry.StorageDrsConfig.PodConfig.Enabled
			x.StorageDrs = &enabled
		}
		out.StoragePods = append(out.StoragePods, x)
	}

	out.VMs = []expVM{}
	for _, e := range vms {
		out.VMs = append(out.VMs, expectedVM(e.(*simulator.VirtualMachine)))
	}
	return out
}

func expectedVM(vm *simulator.VirtualMachine) expVM {
	x := expVM{
		Moref:      vm.Self.Value,
		Name:       vm.Name,
		Datacenter: datacenterOf(vm),
		PowerState: string(vm.Runtime.PowerState),
		Datastores: []string{},
		Disks:      []expDisk{},
		GuestDisks: []expGuestDisk{},
	}
	if vm.Parent != nil {
		x.Folder = inventoryPath(entity(*vm.Parent))
	}
	if vm.Runtime.Host != nil {
		h := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
		x.Host = str(h.Name)
		x.Cluster = clusterOfHost(h)
	}
	if c := vm.Config; c != nil {
		x.BiosUUID = str(c.Uuid)
		x.InstanceUUID = str(c.InstanceUuid)
		x.Template = c.Template
		x.GuestID = str(c.GuestId)
		x.GuestFullName = str(c.GuestFullName)
		x.Firmware = str(c.Firmware)
		x.CPUs = c.Hardware.NumCPU
		x.MemoryMB = c.Hardware.MemoryMB
		x.Disks = expectedDisks(c.Hardware.Device)
		x.Nics = expectedNics(c.Hardware.Device, vm.Guest)
	}
	if g := vm.Guest; g != nil {
		x.ToolsGuestID = str(g.GuestId)
		x.ToolsGuestFullName = str(g.GuestFullName)
		x.ToolsStatus = str(string(g.ToolsStatus))
		x.ToolsRunning = str(g.ToolsRunningStatus)
		x.ToolsVersion = str(g.ToolsVersion)
		x.ToolsVersionStatus = str(g.ToolsVersionStatus2)
		for _, d := range g.Disk {
			x.GuestDisks = append(x.GuestDisks, expGuestDisk{d.DiskPath, d.Capacity, d.FreeSpace})
		}
	}
	for _, ref := range vm.Datastore {
		x.Datastores = append(x.Datastores, datastoreName(ref))
	}
	x.Details = expectedDetails(vm)
	return x
}

func expectedDisks(devices []types.BaseVirtualDevice) []expDisk {
	labels := map[int32]string{}
	for _, d := range devices {
		v := d.GetVirtualDevice()
		if v.DeviceInfo != nil {
			labels[v.Key] = v.DeviceInfo.GetDescription().Label
		}
	}
	out := []expDisk{}
	for _, d := range devices {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		x := expDisk{Key: disk.Key, CapacityInKB: disk.CapacityInKB, Unit: disk.UnitNumber, Backing: "other"}
		if disk.DeviceInfo != nil {
			x.Label = disk.DeviceInfo.GetDescription().Label
		}
		if disk.CapacityInBytes != 0 {
			n := disk.CapacityInBytes
			x.CapacityInBytes = &n
		}
		if l, ok := labels[disk.ControllerKey]; ok {
			x.Controller = str(l)
		}
		if fb, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			info := fb.GetVirtualDeviceFileBackingInfo()
			x.File = info.FileName
			if info.Datastore != nil {
				x.Datastore = str(datastoreName(*info.Datastore))
			}
		}
		switch b := disk.Backing.(type) {
		case *types.VirtualDiskFlatVer2BackingInfo:
			x.Backing = "flat"
			x.Thin = b.ThinProvisioned
			x.DiskMode = str(b.DiskMode)
		case *types.VirtualDiskFlatVer1BackingInfo:
			x.Backing = "flat"
			x.DiskMode = str(b.DiskMode)
		case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
			x.Backing = "rdm-virtual"
			if b.CompatibilityMode == string(types.VirtualDiskCompatibilityModePhysicalMode) {
				x.Backing = "rdm-physical"
			}
			x.DiskMode = str(b.DiskMode)
		case *types.VirtualDiskSparseVer2BackingInfo:
			x.DiskMode = str(b.DiskMode)
		case *types.VirtualDiskSeSparseBackingInfo:
			x.DiskMode = str(b.DiskMode)
		}
		out = append(out, x)
	}
	return out
}

// expectedNics: every ethernet card, with the guest.net entry of the same device key (else the
// same MAC) for its addresses, and its network named by the backing, else by Tools.
func expectedNics(devices []types.BaseVirtualDevice, guest *types.GuestInfo) []expNic {
	out := []expNic{}
	for _, d := range devices {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		c := card.GetVirtualEthernetCard()
		x := expNic{Key: c.Key, Adapter: reflect.TypeOf(d).Elem().Name(), IPAddresses: []string{}}
		if c.DeviceInfo != nil {
			x.Label = str(c.DeviceInfo.GetDescription().Label)
		}
		x.Mac = str(strings.ToLower(c.MacAddress))
		if c.Connectable != nil {
			b := c.Connectable.Connected
			x.Connected = &b
		}
		if b, ok := c.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			x.Network = str(b.DeviceName)
		}
		if guest != nil {
			for _, n := range guest.Net {
				if n.DeviceConfigId == c.Key || (n.DeviceConfigId < 0 && strings.EqualFold(n.MacAddress, c.MacAddress)) {
					if x.Network == nil {
						x.Network = str(n.Network)
					}
					x.IPAddresses = append(x.IPAddresses, n.IpAddress...)
					break
				}
			}
		}
		out = append(out, x)
	}
	return out
}

type countsExp struct {
	VMs   int `json:"vms"`
	Hosts int `json:"hosts"`
}

func countsExpected(b *Builder) interface{} {
	return countsExp{VMs: len(simulator.Map.All("VirtualMachine")), Hosts: len(simulator.Map.All("HostSystem"))}
}
