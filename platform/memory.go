package platform

// TotalMemory is this machine's physical memory in bytes — on Apple
// silicon also the GPU's, which shares it — lowered to the container's
// cgroup limit on Linux when that is smaller; 0 when it cannot be read.
func TotalMemory() int64 { return totalMemory() }
