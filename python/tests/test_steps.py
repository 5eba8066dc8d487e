"""Step semantics of the rewind and fork rules (docs/ARCHITECTURE.md, "Rewind and fork") (W&B's)."""

from tests.helpers import LogDirTest, records, rows


class StepTest(LogDirTest):
    def test_log_writes_consecutive_steps_from_zero(self):
        run = self.init()
        self.assertEqual(run.step, 0)
        for i in range(3):
            run.log({"a": i})
        self.assertEqual(run.step, 3)
        run.finish()
        self.assertEqual(rows(run.log_file), [(0, {"a": 0}), (1, {"a": 1}), (2, {"a": 2})])

    def test_explicit_step_merges_and_commits_when_it_grows(self):
        run = self.init()
        run.log({"a": 1}, step=0)
        run.log({"b": 2}, step=0)        # same step: merged
        run.log({"c": 3}, step=5)        # larger: commits step 0, moves to 5
        run.log({"d": 4})                # no step: merges into 5 and commits
        run.log({"e": 5})                # step 6
        run.finish()
        self.assertEqual(rows(run.log_file), [(0, {"a": 1, "b": 2}), (5, {"c": 3, "d": 4}), (6, {"e": 5})])

    def test_smaller_step_is_dropped_with_a_warning(self):
        run = self.init()
        run.log({"a": 1})
        run.log({"a": 2})
        _, messages = self.assertWarns_("step=0", run.log, {"a": 99}, step=0)
        self.assertTrue(any("dropped" in m and run.id in m for m in messages))
        run.log({"a": 3})
        run.finish()
        self.assertEqual(rows(run.log_file), [(0, {"a": 1}), (1, {"a": 2}), (2, {"a": 3})])

    def test_commit_false_accumulates(self):
        run = self.init()
        run.log({"a": 1}, commit=False)
        run.log({"b": 2}, commit=False)
        self.assertEqual(rows(run.log_file), [])
        run.log({"c": 3})
        run.log({"d": 4}, commit=False)
        run.log({}, commit=True)
        run.log({"e": 5}, commit=False)
        run.finish()                     # finish commits the pending row
        self.assertEqual(rows(run.log_file), [(0, {"a": 1, "b": 2, "c": 3}), (1, {"d": 4}), (2, {"e": 5})])

    def test_step_given_with_commit_true_commits_at_once(self):
        run = self.init()
        run.log({"a": 1}, step=3, commit=True)
        self.assertEqual(rows(run.log_file), [(3, {"a": 1})])
        self.assertEqual(run.step, 4)
        run.finish()

    def test_pending_step_is_committed_by_a_larger_step(self):
        run = self.init()
        run.log({"a": 1}, step=2)
        self.assertEqual(rows(run.log_file), [])
        run.log({"a": 2}, step=3)
        self.assertEqual(rows(run.log_file), [(2, {"a": 1})])
        run.finish()
        self.assertEqual(rows(run.log_file), [(2, {"a": 1}), (3, {"a": 2})])

    def test_key_named_step_is_an_ordinary_metric(self):
        run = self.init()
        run.log({"metric": 7, "step": 200})
        run.log({"other": 1, "step": 200})
        run.finish()
        self.assertEqual(rows(run.log_file), [(0, {"metric": 7, "step": 200}), (1, {"other": 1, "step": 200})])

    def test_bad_step_argument_is_dropped_not_raised(self):
        run = self.init()
        self.assertWarns_("non-negative integer", run.log, {"a": 1}, step=-3)
        self.assertWarns_("non-negative integer", run.log, {"a": 1}, step="x")
        run.log({"a": 1}, step=2.0)
        run.finish()
        self.assertEqual(rows(run.log_file), [(2, {"a": 1})])

    def test_finish_record_and_log_after_finish(self):
        run = self.init()
        run.log({"a": 1})
        run.finish()
        run.finish()
        self.assertWarns_("after finish", run.log, {"a": 2})
        recs = records(run.log_file)
        self.assertEqual([r["type"] for r in recs], ["start", "row", "finish"])
        self.assertEqual(recs[-1]["exit_code"], 0)

    def test_first_step_after_rewind_fork_and_resume(self):
        base = self.finished_run(10)
        rewound = self.init(resume_from="%s?_step=4" % base.id)
        self.assertEqual(rewound.step, 5)
        rewound.log({"m": 1})
        rewound.finish()
        self.assertEqual(rows(rewound.log_file), [(5, {"m": 1})])
        fork = self.init(fork_from="%s?_step=2" % base.id)
        self.assertEqual(fork.step, 3)
        fork.finish()
        resumed = self.init(id=base.id, resume="allow")
        self.assertEqual(resumed.step, 6)
        resumed.finish()
