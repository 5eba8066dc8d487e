// YAML as the Python tools write it (PyYAML's `yaml.dump`, not only `safe_dump`): Lightning's hparams.yaml
// and MLflow's meta.yaml. js-yaml reads the YAML; PyYAML's `!!python/...` tags (tuples, Namespaces,
// objects) are read as the plain sequence, mapping or scalar under them instead of refusing the file.
import * as yaml from 'js-yaml';

const PYTHON_TAG = 'tag:yaml.org,2002:python/';

const SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(PYTHON_TAG, { kind, multi: true, construct: (data: unknown) => data ?? null })),
);

/** The document's value; throws an Error naming the line when it is not YAML. */
export function parseYaml(text: string, file: string): unknown {
  try {
    return yaml.load(text, { schema: SCHEMA, filename: file, json: true });
  } catch (error) {
    throw new Error((error as Error).message.split('\n')[0]);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
