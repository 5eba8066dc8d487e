"""System metrics and run metadata: `system` records sampled by the writer's background thread, and the
`metadata` record written after `start` (docs/PROTOCOL.md). Standard library only: Linux's /proc,
``os.times`` elsewhere, and NVIDIA's management library through ctypes when it is installed."""

import ctypes
import os
import platform
import shlex
import sys
import time

MIB = 1024.0 * 1024.0


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("ascii", "replace")
    except OSError:
        return None


class Nvml(object):
    """The few NVML calls needed, on the library loaded through ctypes. ``Nvml.load()`` is None when the
    library is absent or does not initialise: no GPU keys, never an error."""

    class _Utilization(ctypes.Structure):
        _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

    class _Memory(ctypes.Structure):
        _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]

    NAMES = ("libnvidia-ml.so.1", "libnvidia-ml.so")

    def __init__(self, lib):
        self.lib = lib
        self.handles = []

    @classmethod
    def load(cls, names=None):
        if sys.platform not in ("linux", "linux2"):
            return None
        for name in names or cls.NAMES:
            try:
                lib = ctypes.CDLL(name)
            except OSError:
                continue
            nvml = cls(lib)
            try:
                if nvml._start():
                    return nvml
            except Exception:
                pass
            return None
        return None

    def _start(self):
        lib = self.lib
        init = getattr(lib, "nvmlInit_v2", None) or lib.nvmlInit
        if init() != 0:
            return False
        count = ctypes.c_uint(0)
        get_count = getattr(lib, "nvmlDeviceGetCount_v2", None) or lib.nvmlDeviceGetCount
        if get_count(ctypes.byref(count)) != 0:
            return False
        by_index = getattr(lib, "nvmlDeviceGetHandleByIndex_v2", None) or lib.nvmlDeviceGetHandleByIndex
        for i in range(count.value):
            handle = ctypes.c_void_p()
            if by_index(ctypes.c_uint(i), ctypes.byref(handle)) == 0:
                self.handles.append(handle)
        return True

    def devices(self):
        """``[{"name", "memory_total_mb"}]`` per GPU."""
        out = []
        for handle in self.handles:
            info = {}
            buf = ctypes.create_string_buffer(96)
            try:
                if self.lib.nvmlDeviceGetName(handle, buf, ctypes.c_uint(96)) == 0:
                    info["name"] = buf.value.decode("utf-8", "replace")
                mem = self._Memory()
                if self.lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem)) == 0:
                    info["memory_total_mb"] = round(mem.total / MIB, 1)
            except Exception:
                pass
            out.append(info)
        return out

    def sample(self, data):
        lib = self.lib
        for i, handle in enumerate(self.handles):
            prefix = "system/gpu.%d." % i
            try:
                util = self._Utilization()
                if lib.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(util)) == 0:
                    data[prefix + "utilization_percent"] = float(util.gpu)
                mem = self._Memory()
                if lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem)) == 0:
                    data[prefix + "memory_used_mb"] = round(mem.used / MIB, 1)
                    if mem.total:
                        data[prefix + "memory_percent"] = round(100.0 * mem.used / mem.total, 2)
                temp = ctypes.c_uint(0)
                if lib.nvmlDeviceGetTemperature(handle, ctypes.c_int(0), ctypes.byref(temp)) == 0:
                    data[prefix + "temperature_c"] = float(temp.value)
                power = ctypes.c_uint(0)
                if lib.nvmlDeviceGetPowerUsage(handle, ctypes.byref(power)) == 0:
                    data[prefix + "power_w"] = round(power.value / 1000.0, 2)
            except Exception:
                continue

    def close(self):
        try:
            self.lib.nvmlShutdown()
        except Exception:
            pass


def read_counters():
    """The raw counters one sample is computed from (a dict; keys are missing where the OS gives none)."""
    c = {"wall": time.monotonic()}
    t = os.times()
    c["proc_cpu"] = t[0] + t[1]
    statm = _read("/proc/self/statm")
    if statm:
        try:
            c["rss"] = int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, IndexError, OSError):
            pass
    stat = _read("/proc/stat")
    if stat and stat.startswith("cpu "):
        try:
            fields = [int(x) for x in stat.split("\n", 1)[0].split()[1:]]
            idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
            c["sys_cpu"] = (sum(fields[:8]) - idle, sum(fields[:8]))
        except (ValueError, IndexError):
            pass
    meminfo = _read("/proc/meminfo")
    if meminfo:
        values = {}
        for line in meminfo.split("\n"):
            name, _, rest = line.partition(":")
            if name in ("MemTotal", "MemAvailable"):
                try:
                    values[name] = int(rest.split()[0]) * 1024
                except (ValueError, IndexError):
                    pass
        if len(values) == 2:
            c["mem"] = (values["MemTotal"], values["MemAvailable"])
    disks = _disks()
    diskstats = _read("/proc/diskstats") if disks else None
    if diskstats:
        r = w = 0
        for line in diskstats.split("\n"):
            f = line.split()
            if len(f) > 9 and f[2] in disks:
                r += int(f[5]) * 512
                w += int(f[9]) * 512
        c["disk"] = (r, w)
    netdev = _read("/proc/net/dev")
    if netdev:
        recv = sent = 0
        for line in netdev.split("\n")[2:]:
            name, _, rest = line.partition(":")
            f = rest.split()
            if len(f) >= 9 and name.strip() != "lo":
                recv += int(f[0])
                sent += int(f[8])
        c["net"] = (sent, recv)
    return c


