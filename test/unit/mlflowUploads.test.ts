// The pure parts of the MLflow sync's uploads: artifact paths MLflow's validate_path_is_safe takes, and
// where a run's artifact root is written (only through the server's artifact proxy).
import * as assert from 'node:assert/strict';
import { artifactPath, artifactProxyUrl } from '../../src/core/sync/mlflowUploads';

describe('MLflow sync: upload paths', () => {
  it('keeps media keys and file names as paths, with what the server refuses made `_`', () => {
    assert.equal(artifactPath('media', 'val/samples', '12_0'), 'media/val/samples/12_0');
    assert.equal(artifactPath('files', 'sub dir/ünï.txt'), 'files/sub dir/ünï.txt');
    assert.equal(artifactPath('files', '../../etc/passwd'), 'files/__/__/etc/passwd');
    assert.equal(artifactPath('media', 'a%2e?b#c', '0_0'), 'media/a_2e_b_c/0_0');
    assert.equal(artifactPath('media', '/lead//x/', '1_0'), 'media/_/lead/_/x/_/1_0');
    assert.equal(artifactPath('files', 'a\\b\u0007'), 'files/a_b_');
  });

  it('writes through the artifact proxy, and refuses a root the server does not serve, saying how to start it', () => {
    const base = 'http://127.0.0.1:5000';
    assert.equal(artifactProxyUrl(base, 'r1', 'mlflow-artifacts:/3/r1/artifacts'), `${base}/api/2.0/mlflow-artifacts/artifacts/3/r1/artifacts`);
    assert.equal(artifactProxyUrl(base, 'r1', 'mlflow-artifacts://other:5000/3/r1/artifacts/'), `${base}/api/2.0/mlflow-artifacts/artifacts/3/r1/artifacts`);
    assert.equal(artifactProxyUrl(base, 'r1', 'https://proxy.example/api/2.0/mlflow-artifacts/artifacts/3/r1/artifacts'), 'https://proxy.example/api/2.0/mlflow-artifacts/artifacts/3/r1/artifacts');
    for (const root of ['/srv/mlruns/3/r1/artifacts', 's3://bucket/3/r1/artifacts', undefined]) {
      assert.throws(() => artifactProxyUrl(base, 'r1', root), /keeps the artifacts of run r1 at .*which it does not serve.*mlflow server --serve-artifacts --artifacts-destination DIR.*--max-upload-mb 0/);
    }
  });
});
