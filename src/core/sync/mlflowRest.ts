// A small client of an MLflow tracking server's REST API (/api/2.0/mlflow/...) over Node's fetch: the
// requests the sync makes, MLflow's ways of authenticating, and errors that say what went wrong.
import { RunRewindError } from '../errors';

/** How the MLflow client authenticates (mlflow/utils/rest_utils.py): basic auth wins over a token. */
export interface MlflowAuth {
  /** MLFLOW_TRACKING_TOKEN: sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD: sent as basic auth. */
  readonly username?: string;
  readonly password?: string;
}

/** The auth MLflow's own client would use in this environment. */
export function authFromEnvironment(env: NodeJS.ProcessEnv = process.env): MlflowAuth {
  return { token: env.MLFLOW_TRACKING_TOKEN || undefined, username: env.MLFLOW_TRACKING_USERNAME || undefined, password: env.MLFLOW_TRACKING_PASSWORD || undefined };
}

/** MLflow's wire form of a metric; `value` is "NaN", "Infinity" or "-Infinity" for non-finite numbers (protobuf JSON). */
export interface WireMetric {
  readonly key: string;
  readonly value: number | string;
  readonly timestamp: number;
  readonly step: number;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface MlflowRunInfo {
  readonly run_id: string;
  readonly experiment_id: string;
  readonly run_name?: string;
  readonly status?: string;
  readonly start_time?: number;
  readonly end_time?: number;
  readonly lifecycle_stage?: string;
  /** Where the server keeps the run's files: `mlflow-artifacts:/<experiment>/<run>/artifacts` when it proxies them. */
  readonly artifact_uri?: string;
}

/** A request body fetch takes (Node's lib has no DOM BodyInit). */
export type UploadBody = NonNullable<RequestInit['body']>;

/** One entry of artifacts/list: a file with its size, or a folder. */
export interface MlflowFileInfo {
  readonly path: string;
  readonly is_dir?: boolean;
  readonly file_size?: number | string;
}

export interface MlflowRun {
  readonly info: MlflowRunInfo;
  readonly data: { readonly metrics?: readonly WireMetric[]; readonly params?: readonly KeyValue[]; readonly tags?: readonly KeyValue[] };
}

export interface MlflowExperiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly lifecycle_stage?: string;
}

/** An answer of the server that is not a success, with MLflow's error code when it gave one. */
export class MlflowHttpError extends RunRewindError {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super('bad-argument', message);
  }
}

