"""System metrics and metadata: the sampler's keys, NVML present or absent, the switches, the background
thread, and heartbeats that console records do not replace."""

import ctypes
import json
import os
import sys

from runrewind import _system, _wandb_compat
from tests.helpers import LogDirTest, log_files, records
from tests.test_console import ChildTest

LINUX = sys.platform.startswith("linux")


class FakeNvmlLibrary(object):
    """NVML's C functions as ctypes calls them: arguments by reference, 0 for success."""

    def __init__(self, count=2):
        self.count = count
        self.shut = False

    def nvmlInit_v2(self):
        return 0

    def nvmlDeviceGetCount_v2(self, ref):
        ref._obj.value = self.count
        return 0

    def nvmlDeviceGetHandleByIndex_v2(self, index, ref):
        ref._obj.value = 1000 + index.value
        return 0

    def nvmlDeviceGetName(self, handle, buf, size):
        buf.value = b"NVIDIA Fake %d" % (handle.value - 1000)
        return 0

    def nvmlDeviceGetUtilizationRates(self, handle, ref):
        ref._obj.gpu = 87
        return 0

    def nvmlDeviceGetMemoryInfo(self, handle, ref):
        ref._obj.total = 8 * 1024 ** 3
        ref._obj.used = 2 * 1024 ** 3
        return 0

    def nvmlDeviceGetTemperature(self, handle, sensor, ref):
        ref._obj.value = 71
        return 0

    def nvmlDeviceGetPowerUsage(self, handle, ref):
        return 3  # NVML_ERROR_NOT_SUPPORTED: the key is left out

    def nvmlShutdown(self):
        self.shut = True
        return 0


