package main

// Values of the RVTools columns that vcsim leaves at their defaults (no annotation, CBT unset, one
// core per socket, no reservation or limit, HA unset), planted on one VM and one cluster of the
// "audit" scenario so that tests/rvtools.rs compares real values, not only defaults.

import (
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// plantRVToolsDetails gives vm an annotation (two lines), CBT on, two cores per socket, and
// CPU and memory reservations and limits.
func plantRVToolsDetails(vm *VM) {
	simulator.Map.WithLock(vm.Sim, func() {
		c := vm.Sim.Config
		c.Annotation = "Owner: app team\nTicket 4711"
		c.ChangeTrackingEnabled = types.NewBool(true)
		c.Hardware.NumCoresPerSocket = 2
		c.CpuAllocation = &types.ResourceAllocationInfo{
			Reservation: types.NewInt64(500),
			Limit:       types.NewInt64(2000),
		}
		c.MemoryAllocation = &types.ResourceAllocationInfo{
			Reservation: types.NewInt64(1024),
			Limit:       types.NewInt64(4096),
		}
	})
}

// plantHA turns vSphere HA on for cl.
func plantHA(cl *object.ClusterComputeResource) {
	sim := simulator.Map.Get(cl.Reference()).(*simulator.ClusterComputeResource)
	simulator.Map.WithLock(sim, func() {
		cfg := sim.ConfigurationEx.(*types.ClusterConfigInfoEx)
		cfg.DasConfig.Enabled = types.NewBool(true)
	})
}
