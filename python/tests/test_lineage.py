"""Resume, rewind chains and forks, read back through the library's own log reader."""

from runrewind import _logs
from tests.helpers import LogDirTest, log_files, records, rows


class LineageTest(LogDirTest):
    def test_resume_allow_must_never(self):
        base = self.finished_run(3, id="r1", config={"lr": 1, "bs": 8})
        resumed = self.init(id="r1", resume="allow", config={"lr": 2})
        self.assertEqual((resumed.version_id, resumed.step, resumed.name), (base.version_id, 3, base.name))
        self.assertEqual(resumed.config.as_dict(), {"lr": 2, "bs": 8})
        self.assertTrue(resumed.resumed)
        resumed.log({"metric": 3})
        resumed.finish()
        start = records(resumed.log_file)[0]
        self.assertEqual((start["mode"], start["version"], start["run"]), ("resume", base.version_id, "r1"))
        must = self.init(id="r1", resume="must")
        self.assertEqual(must.step, 4)
        must.finish()
        also = self.init(id="r1", resume=True)
        also.finish()
        fresh = self.init(id="r2", resume="allow")       # allow creates a missing run
        self.assertEqual(records(fresh.log_file)[0]["mode"], "new")
        fresh.finish()
        never = self.init(id="r3", resume="never")
        never.finish()
        self.assertEqual(len(log_files(self.root, "r1")), 4)

    def test_rewind_then_rewind_again(self):
        run1 = self.finished_run(10, config={"a": 1})
        v1 = run1.version_id
        run2 = self.init(resume_from="%s?_step=6" % run1.id, config={"b": 2})
        self.assertEqual(run2.id, run1.id)
        self.assertNotEqual(run2.version_id, v1)
        self.assertEqual(run2.config.as_dict(), {"a": 1, "b": 2})
        self.assertEqual(run2.name, run1.name)
        for i in range(7, 12):
            run2.log({"metric": i * 10})
        run2.finish()
        start = records(run2.log_file)[0]
        self.assertEqual(start["mode"], "rewind")
        self.assertEqual(start["source"], {"run": run1.id, "version": v1, "step": 6})
        run3 = self.init(resume_from="%s?_step=8" % run1.id)
        run3.finish()
        self.assertEqual(records(run3.log_file)[0]["source"], {"run": run1.id, "version": run2.version_id, "step": 8})
        state = _logs.read_state(self.root)
        self.assertTrue(state.versions[v1].archived)
        self.assertTrue(state.versions[run2.version_id].archived)
        live = state.live_version(run1.id)
        self.assertEqual((live.id, live.parent, live.branch_step, live.last_step), (run3.version_id, run2.version_id, 8, 8))
        self.assertEqual(state.versions[run2.version_id].last_step, 11)

    def test_fork_of_a_rewound_run_and_of_an_archived_version(self):
        run1 = self.finished_run(10, config={"lr": 1})
        run2 = self.init(resume_from="%s?_step=5" % run1.id)
        for i in range(6, 9):
            run2.log({"metric": -i})
        run2.finish()
        fork = self.init(fork_from="%s?_step=7" % run1.id, config={"lr": 2})
        self.assertNotEqual(fork.id, run1.id)
        self.assertEqual(fork.step, 8)
        self.assertEqual(fork.forked_from, {"run": run1.id, "version": run2.version_id, "step": 7})
        self.assertEqual(fork.config.as_dict(), {"lr": 2})
        self.assertEqual(fork.project, run1.project)
        fork.log({"metric": 100})
        fork.finish()
        self.assertEqual(rows(fork.log_file), [(8, {"metric": 100})])
        # The archived version keeps its full history and can be forked at its own steps.
        old = self.init(fork_from="%s?_step=9" % run1.version_id, id="from-archive")
        old.finish()
        self.assertEqual(records(old.log_file)[0]["source"], {"run": run1.id, "version": run1.version_id, "step": 9})

    def test_fork_of_a_running_run_is_allowed(self):
        live = self.init()
        for i in range(5):
            live.log({"metric": i})
        fork = self.init(fork_from="%s?_step=3" % live.id, reinit="create_new")
        fork.log({"metric": 40})
        fork.finish()
        live.log({"metric": 5})
        live.finish()
        self.assertEqual(rows(fork.log_file), [(4, {"metric": 40})])
        state = _logs.read_state(self.root)
        self.assertEqual(state.runs[fork.id].live, fork.version_id)
        self.assertEqual(state.versions[live.version_id].last_step, 5)

    def test_reader_sees_running_and_finished(self):
        import time
        run = self.init()
        run.log({"a": 1})
        state = _logs.read_state(self.root)
        v = state.versions[run.version_id]
        self.assertTrue(v.is_running(time.time(), v.writer.host, _logs.pid_alive))
        run.finish()
        v = _logs.read_state(self.root).versions[run.version_id]
        self.assertFalse(v.is_running(time.time(), v.writer.host, _logs.pid_alive))
        self.assertEqual(v.writer.exit_code, 0)

    def test_ops_files_are_applied(self):
        import os
        run = self.finished_run(5)
        os.makedirs(os.path.join(self.root, "ops"))
        with open(os.path.join(self.root, "ops", "9999999999990-aaaaaaaa.jsonl"), "w") as f:
            f.write('{"type": "rewind", "time": 1.0, "run": "%s", "source": "%s", "version": "vopsopsopsops", '
                    '"step": 2}\n' % (run.id, run.version_id))
        with open(os.path.join(self.root, "ops", "9999999999991-aaaaaaaa.jsonl"), "w") as f:
            f.write('{"type": "fork", "time": 1.0, "run": "opfork", "version": "vopsforkopsfo", '
                    '"source": {"run": "%s", "version": "vopsopsopsops", "step": 1}}\n' % run.id)
        resumed = self.init(id=run.id, resume="must")
        self.assertEqual((resumed.version_id, resumed.step), ("vopsopsopsops", 3))
        resumed.finish()
        fork_resumed = self.init(id="opfork", resume="must")
        self.assertEqual(fork_resumed.step, 2)
        fork_resumed.finish()
