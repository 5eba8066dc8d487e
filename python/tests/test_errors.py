"""Every error of the rewind and fork rules (docs/ARCHITECTURE.md, "Rewind and fork"), raised before anything is written."""

import os

from runrewind import errors
from tests.helpers import LogDirTest, log_files, tree


class ErrorTest(LogDirTest):
    def assertRefused(self, error, fragments, **kwargs):
        before = tree(self.tmp)
        with self.assertRaises(error) as ctx:
            self.init(**kwargs)
        self.assertIsInstance(ctx.exception, ValueError)
        self.assertIsInstance(ctx.exception, errors.RunRewindError)
        message = str(ctx.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(tree(self.tmp), before, "a refused init must create nothing")
        return ctx.exception

    def test_nothing_is_created_in_an_empty_directory(self):
        self.assertRefused(errors.UnknownRunError, ["nope", "resume_from"], resume_from="nope?_step=3")
        self.assertFalse(os.path.exists(self.root))

    def test_options_are_mutually_exclusive(self):
        run = self.finished_run(5)
        spec = "%s?_step=2" % run.id
        e = self.assertRefused(errors.ConflictingOptionsError, ["resume_from", "fork_from"],
                               resume_from=spec, fork_from=spec)
        self.assertEqual(e.code, "conflicting-options")
        self.assertRefused(errors.ConflictingOptionsError, ["resume", "resume_from"], resume="allow",
                           resume_from=spec)
        self.assertRefused(errors.ConflictingOptionsError, ["resume", "fork_from"], resume=True, fork_from=spec)
        self.assertRefused(errors.ConflictingOptionsError, ["resume", "fork_from"], resume="never",
                           fork_from=spec)

    def test_bad_specs_show_the_expected_form(self):
        run = self.finished_run(5)
        for spec in (run.id, "%s?step=2" % run.id, "%s?_step=-1" % run.id, "%s?_step=2.5" % run.id,
                     "%s?_step=" % run.id, "%s?_step=2&x=1" % run.id, "?_step=2", "bad id?_step=2",
                     "%s?_epoch=2" % run.id):
            for option in ("resume_from", "fork_from"):
                e = self.assertRefused(errors.BadSpecError, ["'abc123?_step=200'", option], **{option: spec})
                self.assertEqual(e.code, "bad-spec")
        self.assertRefused(errors.BadSpecError, ["'abc123?_step=200'"], fork_from=42)

    def test_unknown_run_and_version(self):
        self.finished_run(5)
        e = self.assertRefused(errors.UnknownRunError, ["ghost", "_step=1"], resume_from="ghost?_step=1")
        self.assertEqual(e.code, "unknown-run")
        self.assertRefused(errors.UnknownRunError, ["ghost"], fork_from="ghost?_step=1")
        e = self.assertRefused(errors.UnknownVersionError, ["vzzzzzzzzzzzz"], fork_from="vzzzzzzzzzzzz?_step=1")
        self.assertEqual(e.code, "unknown-version")

    def test_version_id_is_not_a_run_for_resume_from(self):
        run = self.finished_run(5)
        self.assertRefused(errors.UnknownRunError, [run.version_id, "fork_from", run.id],
                           resume_from="%s?_step=1" % run.version_id)

    def test_step_beyond_last_step(self):
        run = self.finished_run(5)
        e = self.assertRefused(errors.StepOutOfRangeError, [run.id, "step 5", "last step", "4"],
                               resume_from="%s?_step=5" % run.id)
        self.assertEqual(e.code, "step-out-of-range")
        self.assertRefused(errors.StepOutOfRangeError, [run.id, "step 99"], fork_from="%s?_step=99" % run.id)
        self.assertRefused(errors.StepOutOfRangeError, [run.version_id], fork_from="%s?_step=9" % run.version_id)

    def test_run_without_history(self):
        run = self.finished_run(0)
        e = self.assertRefused(errors.NoHistoryError, [run.id, "no logged steps"],
                               resume_from="%s?_step=0" % run.id)
        self.assertEqual(e.code, "no-history")

    def test_last_step_goes_through_lineage(self):
        run = self.finished_run(10)
        rewound = self.init(resume_from="%s?_step=6" % run.id)
        rewound.finish()  # no rows: its last step is the branch step, 6
        self.assertRefused(errors.StepOutOfRangeError, ["step 7", "(6)"], resume_from="%s?_step=7" % run.id)
        again = self.init(resume_from="%s?_step=6" % run.id)
        again.finish()

    def test_rewinding_a_running_run(self):
        run = self.init()
        run.log({"metric": 1})
        run.log({"metric": 2})
        # reinit="create_new": without it a second init() returns the active run, as wandb's.
        e = self.assertRefused(errors.RunRunningError, [run.id, "running", "step 1", "fork_from"],
                               resume_from="%s?_step=1" % run.id, reinit="create_new")
        self.assertEqual(e.code, "run-running")
        run.finish()
        self.init(resume_from="%s?_step=1" % run.id).finish()

    def test_id_differs_from_resume_from(self):
        run = self.finished_run(5)
        e = self.assertRefused(errors.IdConflictError, ["other", run.id, "fork_from"], id="other",
                               resume_from="%s?_step=2" % run.id)
        self.assertEqual(e.code, "id-conflict")
        self.init(id=run.id, resume_from="%s?_step=2" % run.id).finish()

    def test_fork_id_equal_to_source_suggests_resume_from(self):
        run = self.finished_run(5)
        self.assertRefused(errors.IdConflictError, ["resume_from='%s?_step=2'" % run.id], id=run.id,
                           fork_from="%s?_step=2" % run.id)

    def test_fork_into_an_existing_id(self):
        run = self.finished_run(5)
        other = self.finished_run(1)
        self.assertRefused(errors.IdConflictError, [other.id, "already exists"], id=other.id,
                           fork_from="%s?_step=2" % run.id)

    def test_existing_id_without_resume(self):
        run = self.finished_run(5)
        self.assertRefused(errors.IdConflictError, [run.id, "already exists", "resume='allow'"], id=run.id)
        self.assertRefused(errors.IdConflictError, [run.id, "resume='never'"], id=run.id, resume="never")

    def test_resume_must_needs_an_existing_run(self):
        self.finished_run(1)
        self.assertRefused(errors.UnknownRunError, ["ghost", "resume='allow'"], id="ghost", resume="must")
        self.assertRefused(errors.BadArgumentError, ["id="], resume="must")

    def test_deleted_run(self):
        run = self.finished_run(5)
        os.makedirs(os.path.join(self.root, "ops"))
        with open(os.path.join(self.root, "ops", "9999999999999-aaaaaaaa.jsonl"), "w") as f:
            f.write('{"type": "delete", "time": 1.0, "run": "%s"}\n' % run.id)
        self.assertRefused(errors.RunDeletedError, [run.id, "deleted"], resume_from="%s?_step=1" % run.id)
        self.assertRefused(errors.RunDeletedError, [run.id, "deleted"], fork_from="%s?_step=1" % run.id)
        self.assertRefused(errors.RunDeletedError, [run.id, "deleted"], id=run.id, resume="must")
        self.assertRefused(errors.IdConflictError, [run.id], id=run.id)

    def test_bad_arguments(self):
        self.assertRefused(errors.BadIdError, ["bad/id"], id="bad/id")
        self.assertRefused(errors.BadIdError, ["x" * 65], id="x" * 65)
        self.assertRefused(errors.BadArgumentError, ["resume='sometimes'"], resume="sometimes")

    def test_valid_requests_still_write(self):
        run = self.finished_run(3)
        self.init(fork_from="%s?_step=0" % run.id).finish()
        self.assertEqual(len(log_files(self.root)), 2)
