// The store's min/max downsampler, for the browser benchmark's stand-in host (media/bench/chartHarness.ts),
// which answers the chart webview the way the extension host does. Re-exported here because nothing
// under media/ imports src/core directly; the chart webview itself never downsamples.
export { downsampleM4 } from '../core/downsample';
