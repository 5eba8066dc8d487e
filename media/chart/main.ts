// Entry point of the chart panel's webview (bundled to dist/webview/chart.js with its CSS).
import 'uplot/dist/uPlot.min.css';
import './chart.css';
import { ChartApp, type VsCodeApi } from './app';

declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('root');
if (root) new ChartApp(acquireVsCodeApi(), root);
