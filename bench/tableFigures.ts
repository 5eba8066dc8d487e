// What the runs table benchmark's page (media/bench/tableHarness.ts, in headless Chromium) hands back
// to the benchmark (bench/table.ts): one definition for both sides of page.evaluate.

export interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Frames that took more than 1.5 intervals of 60 Hz (25 ms). */
  slow: number;
}

export interface OpenFigures {
  /** Script start → ready message. */
  bootMs: number;
  /** With first rows: script start → the first frame painted with them; their message parsed and posted. */
  firstPaintMs?: number;
  firstDeliverMs?: number;
  /** The host's message parsed and delivered (JSON.parse and postMessage). */
  deliverMs: number;
  /** Script start → the first frame painted with rows. */
  paintMs: number;
  rows: number;
}