class SamplerTest(LogDirTest):
    def test_keys_are_present_and_numeric(self):
        sampler = _system.Sampler()
        import time
        end = time.time() + 0.1  # a few clock ticks of /proc/stat between the two readings
        while time.time() < end:
            pass
        data = sampler.sample()
        sampler.close()
        self.assertIn("system/proc.cpu_percent", data)
        if LINUX:
            for key in ("system/proc.memory_rss_mb", "system/cpu_percent", "system/memory_percent",
                        "system/network.sent_bytes", "system/network.recv_bytes"):
                self.assertIn(key, data)
            self.assertTrue(0 <= data["system/memory_percent"] <= 100)
            self.assertGreater(data["system/proc.memory_rss_mb"], 1)
        for key, value in data.items():
            self.assertTrue(key.startswith("system/"), key)
            self.assertIsInstance(value, (int, float), key)
            self.assertNotIsInstance(value, bool, key)
        json.dumps(data, allow_nan=False)

    def test_no_gpu_library_means_no_gpu_keys_and_no_error(self):
        self.assertIsNone(_system.Nvml.load(["libnvidia-ml-does-not-exist.so.1"]))
        sampler = _system.Sampler(nvml=None)
        self.assertFalse([k for k in sampler.sample() if "gpu" in k])
        meta = _system.metadata("host", None)
        self.assertNotIn("gpu_count", meta)

    def test_gpu_keys_from_the_management_library(self):
        lib = FakeNvmlLibrary()
        nvml = _system.Nvml(lib)
        self.assertTrue(nvml._start())
        data = {}
        nvml.sample(data)
        self.assertEqual(data, {
            "system/gpu.0.utilization_percent": 87.0, "system/gpu.0.memory_used_mb": 2048.0,
            "system/gpu.0.memory_percent": 25.0, "system/gpu.0.temperature_c": 71.0,
            "system/gpu.1.utilization_percent": 87.0, "system/gpu.1.memory_used_mb": 2048.0,
            "system/gpu.1.memory_percent": 25.0, "system/gpu.1.temperature_c": 71.0})
        meta = _system.metadata("host", nvml)
        self.assertEqual((meta["gpu_count"], meta["gpu"]), (2, "NVIDIA Fake 0"))
        self.assertEqual(meta["gpus"][1], {"name": "NVIDIA Fake 1", "memory_total_mb": 8192.0})
        nvml.close()
        self.assertTrue(lib.shut)

    def test_a_library_that_fails_to_initialise_is_absent(self):
        class Failing(FakeNvmlLibrary):
            def nvmlInit_v2(self):
                return 9  # NVML_ERROR_DRIVER_NOT_LOADED

        self.assertFalse(_system.Nvml(Failing())._start())

    def test_rates_and_totals_from_counters(self):
        counters = iter([
            {"wall": 0.0, "proc_cpu": 1.0, "sys_cpu": (100, 1000), "disk": (10, 20), "net": (5, 6)},
            {"wall": 10.0, "proc_cpu": 6.0, "sys_cpu": (400, 2000), "disk": (110, 220), "net": (15, 26),
             "rss": 64 * 1024 * 1024, "mem": (1000, 250)},
        ])
        data = _system.Sampler(read=lambda: next(counters)).sample()
        self.assertEqual(data, {"system/proc.cpu_percent": 50.0, "system/cpu_percent": 30.0,
                                "system/proc.memory_rss_mb": 64.0, "system/memory_percent": 75.0,
                                "system/disk.read_bytes": 100, "system/disk.write_bytes": 200,
                                "system/network.sent_bytes": 10, "system/network.recv_bytes": 20})

    def test_switches(self):
        opts = _wandb_compat.capture_options
        self.assertEqual(opts({}, {})["stats_interval"], 10.0)
        self.assertIsNone(opts({"x_disable_stats": True}, {})["stats_interval"])
        self.assertEqual(opts({"x_stats_sampling_interval": 2}, {})["stats_interval"], 2.0)
        self.assertIsNone(opts({}, {"RUNREWIND_STATS": "off"})["stats_interval"])
        self.assertEqual(opts({}, {"RUNREWIND_STATS": "30"})["stats_interval"], 30.0)
        self.assertEqual(opts({"x_disable_stats": False}, {"RUNREWIND_STATS": "off"})["stats_interval"], 10.0)
        self.assertFalse(opts({"x_disable_meta": True}, {})["meta"])
        self.assertFalse(opts({}, {"RUNREWIND_META": "off"})["meta"])
        self.assertTrue(opts({}, {})["meta"])

    def test_metadata_record_follows_start(self):
        run = self.init(id="meta", settings={"x_disable_meta": False})
        run.finish()
        recs = records(run.log_file)
        self.assertEqual([r["type"] for r in recs], ["start", "metadata", "finish"])
        self.assertEqual(recs[0]["protocol_minor"], 2)
        meta = recs[1]["metadata"]
        self.assertEqual(recs[1]["time"], recs[0]["time"])
        self.assertEqual(meta["python"], "%d.%d.%d" % sys.version_info[:3])
        for key in ("host", "os", "executable", "program", "args", "command", "cwd", "cpu_count"):
            self.assertIn(key, meta)
        self.assertEqual(run.settings.x_disable_meta, False)

    def test_ctypes_structures_match_nvml(self):
        # nvmlUtilization_t is two unsigned ints; nvmlMemory_t three unsigned long longs.
        self.assertEqual(ctypes.sizeof(_system.Nvml._Utilization), 8)
        self.assertEqual(ctypes.sizeof(_system.Nvml._Memory), 24)


class ThreadTest(ChildTest):
    def test_the_background_thread_samples_and_still_writes_heartbeats(self):
        # The child prints but never logs: its console and system records are not signs of life for
        # readers that skip them, so alive records keep coming.
        self.python("""
            import json, time, runrewind
            run = runrewind.init(project="system", id="sampled", settings={"x_stats_sampling_interval": 0.1})
            deadline = time.time() + 60
            while time.time() < deadline:
                print("working")
                time.sleep(0.02)
                with open(run.log_file) as f:
                    types = set(json.loads(line)["type"] for line in f)
                if {"system", "alive", "console"} <= types:
                    break
            run.finish()
        """, env={"RUNREWIND_HEARTBEAT": "0.2", "RUNREWIND_STATS": ""})
        (path,) = log_files(self.root)
        recs = records(path)
        types = [r["type"] for r in recs]
        for kind in ("system", "alive", "console"):
            self.assertIn(kind, types)
        self.assertEqual(types[-1], "finish")
        sample = next(r for r in recs if r["type"] == "system")
        self.assertIn("system/proc.cpu_percent", sample["data"])