_DISKS = []


def _disks():
    # Whole physical disks (those with a device behind them): partitions, loop, RAM and device-mapper
    # disks would count the same bytes twice.
    if not _DISKS:
        found = set()
        try:
            for name in os.listdir("/sys/block"):
                if os.path.exists(os.path.join("/sys/block", name, "device")):
                    found.add(name)
        except OSError:
            pass
        _DISKS.append(frozenset(found))
    return _DISKS[0]


class Sampler(object):
    """Computes `system` records from counters: rates against the previous sample, byte counts since
    the run started. ``read`` is replaceable (the golden files use fixed counters)."""

    def __init__(self, read=None, nvml=None):
        self.read = read or read_counters
        self.nvml = nvml
        self.start = self.prev = self.read()

    def sample(self):
        cur = self.read()
        prev, start = self.prev, self.start
        self.prev = cur
        data = {}
        wall = cur["wall"] - prev["wall"]
        if wall > 0 and "proc_cpu" in cur:
            data["system/proc.cpu_percent"] = round(100.0 * (cur["proc_cpu"] - prev["proc_cpu"]) / wall, 2)
        if "rss" in cur:
            data["system/proc.memory_rss_mb"] = round(cur["rss"] / MIB, 2)
        if "sys_cpu" in cur and "sys_cpu" in prev:
            busy = cur["sys_cpu"][0] - prev["sys_cpu"][0]
            total = cur["sys_cpu"][1] - prev["sys_cpu"][1]
            if total > 0:
                data["system/cpu_percent"] = round(100.0 * busy / total, 2)
        if "mem" in cur and cur["mem"][0]:
            total, available = cur["mem"]
            data["system/memory_percent"] = round(100.0 * (total - available) / total, 2)
        if "disk" in cur and "disk" in start:
            data["system/disk.read_bytes"] = cur["disk"][0] - start["disk"][0]
            data["system/disk.write_bytes"] = cur["disk"][1] - start["disk"][1]
        if "net" in cur and "net" in start:
            data["system/network.sent_bytes"] = cur["net"][0] - start["net"][0]
            data["system/network.recv_bytes"] = cur["net"][1] - start["net"][1]
        if self.nvml is not None:
            self.nvml.sample(data)
        return data

    def close(self):
        if self.nvml is not None:
            self.nvml.close()
            self.nvml = None


def metadata(host, nvml):
    """What the overview shows about the process that wrote a version (wandb's run metadata)."""
    argv = list(sys.argv) if sys.argv else []
    exe = os.path.basename(sys.executable or "python")
    meta = {
        "host": host,
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable or None,
        "program": argv[0] if argv else None,
        "args": argv[1:],
        "command": " ".join(shlex.quote(a) for a in [exe] + argv),
        "cwd": _cwd(),
        "cpu_count": os.cpu_count(),
    }
    meminfo = _read("/proc/meminfo")
    if meminfo:
        for line in meminfo.split("\n"):
            if line.startswith("MemTotal:"):
                try:
                    meta["memory_total_bytes"] = int(line.split()[1]) * 1024
                except (ValueError, IndexError):
                    pass
    if nvml is not None:
        gpus = nvml.devices()
        meta["gpu_count"] = len(gpus)
        if gpus:
            meta["gpu"] = gpus[0].get("name")
            meta["gpus"] = gpus
    return meta


def _cwd():
    try:
        return os.getcwd()
    except OSError:
        return None


# Test hooks (python/tests, make_golden.py): fixed counters, metadata and GPUs instead of the machine's.
_test_counters = None
_test_metadata = None
load_nvml = Nvml.load


def start(run, writer, interval, meta, threads):
    """Writes the metadata record and starts sampling ``run``'s system metrics every ``interval``
    seconds (None: off) in the writer's thread. Returns the function that stops it, or None."""
    nvml = None
    if interval is not None or meta:
        nvml = load_nvml()
    if meta:
        try:
            data = _test_metadata() if _test_metadata is not None else metadata(_host(), nvml)
            writer.write_aside('{"type": "metadata", "time": %r, "metadata": %s}\n'
                               % (writer.last_time, _dumps(data)))
        except Exception:
            pass
    if interval is None:
        if nvml is not None:
            nvml.close()
        return None
    sampler = Sampler(_test_counters, nvml)
    clock = writer.clock

    def sample():
        data = sampler.sample()
        if data:
            writer.write_aside('{"type": "system", "time": %r, "data": %s}\n' % (clock(), _dumps(data)))

    task = writer.every(interval, sample) if threads else None
    run._system_sample = sample  # for tests and the golden files, which run without the thread

    def stop(abandon=False):
        if task is not None:
            writer.cancel(task)
            # A last sample when the run ended well after the previous one.
            if not abandon and time.monotonic() - sampler.prev["wall"] >= 1.0:
                try:
                    sample()
                except Exception:
                    pass
        sampler.close()
    return stop


def _host():
    from ._ids import ENV
    return ENV.host


def _dumps(data):
    import json
    return json.dumps(data, default=str)
