"""Console capture: prints, fd 1 of a subprocess, threads, a crash's traceback, progress bars, escape codes,
the off switches, 100,000 lines, a killed writer, and the Python reader skipping console records."""

import os
import signal
import subprocess
import sys
import textwrap

from runrewind import _console, _logs, _wandb_compat
from tests.helpers import PYTHON_DIR, LogDirTest, log_files, records


def console_lines(path):
    """``(stream, step, text)`` of every console line of one log file, in the order written."""
    return [(s, step, text) for r in records(path) if r["type"] == "console" for _, s, step, text in r["lines"]]


def run_in_pty(argv, env):
    """Runs a child whose stdin, stdout and stderr are a pseudo-terminal; returns (exit code, output)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    os.close(master)
    return proc.wait(timeout=60), out


class ChildTest(LogDirTest):
    def env(self, extra=None):
        env = dict(os.environ)
        env.pop("RUNREWIND_TEST_NO_THREAD", None)
        env.pop("PYTHONUNBUFFERED", None)
        env["PYTHONPATH"] = PYTHON_DIR
        env["RUNREWIND_DIR"] = self.root
        env.update(extra or {})
        return env

    def python(self, code, env=None, check=True):
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=self.env(env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        if check and proc.returncode != 0:
            self.fail("child failed (%d): %s" % (proc.returncode, proc.stderr.decode()))
        return proc

    def only_file(self):
        (path,) = log_files(self.root)
        return path


SCRIPT = """
    import os, subprocess, sys, threading, runrewind
    run = runrewind.init(project="console", id="c1")
    print("before the first step")
    for i in range(3):
        print("step", i)
        run.log({"x": i})
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", "import os; os.write(1, b'child fd 1\\\\n')"])
    os.write(1, b"parent fd 1\\n")
    t = threading.Thread(target=lambda: print("from a thread"))
    t.start(); t.join()
    print("to stderr", file=sys.stderr)
    run.log({"x": 3})
    raise ValueError("boom")
