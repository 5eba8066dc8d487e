"""run.dir and run.save: a per-version files directory, files kept as versions of the run's `run-files`
artifact (each content stored once in the objects store), wandb's policies, and a rewind or fork keeping
the files saved up to its branch step."""

import glob
import os

import runrewind
from runrewind import _artifacts, _files
from runrewind.errors import BadArgumentError
from tests.helpers import LogDirTest, log_files, records


def objects(root):
    return sorted(glob.glob(os.path.join(root, "objects", "*", "*")))


def files_records(path):
    return [r for r in records(path) if r["type"] == "artifact" and r["artifact_type"] == _files.FILES_TYPE]


def saved(root, run_id, version="latest"):
    """{name: content} of a run's newest (or given) run-files version."""
    art = _artifacts.resolve(root, "%s:%s" % (_files.artifact_name(run_id), version))
    out = {}
    for name in art.files():
        with open(art.get_path(name)) as f:
            out[name] = f.read()
    return out


class FilesTest(LogDirTest):
    def write(self, name, text):
        path = os.path.join(self.tmp, "work", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_run_dir_is_per_version_and_made_on_first_use(self):
        run = self.init(id="dirs")
        where = os.path.join(self.root, "files", "dirs", run.version_id)
        self.assertFalse(os.path.exists(where))
        self.assertEqual(run.dir, where)
        self.assertTrue(os.path.isdir(where))
        run.log({"x": 1})
        run.finish()
        rewound = self.init(resume_from="dirs?_step=0")
        self.assertNotEqual(rewound.dir, run.dir)
        rewound.finish()

    def test_saving_the_same_file_twice_stores_one_object(self):
        run = self.init(id="twice")
        path = self.write("model.pt", "weights")
        self.assertEqual(run.save(path, policy="now"), [os.path.join(run.dir, "model.pt")])
        run.log({"loss": 1.0})
        run.save(path, policy="now")
        other = self.write("copy/model.pt", "weights")
        run.save(other, base_path=os.path.dirname(os.path.dirname(other)), policy="now")
        run.finish()
        # model.pt and copy/model.pt: two names, one content, one object.
        self.assertEqual(len(objects(self.root)), 1)
        self.assertEqual(saved(self.root, "twice"), {"model.pt": "weights", "copy/model.pt": "weights"})
        # The unchanged second save and the unchanged finish record nothing new.
        recs = files_records(log_files(self.root, "twice")[0])
        self.assertEqual([r["version"] for r in recs], ["v0", "v1"])
        self.assertEqual([r["files"] for r in recs], [1, 2])

    def test_policies_now_end_and_live(self):
        run = self.init(id="pol")
        now = self.write("now.txt", "a")
        live = self.write("live.txt", "a")
        end = self.write("end.txt", "a")
        run.save(now, policy="now")
        run.save(live, policy="live")
        run.save(end, policy="end")
        self.assertEqual(saved(self.root, "pol"), {"now.txt": "a", "live.txt": "a"})
        for p in (now, live, end):
            with open(p, "w") as f:
                f.write("changed at the end")
            st = os.stat(p)
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
        run.finish()
        self.assertEqual(saved(self.root, "pol"), {"now.txt": "a", "live.txt": "changed at the end",
                                                   "end.txt": "changed at the end"})

    def test_a_glob_keeps_folders_relative_to_base_path_and_files_written_to_run_dir_are_kept(self):
        run = self.init(id="globs")
        self.write("out/a.txt", "1")
        self.write("out/sub/b.txt", "2")
        self.write("out/c.bin", "3")
        base = os.path.join(self.tmp, "work")
        got = run.save(os.path.join(base, "out", "**", "*.txt"), base_path=base)
        self.assertEqual(sorted(os.path.relpath(p, run.dir) for p in got), ["out/a.txt", "out/sub/b.txt"])
        with open(os.path.join(run.dir, "notes.md"), "w") as f:
            f.write("written to run.dir")
        run.finish()
        self.assertEqual(saved(self.root, "globs"), {"out/a.txt": "1", "out/sub/b.txt": "2", "notes.md": "written to run.dir"})

    def test_a_bad_policy_is_refused_with_its_name(self):
        run = self.init()
        with self.assertRaises(BadArgumentError) as caught:
            run.save(self.write("x", "x"), policy="sometimes")
        self.assertIn("sometimes", str(caught.exception))
        run.finish()

    def test_a_rewind_keeps_the_files_saved_up_to_the_branch_step(self):
        run = self.init(id="rw")
        for step in range(4):
            run.log({"loss": step})
            run.save(self.write("epoch%d.txt" % step, "e%d" % step), policy="now")
        run.finish()
        self.assertEqual(sorted(saved(self.root, "rw")), ["epoch0.txt", "epoch1.txt", "epoch2.txt", "epoch3.txt"])
        rewound = self.init(resume_from="rw?_step=1")
        # Nothing saved yet: the files kept up to step 1 are readable through restore().
        with rewound.restore("epoch1.txt") as f:
            self.assertEqual(f.read(), "e1")
        self.assertIsNone(rewound.restore("epoch2.txt"))
        rewound.log({"loss": 9})
        rewound.save(self.write("new.txt", "n"), policy="now")
        rewound.finish()
        self.assertEqual(saved(self.root, "rw"), {"epoch0.txt": "e0", "epoch1.txt": "e1", "new.txt": "n"})
        # The archived version's files stay as they were: its last version is still there.
        docs = _artifacts.list_versions(self.root, _files.artifact_name("rw"))
        mine = [d for d in docs if d["run_version"] == run.version_id]
        self.assertEqual(len(mine[-1]["manifest"]), 4)
        # The rewound version's own file records its own saves only.
        self.assertEqual(len(files_records(log_files(self.root, "rw")[1])), 1)

    def test_a_resumed_run_keeps_its_files_and_records_only_changes(self):
        run = self.init(id="res")
        run.log({"loss": 0})
        run.save(self.write("a.txt", "a"), policy="now")
        run.finish()
        again = self.init(id="res", resume="must")
        self.assertEqual(again.dir, run.dir)
        again.log({"loss": 1})
        again.finish()
        self.assertEqual(files_records(log_files(self.root, "res")[1]), [])
        third = self.init(id="res", resume="must")
        third.save(self.write("b.txt", "b"), policy="now")
        third.finish()
        self.assertEqual(saved(self.root, "res"), {"a.txt": "a", "b.txt": "b"})

    def test_a_fork_starts_from_the_files_of_its_source_at_the_fork_step(self):
        run = self.init(id="src")
        run.log({"loss": 0})
        run.save(self.write("a.txt", "a"), policy="now")
        run.log({"loss": 1})
        run.save(self.write("b.txt", "b"), policy="now")
        run.finish()
        fork = self.init(id="fk", fork_from="src?_step=0")
        fork.save(self.write("c.txt", "c"), policy="now")
        fork.finish()
        self.assertEqual(saved(self.root, "fk"), {"a.txt": "a", "c.txt": "c"})

    def test_a_disabled_run_saves_nothing(self):
        run = runrewind.init(mode="disabled")
        self.assertEqual(run.save(self.write("x.txt", "x")), [])
        run.finish()
        self.assertFalse(os.path.exists(os.path.join(self.root, "objects")))
