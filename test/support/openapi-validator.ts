import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives as the module object under Node's ESM loader.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: object;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  operation: Operation;
}

const DOC_ID = 'openapi';

/**
 * Checks HTTP exchanges against an OpenAPI 3.0 document: the route must exist, parameters and JSON bodies must match
 * their schemas (unknown query parameters are refused too), and so must responses. For loopback stand-ins of
 * servers that cannot run here, so the stand-in accepts nothing the real server would refuse.
 */
export class OpenApiValidator {
  readonly #ajv: Ajv;
  readonly #routes: Route[];
  readonly #compiled = new Map<string, ValidateFunction>();
  #ids = 0;

  constructor(documentPath: string) {
    const document = JSON.parse(readFileSync(documentPath, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
    // OpenAPI 3.0 schemas are not quite JSON Schema: `nullable`, `example` and Rust-style numeric formats.
    this.#ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false });
    addFormats(this.#ajv);
    for (const format of ['uint', 'uint8', 'uint16', 'uint32', 'uint64', 'usize']) {
      this.#ajv.addFormat(format, { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
    }
    for (const format of ['int32', 'int64']) this.#ajv.addFormat(format, { type: 'number', validate: (n: number) => Number.isInteger(n) });
    for (const format of ['float', 'double']) this.#ajv.addFormat(format, { type: 'number', validate: () => true });
    this.#ajv.addSchema(asJsonSchema(document) as object, DOC_ID);
    this.#routes = Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const names: string[] = [];
        const pattern = new RegExp(`^${template.replace(/\{([^}]+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
        return { method: method.toUpperCase(), template, pattern, names, operation };
      }),
    );
  }

  #validator(key: string, schema: object): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      // A schema holding `$ref: '#/components/...'` resolves against the document.
      validate = this.#ajv.compile({ $id: `${DOC_ID}-${++this.#ids}`, ...(asJsonSchema(rewriteRefs(schema)) as object) });
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /** The operation's path template, or a list of what is wrong with the request. */
  checkRequest(method: string, url: URL, body: unknown): { template: string; params: Record<string, string>; errors: string[] } {
    const route = this.#routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) return { template: '', params: {}, errors: [`no operation ${method} ${url.pathname} in the OpenAPI document`] };
    const errors: string[] = [];
    const match = route.pattern.exec(url.pathname) as RegExpExecArray;
    const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
    const declared = route.operation.parameters ?? [];
    for (const name of url.searchParams.keys()) {
      if (!declared.some((p) => p.in === 'query' && p.name === name)) errors.push(`unknown query parameter "${name}"`);
    }
    for (const parameter of declared.filter((p) => p.in === 'query' || p.in === 'path')) {
      const raw = parameter.in === 'path' ? params[parameter.name] : url.searchParams.get(parameter.name);
      if (raw === null || raw === undefined) {
        if (parameter.required) errors.push(`missing ${parameter.in} parameter "${parameter.name}"`);
        continue;
      }
      if (!parameter.schema) continue;
      const validate = this.#validator(`${route.method} ${route.template} param ${parameter.name}`, parameter.schema);
      if (!validate(coerce(raw, parameter.schema))) errors.push(`${parameter.in} parameter "${parameter.name}": ${this.#ajv.errorsText(validate.errors)}`);
    }
    const content = route.operation.requestBody?.content['application/json'];
    if (content) {
      if (body === undefined) {
        if (route.operation.requestBody?.required) errors.push('missing JSON body');
      } else {
        const validate = this.#validator(`${route.method} ${route.template} body`, content.schema);
        if (!validate(body)) errors.push(`body: ${this.#ajv.errorsText(validate.errors)}`);
      }
    } else if (body !== undefined) {
      errors.push('this operation takes no body');
    }
    return { template: route.template, params, errors };
  }

  /** What is wrong with a JSON response of `status` to the operation. */
  checkResponse(method: string, template: string, status: number, body: unknown): string[] {
    const route = this.#routes.find((r) => r.method === method && r.template === template);
    const schema = (route?.operation.responses[String(status)] ?? route?.operation.responses.default)?.content?.['application/json']?.schema;
    if (!schema) return [`no ${status} response declared for ${method} ${template}`];
    const validate = this.#validator(`${method} ${template} response ${status}`, schema);
    return validate(body) ? [] : [`response ${status}: ${this.#ajv.errorsText(validate.errors)}`];
  }
}

/** Query and path values arrive as text: a number or boolean where the schema asks for one. */
function coerce(raw: string, schema: object): unknown {
  const type = (schema as { type?: string }).type;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if ((type === 'integer' || type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `{nullable: true}` alone is null; with a `type`, null joins it;
 * beside anything else (`$ref`, `anyOf`), null becomes the other choice.
 */
function asJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asJsonSchema);
  if (typeof value !== 'object' || value === null) return value;
  const { nullable, ...rest } = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJsonSchema(v)])) as Record<string, unknown>;
  if (nullable !== true) return nullable === undefined ? rest : { ...rest, nullable };
  const keys = Object.keys(rest).filter((k) => !['description', 'default', 'example', 'title'].includes(k));
  if (keys.length === 0) return { ...rest, type: 'null' };
  if (typeof rest.type === 'string') return { ...rest, type: [rest.type, 'null'] };
  return { anyOf: [rest, { type: 'null' }] };
}

function rewriteRefs(value: object): object {
  return JSON.parse(JSON.stringify(value).replaceAll('"$ref":"#/', `"$ref":"${DOC_ID}#/`)) as object;
}
