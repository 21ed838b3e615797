package main

// Scenario "scale": vcsim's default VPX inventory sized by -vms, for benchmarks. Nothing is
// planted. vcsim's model creates one VM per resource pool through its API (with its files on
// disk); the rest are copies of that VM registered directly in the simulator's inventory, which
// is many times faster than CreateVM_Task for tens of thousands of VMs.

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// scaleVMsPerPool is how many VMs go into each resource pool (one per standalone host and one
// per cluster; vcsim: total VMs = Datacenter x (Host + Cluster) x Machine).
const scaleVMsPerPool = 200

// scaleLayout is the pool count and VMs per pool for about n VMs.
func scaleLayout(n int) (pools, perPool int) {
	if n < 1 {
		n = 1
	}
	pools = (n + scaleVMsPerPool/2) / scaleVMsPerPool
	if pools < 1 {
		pools = 1
	}
	return pools, (n + pools - 1) / pools
}

func scaleModel(o *options) *simulator.Model {
	pools, _ := scaleLayout(o.vms)
	m := simulator.VPX()
	m.Datacenter = 1
	m.Portgroup = 0
	m.Host = 1
	m.Cluster = pools - 1
	m.ClusterHost = 4
	m.Datastore = 1
	m.Machine = 1 // the rest are cloned in plantScale
	m.ServiceContent.About = vcenterAbout(vc60, vc60Build, vc60API, instanceUUID(o.scenario, o.instance))
	return m
}

func plantScale(b *Builder) error {
	_, perPool := scaleLayout(b.opts.vms)
	for _, e := range simulator.Map.All("HostSystem") {
		b.SetHostVersion(e.Reference(), esxi60, esxi60U2)
	}
	for _, e := range simulator.Map.All("VirtualMachine") {
		tmpl := e.(*simulator.VirtualMachine)
		simulator.Map.WithLock(tmpl, func() {
			for _, d := range tmpl.Config.Hardware.Device {
				if disk, ok := d.(*types.VirtualDisk); ok && disk.CapacityInBytes == 0 {
					disk.CapacityInBytes = disk.CapacityInKB * kib
				}
			}
		})
		hosts := poolHosts(tmpl)
		base := strings.TrimSuffix(tmpl.Name, "0")
		for i := 1; i < perPool; i++ {
			b.cloneVM(tmpl, fmt.Sprintf("%s%d", base, i), hosts[i%len(hosts)])
		}
	}
	return nil
}

// poolHosts are the hosts of the compute resource running a VM.
func poolHosts(vm *simulator.VirtualMachine) []types.ManagedObjectReference {
	h := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	switch cr := simulator.Map.Get(*h.Parent).(type) {
	case *simulator.ClusterComputeResource:
		return cr.Host
	case *mo.ComputeResource:
		return cr.Host
	}
	return []types.ManagedObjectReference{h.Self}
}

// cloneVM registers a copy of tmpl named name on host, directly in the simulator's inventory
// (same folder, pool and datastores; own UUIDs and disk file names). Devices other than disks
// are shared with the template: fine for a read-only benchmark.
func (b *Builder) cloneVM(tmpl *simulator.VirtualMachine, name string, host types.ManagedObjectReference) {
	b.seq++
	c := new(simulator.VirtualMachine)
	*c = *tmpl
	c.Self = types.ManagedObjectReference{}
	c.Name = name

	cfg := *tmpl.Config
	cfg.Name = name
	cfg.Uuid = b.stableUUID(fmt.Sprintf("clone/%d/bios", b.seq))
	cfg.InstanceUuid = b.stableUUID(fmt.Sprintf("clone/%d/instance", b.seq))
	cfg.Hardware.Device = make([]types.BaseVirtualDevice, len(tmpl.Config.Hardware.Device))
	for i, d := range tmpl.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			if fb, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				nd := *disk
				nb := *fb
				ds := nb.FileName
				if i := strings.IndexByte(ds, ']'); i >= 0 {
					ds = ds[:i+1]
				}
				nb.FileName = fmt.Sprintf("%s %s/%s.vmdk", ds, name, name)
				nd.Backing = &nb
				d = &nd
			}
		}
		cfg.Hardware.Device[i] = d
	}
	c.Config = &cfg

	guest := *tmpl.Guest
	c.Guest = &guest
	h := host
	c.Runtime.Host = &h
	c.Datastore = append([]types.ManagedObjectReference(nil), tmpl.Datastore...)
	c.Network = append([]types.ManagedObjectReference(nil), tmpl.Network...)

	c.Summary.Config.Name = name
	c.Summary.Config.Uuid = cfg.Uuid
	c.Summary.Config.InstanceUuid = cfg.InstanceUuid
	c.Summary.Runtime = c.Runtime
	if tmpl.Summary.Guest != nil {
		g := *tmpl.Summary.Guest
		c.Summary.Guest = &g
	}

	folder := simulator.Map.Get(*tmpl.Parent).(*simulator.Folder)
	simulator.Map.PutEntity(folder, c)
	c.Summary.Vm = &c.Self

	simulator.Map.WithLock(folder, func() { folder.ChildEntity = append(folder.ChildEntity, c.Self) })
	if pool, ok := simulator.Map.Get(*c.ResourcePool).(*simulator.ResourcePool); ok {
		simulator.Map.WithLock(pool, func() { pool.Vm = append(pool.Vm, c.Self) })
	}
	hs := simulator.Map.Get(host).(*simulator.HostSystem)
	simulator.Map.WithLock(hs, func() { hs.Vm = append(hs.Vm, c.Self) })
	for _, ref := range c.Datastore {
		ds := simulator.Map.Get(ref).(*simulator.Datastore)
		simulator.Map.WithLock(ds, func() { ds.Vm = append(ds.Vm, c.Self) })
	}
}