/** The tracking URI as an http(s) base without a trailing slash; anything else is refused, saying why. */
export function parseTrackingUri(uri: string): string {
  const text = uri.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RunRewindError('bad-argument', `the MLflow tracking URI ${JSON.stringify(uri)} is not a URL: give the server's address, e.g. http://127.0.0.1:5000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const hint = url.protocol === 'databricks:' ? ' (Databricks workspaces are not supported)' : url.protocol === 'file:' || url.protocol === 'sqlite:' ? ' (a local store is not a tracking server; start `mlflow server` on it)' : '';
    throw new RunRewindError('bad-argument', `the MLflow tracking URI ${JSON.stringify(uri)} is not an http:// or https:// address of a tracking server${hint}`);
  }
  if (url.search || url.hash) throw new RunRewindError('bad-argument', `the MLflow tracking URI ${JSON.stringify(uri)} has a query or fragment; give the server's base address`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Errors worth trying again: the request may not have reached the server, or the server was busy. */
function retriable(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

export class MlflowRest {
  /** The server's address without credentials. */
  readonly base: string;
  /** Requests sent (the benchmark and the tests count them). */
  requests = 0;
  private readonly headers: Record<string, string>;

  constructor(
    uri: string,
    auth: MlflowAuth = {},
    private readonly signal?: AbortSignal,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = parseTrackingUri(uri);
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (auth.username && auth.password) this.headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    else if (auth.token) this.headers.authorization = `Bearer ${auth.token}`;
    else {
      // The URI may carry user:password, as MLflow's client accepts; parseTrackingUri leaves them out of base.
      const url = new URL(uri.trim());
      if (url.username) {
        this.headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      }
    }
  }

  getExperimentByName(name: string): Promise<{ experiment: MlflowExperiment } | undefined> {
    return this.call<{ experiment: MlflowExperiment }>('GET', 'experiments/get-by-name', { experiment_name: name }, { notFound: true });
  }

  async createExperiment(name: string): Promise<string> {
    return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name }, { retry: false }))!.experiment_id;
  }

  async createRun(body: { experiment_id: string; start_time: number; run_name: string; tags: readonly KeyValue[] }): Promise<MlflowRun> {
    // Not retried: a create whose answer was lost may have made the run; the sync looks for it by tag.
    return (await this.call<{ run: MlflowRun }>('POST', 'runs/create', body, { retry: false }))!.run;
  }

  async getRun(runId: string): Promise<MlflowRun | undefined> {
    return (await this.call<{ run: MlflowRun }>('GET', 'runs/get', { run_id: runId }, { notFound: true }))?.run;
  }

  /** Active runs of an experiment whose tag `key` is `value` (at most a few: one per synced version). */
  async searchByTag(experimentId: string, key: string, value: string): Promise<MlflowRun[]> {
    const filter = `tags.\`${key}\` = '${value.replace(/'/g, "\\'")}'`;
    return (await this.call<{ runs?: MlflowRun[] }>('POST', 'runs/search', { experiment_ids: [experimentId], filter, run_view_type: 'ACTIVE_ONLY', max_results: 100 }))?.runs ?? [];
  }

  /**
   * One runs/log-batch. Never retried here: a batch whose answer was lost may have been stored, so the
   * caller asks the server what it has before sending again.
   */
  async logBatch(runId: string, metrics: readonly WireMetric[], params: readonly KeyValue[], tags: readonly KeyValue[]): Promise<void> {
    await this.call('POST', 'runs/log-batch', { run_id: runId, metrics, params, tags }, { retry: false });
  }

  async updateRun(body: { run_id: string; status?: string; end_time?: number; run_name?: string }): Promise<void> {
    await this.call('POST', 'runs/update', body);
  }

  async metricHistory(runId: string, key: string): Promise<WireMetric[]> {
    const out: WireMetric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ metrics?: WireMetric[]; next_page_token?: string }>('GET', 'metrics/get-history', { run_id: runId, metric_key: key, max_results: '25000', ...(pageToken ? { page_token: pageToken } : {}) });
      out.push(...(page?.metrics ?? []));
      pageToken = page?.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /** Every experiment the server lists as active, page by page. */
  async searchExperiments(): Promise<MlflowExperiment[]> {
    const out: MlflowExperiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ experiments?: MlflowExperiment[]; next_page_token?: string }>('POST', 'experiments/search', { max_results: 1000, view_type: 'ACTIVE_ONLY', ...(pageToken ? { page_token: pageToken } : {}) });
      out.push(...(page?.experiments ?? []));
      pageToken = page?.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /** Every active run of the experiments, page by page, each with its newest value of every metric, its params and tags. */
  async searchRuns(experimentIds: readonly string[]): Promise<MlflowRun[]> {
    const out: MlflowRun[] = [];
    // MLflow caps the experiments of one search; 100 at a time stays well within every server's limits.
    for (let i = 0; i < experimentIds.length; i += 100) {
      let pageToken: string | undefined;
      do {
        const page = await this.call<{ runs?: MlflowRun[]; next_page_token?: string }>('POST', 'runs/search', { experiment_ids: experimentIds.slice(i, i + 100), run_view_type: 'ACTIVE_ONLY', max_results: 1000, ...(pageToken ? { page_token: pageToken } : {}) });
        out.push(...(page?.runs ?? []));
        pageToken = page?.next_page_token || undefined;
      } while (pageToken);
    }
    return out;
  }

  /**
   * Up to `maxResults` points of one key with steps from `startStep` to `endStep` (both included):
   * metrics/get-history-bulk-interval. MLflow samples the range when it holds more points than that,
   * so a caller that needs every point asks for a narrower range when the answer is full.
   */
  async metricInterval(runId: string, key: string, startStep: number, endStep: number, maxResults: number): Promise<WireMetric[]> {
    const page = await this.call<{ metrics?: WireMetric[] }>('GET', 'metrics/get-history-bulk-interval', { run_ids: runId, metric_key: key, start_step: String(startStep), end_step: String(endStep), max_results: String(maxResults) });
    return page?.metrics ?? [];
  }

  /** The files and folders directly in `dir` of a run's artifacts (the root when empty); none when it has no such folder. */
  async listArtifacts(runId: string, dir: string): Promise<MlflowFileInfo[]> {
    const out: MlflowFileInfo[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ files?: MlflowFileInfo[]; next_page_token?: string }>('GET', 'artifacts/list', { run_id: runId, ...(dir ? { path: dir } : {}), ...(pageToken ? { page_token: pageToken } : {}) });
      out.push(...(page?.files ?? []));
      pageToken = page?.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /**
   * Uploads one file: PUT `url` (the artifact proxy's path of the file). A PUT replaces what was there,
   * so it is tried again (with a fresh body from `body`) on network errors and 429/502/503/504; `what`
   * names the file in the error.
   */
  async putArtifact(url: string, body: () => { body: UploadBody; stream: boolean }, what: string): Promise<void> {
    const headers = { ...this.headers, 'content-type': 'application/octet-stream' };
    for (let attempt = 1; ; attempt++) {
      this.signal?.throwIfAborted();
      let response: Response;
      try {
        this.requests++;
        const made = body();
        response = await this.fetchImpl(url, { method: 'PUT', headers, body: made.body, signal: this.signal, ...(made.stream ? { duplex: 'half' } : {}) } as RequestInit);
      } catch (error) {
        if (this.signal?.aborted) throw error;
        if (attempt < 4) {
          await delay(250 * 2 ** attempt);
          continue;
        }
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new RunRewindError('io', `could not upload ${what} to the MLflow server at ${this.base} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
      }
      const text = await response.text();
      if (response.ok) return;
      if (retriable(response.status) && attempt < 4 && !/serve-artifacts/.test(text)) {
        await delay(250 * 2 ** attempt);
        continue;
      }
      const { errorCode, message } = errorOf(text);
      if (/serve-artifacts/.test(text) || (response.status === 404 && errorCode === undefined)) {
        // Not worth asking again: the server was started without its artifact proxy.
        throw new RunRewindError('bad-argument', `the MLflow server ${this.base} refused the upload of ${what}: ${response.status} ${response.statusText}: ${message} (it does not serve artifacts: start it with \`mlflow server --serve-artifacts --artifacts-destination DIR\`, or sync without files: --max-upload-mb 0)`);
      }
      const hint = response.status === 401 || response.status === 403 ? ' (the server wants credentials: set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)' : '';
      throw new MlflowHttpError(response.status, errorCode, `the MLflow server ${this.base} refused the upload of ${what}: ${response.status} ${response.statusText}: ${message}${hint}`);
    }
  }

  /**
   * One request. GETs and idempotent POSTs are tried up to 4 times on network errors and 429/502/503/504;
   * `notFound` turns MLflow's RESOURCE_DOES_NOT_EXIST into undefined.
   */
  private async call<T>(method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown>, options: { notFound?: boolean; retry?: boolean } = {}): Promise<T | undefined> {
    const tries = options.retry === false ? 1 : 4;
    let url = `${this.base}/api/2.0/mlflow/${endpoint}`;
    if (method === 'GET') url += `?${new URLSearchParams(body as Record<string, string>).toString()}`;
    for (let attempt = 1; ; attempt++) {
      this.signal?.throwIfAborted();
      let response: Response;
      try {
        this.requests++;
        response = await this.fetchImpl(url, { method, headers: this.headers, body: method === 'POST' ? JSON.stringify(body) : undefined, signal: this.signal });
      } catch (error) {
        if (this.signal?.aborted) throw error;
        if (attempt < tries) {
          await delay(250 * 2 ** attempt);
          continue;
        }
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new RunRewindError('io', `could not reach the MLflow server at ${this.base} (${why}); is \`mlflow server\` running there?`);
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return (text === '' ? {} : JSON.parse(text)) as T;
        } catch {
          throw new MlflowHttpError(response.status, undefined, `${this.base} answered ${method} ${endpoint} with something that is not JSON (${shorten(text)}); is it an MLflow tracking server?`);
        }
      }
      const { errorCode, message } = errorOf(text);
      if (options.notFound && response.status === 404 && errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      if (retriable(response.status) && attempt < tries) {
        await delay(250 * 2 ** attempt);
        continue;
      }
      const hint = response.status === 401 || response.status === 403
        ? ' (the server wants credentials: set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)'
        : response.status === 404 && errorCode === undefined ? ' (no MLflow REST API at this address: check the tracking URI)' : '';
      throw new MlflowHttpError(response.status, errorCode, `the MLflow server ${this.base} answered ${response.status} ${response.statusText} to ${method} ${endpoint}: ${message}${hint}`);
    }
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 400)}…` : flat;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An MLflow error answer's code and message (`error_code: message`), or the text shortened when it is not JSON (a proxy's HTML page). */
function errorOf(text: string): { errorCode: string | undefined; message: string } {
  try {
    const parsed = JSON.parse(text) as { error_code?: string; message?: string };
    return { errorCode: parsed.error_code, message: parsed.message ? `${parsed.error_code ?? 'error'}: ${shorten(parsed.message)}` : shorten(text) };
  } catch {
    return { errorCode: undefined, message: shorten(text) };
  }
}