"""


class CaptureTest(ChildTest):
    def check_script_log(self, path, terminal):
        lines = console_lines(path)
        texts = [t for _, _, t in lines]
        self.assertEqual(lines[:4], [("stdout", 0, "before the first step"), ("stdout", 0, "step 0"),
                                     ("stdout", 1, "step 1"), ("stdout", 2, "step 2")])
        for text in ("child fd 1", "parent fd 1", "from a thread"):
            self.assertIn(text.encode(), terminal, "the script still prints %r to its terminal" % text)
        self.assertIn(("stdout", 3, "from a thread"), lines)
        # Bytes written to fd 1 itself carry the step pending when the reader thread took them (the
        # script logged step 3 just after): 3 or 4.
        for text in ("child fd 1", "parent fd 1"):
            self.assertTrue(("stdout", 3, text) in lines or ("stdout", 4, text) in lines, (text, lines))
        self.assertIn(("stderr", 3, "to stderr"), lines)
        # The traceback of the crash is in the console, before the finish record (exit code 1).
        fd1 = ("child fd 1", "parent fd 1")
        self.assertEqual([t for t in texts if t not in fd1][-1], "ValueError: boom")
        tb = texts.index("Traceback (most recent call last):")
        # Bytes written to fd 1 reach the log through the reader thread, so under load they may land
        # after the traceback (README: fd-level output can appear just after Python prints).
        self.assertEqual(set((s, step) for s, step, t in lines[tb:] if t not in fd1),
                         {("stderr", 4)})
        recs = records(path)
        self.assertEqual((recs[-1]["type"], recs[-1]["exit_code"]), ("finish", 1))
        self.assertEqual(recs[-2]["type"], "console")
        self.assertEqual(len(texts), len(set(texts)), "no line is recorded twice")

    def test_a_script_on_pipes(self):
        proc = self.python(SCRIPT, check=False)
        self.assertEqual(proc.returncode, 1)
        self.check_script_log(self.only_file(), proc.stdout + proc.stderr)

    def test_a_script_on_a_terminal(self):
        # fd 1 is a terminal: the child process writes to a pseudo-terminal of ours, so it still sees one.
        code, out = run_in_pty([sys.executable, "-c", textwrap.dedent(SCRIPT + """
            """)], self.env())
        self.assertEqual(code, 1)
        self.check_script_log(self.only_file(), out)

    def test_child_processes_see_a_terminal_when_the_script_had_one(self):
        code, out = run_in_pty([sys.executable, "-c", textwrap.dedent("""
            import subprocess, sys, runrewind
            run = runrewind.init(project="console", id="tty")
            subprocess.run([sys.executable, "-c", "import os; print('child isatty', os.isatty(1))"])
            print("parent isatty", sys.stdout.isatty())
            run.finish()
        """)], self.env())
        self.assertEqual(code, 0, out)
        texts = [t for _, _, t in console_lines(self.only_file())]
        self.assertIn("child isatty True", texts)
        self.assertIn("parent isatty True", texts)

    def test_wrap_mode_records_python_streams_only(self):
        proc = self.python("""
            import os, runrewind
            run = runrewind.init(project="console", id="w", settings={"console": "wrap"})
            print("printed")
            os.write(1, b"raw\\n")
            run.finish()
        """)
        self.assertEqual([t for _, _, t in console_lines(self.only_file())], ["printed"])
        self.assertIn(b"raw", proc.stdout)

    def test_redirect_mode_records_fd_2(self):
        proc = self.python("""
            import os, runrewind
            run = runrewind.init(project="console", id="r", settings={"console": "redirect"})
            os.write(2, b"native stderr\\n")
            run.finish()
        """)
        self.assertIn(("stderr", 0, "native stderr"), console_lines(self.only_file()))
        self.assertIn(b"native stderr", proc.stderr)

    def test_streams_and_descriptors_are_restored_at_finish(self):
        proc = self.python("""
            import os, sys, runrewind
            before = (sys.stdout, sys.stderr, os.fstat(1).st_ino)
            run = runrewind.init(project="console", id="restore")
            print("during")
            run.finish()
            assert (sys.stdout, sys.stderr, os.fstat(1).st_ino) == before
            print("after")
        """)
        self.assertEqual([t for _, _, t in console_lines(self.only_file())], ["during"])
        self.assertEqual(proc.stdout, b"during\nafter\n")

    def test_off_switches(self):
        cases = [({"RUNREWIND_CONSOLE": "off"}, "None"), ({"WANDB_CONSOLE": "off"}, "None"),
                 ({}, "dict(console='off')"), ({}, "runrewind.Settings(console='off')")]
        for env, settings in cases:
            with self.subTest(env=env, settings=settings):
                root = os.path.join(self.tmp, "off-%d" % cases.index((env, settings)))
                env = dict(env, RUNREWIND_DIR=root)
                proc = self.python("""
                    import sys, runrewind
                    stdout = sys.stdout
                    run = runrewind.init(project="console", settings=%s)
                    assert sys.stdout is stdout
                    print("not recorded")
                    run.finish()
                """ % settings, env=env)
                self.assertIn(b"not recorded", proc.stdout)
                (path,) = log_files(root)
                self.assertEqual([r["type"] for r in records(path)], ["start", "finish"])

    def test_explicit_settings_win_over_the_environment(self):
        self.assertEqual(_wandb_compat.capture_options({"console": "wrap"}, {"RUNREWIND_CONSOLE": "off"})["console"],
                         "wrap")
        self.assertEqual(_wandb_compat.capture_options({}, {"RUNREWIND_CONSOLE": "off", "WANDB_CONSOLE": "wrap"})
                         ["console"], "off")
        self.assertEqual(_wandb_compat.capture_options({}, {})["console"], "auto")
        self.assertEqual(_wandb_compat.capture_options({"console": "wrap_emu"}, {})["console"], "wrap")

    def test_100000_lines_none_lost(self):
        self.python("""
            import runrewind
            run = runrewind.init(project="console", id="many")
            for i in range(100000):
                print("line", i)
                if i % 1000 == 999:
                    run.log({"i": i})
            run.finish()
        """)
        lines = console_lines(self.only_file())
        self.assertEqual(len(lines), 100000)
        self.assertEqual([t for _, _, t in lines], ["line %d" % i for i in range(100000)])
        self.assertEqual([step for _, step, _ in lines], [i // 1000 for i in range(100000)])

    def test_100000_lines_of_a_subprocess_on_fd_1_none_lost(self):
        self.python("""
            import subprocess, sys, runrewind
            run = runrewind.init(project="console", id="sub")
            subprocess.run([sys.executable, "-c", "import sys\\nfor i in range(100000): sys.stdout.write('sub %d\\\\n' % i)"])
            run.finish()
        """)
        self.assertEqual([t for _, _, t in console_lines(self.only_file())], ["sub %d" % i for i in range(100000)])

    def test_a_killed_writer_loses_no_acknowledged_line(self):
        # Acknowledged: flushed (print(..., flush=True), sys.stdout.flush()) before the kill.
        proc = self.python("""
            import os, signal, sys, runrewind
            run = runrewind.init(project="console", id="killed")
            for i in range(500):
                print("kept", i, flush=i % 50 == 49)
                run.log({"i": i})
            print("kept last")
            sys.stdout.flush()
            print("maybe lost")
            os.kill(os.getpid(), signal.SIGKILL)
        """, check=False)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        texts = [t for _, _, t in console_lines(self.only_file())]
        self.assertEqual(texts[:501], ["kept %d" % i for i in range(500)] + ["kept last"])

    def test_lines_printed_after_an_init_of_a_rewind_take_its_steps(self):
        self.python("""
            import runrewind
            a = runrewind.init(project="console", id="rw")
            for i in range(5):
                print("a", i)
                a.log({"x": i})
            a.finish()
            b = runrewind.init(resume_from="rw?_step=2")
            print("b starts")
            b.log({"x": 1})
            b.finish()
        """)
        first, second = log_files(self.root, "rw")
        self.assertEqual(console_lines(first)[-1], ("stdout", 4, "a 4"))
        self.assertEqual(console_lines(second), [("stdout", 3, "b starts")])

    def test_the_python_reader_skips_console_system_and_metadata_records(self):
        self.python("""
            import runrewind
            run = runrewind.init(project="console", id="reader",
                                 settings={"x_disable_meta": False, "x_stats_sampling_interval": 3600})
            for i in range(3):
                print("line", i)
                run.log({"x": i})
            run._system_sample()
            run.finish()
        """)
        path = self.only_file()
        types = [r["type"] for r in records(path)]
        self.assertEqual(types[:5] + types[-2:], ["start", "metadata", "row", "row", "row", "console", "finish"])
        self.assertIn("system", types)
        state = _logs.read_state(self.root)
        v = state.live_version("reader")
        self.assertEqual((v.last_step, v.writer.finished), (2, True))


class InProcessTest(LogDirTest):
    """Without the background thread (as the golden files): the Python streams only."""

    def test_print_and_flush(self):
        import io
        saved = sys.stdout
        sys.stdout = buf = io.StringIO()
        try:
            run = self.init(id="inproc")
            print("a")
            run.log({"x": 1})
            print("b", end="")
            print(" c")
            run.finish()
        finally:
            sys.stdout = saved
        self.assertEqual(buf.getvalue(), "a\nb c\n")
        self.assertEqual(console_lines(run.log_file), [("stdout", 0, "a"), ("stdout", 1, "b c")])

    def test_an_unfinished_line_is_recorded_at_finish(self):
        import io
        saved = sys.stdout
        sys.stdout = io.StringIO()
        try:
            run = self.init(id="partial")
            sys.stdout.write("no newline")
            run.finish()
        finally:
            sys.stdout = saved
        self.assertEqual(console_lines(run.log_file), [("stdout", 0, "no newline")])

    def test_abandon_writes_nothing_more(self):
        import io
        saved = sys.stdout
        sys.stdout = io.StringIO()
        try:
            run = self.init(id="abandoned")
            print("lost with the process")
            run._abandon()
        finally:
            sys.stdout = saved
        self.assertEqual([r["type"] for r in records(run.log_file)], ["start"])


class CleanTest(LogDirTest):
    def test_carriage_returns_keep_the_final_state(self):
        self.assertEqual(_console.clean("\r  0%|   |\r 50%|#  |\r100%|###|"), "100%|###|")
        self.assertEqual(_console.clean("abcdef\rXY"), "XYcdef")       # as a terminal shows it
        self.assertEqual(_console.clean("loading...\r\x1b[Kdone"), "done")  # erase-line
        self.assertEqual(_console.clean("done\r"), "done")

    def test_escape_codes_and_control_characters_are_removed(self):
        self.assertEqual(_console.clean("\x1b[1;31mred\x1b[0m\tok"), "red\tok")
        self.assertEqual(_console.clean("\x1b]0;title\x07text\x07\x08"), "text")
        self.assertEqual(_console.clean("a\x9b31mb\x85c"), "abc")
        self.assertEqual(_console.clean("plain text"), "plain text")

    def test_a_progress_bar_of_thousands_of_updates_is_one_line(self):
        import io
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
        try:
            run = self.init(id="tqdm")
            for i in range(5001):
                sys.stderr.write("\r\x1b[32m%5d/5000\x1b[0m |%s|" % (i, "#" * (i // 500)))
                sys.stderr.flush()
            sys.stderr.write("\n")
            print("after")
            run.finish()
        finally:
            sys.stdout, sys.stderr = saved
        self.assertEqual([t for _, _, t in console_lines(run.log_file)],
                         [" 5000/5000 |##########|", "after"])
