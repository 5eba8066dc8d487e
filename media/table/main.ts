// Entry point of the runs table's webview (bundled to dist/webview/table.js with its CSS).
import './table.css';
import { TableApp, type VsCodeApi } from './app';

declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('root');
if (root) new TableApp(acquireVsCodeApi(), root);
