package main

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// The load generator runs on the same cores as the portal, and so does
// whatever else the machine runs. Next to the target's CPU time (cpuTime),
// each measured run records what this process (the client, or a raw loop,
// which runs in it) and the whole machine spent, so the report shows what
// asking cost and how much of the machine something else took.

// selfCPU is the CPU time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is the time all the machine's cores have spent busy (not idle
// nor waiting for I/O) so far, from /proc/stat; 0 when it can't be read.
func machineCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	return machineBusy(data)
}

// machineBusy reads the "cpu" line of /proc/stat.
func machineBusy(stat []byte) time.Duration {
	line, _, _ := bytes.Cut(stat, []byte{'\n'})
	f := bytes.Fields(line)
	if len(f) < 6 || string(f[0]) != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks
}

// cpuMark is the three counts at one moment of a run.
type cpuMark struct{ target, client, machine time.Duration }

func markCPU(target time.Duration) cpuMark {
	return cpuMark{target: target, client: selfCPU(), machine: machineCPU()}
}

// setCPU fills r's CPU figures for the run between from and to, which
// served r.Requests requests in elapsed.
func (r *result) setCPU(from, to cpuMark, elapsed time.Duration) {
	if r.Requests == 0 {
		return
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(r.Requests) }
	target, client := to.target-from.target, to.client-from.client
	if to.target > 0 {
		r.CPUMicros = us(target)
	}
	r.ClientMicros = us(client)
	if machine := to.machine - from.machine; to.machine > 0 && elapsed > 0 {
		r.OtherMicros = us(max(0, machine-target-client))
		r.BusyCores = float64(machine) / float64(elapsed)
	}
}
