/**
 * `GET /api/v1/openapi.json`: an OpenAPI 3.1 document generated from the route specs.
 * @module
 */
import { REST_ROUTES, SCHEMAS, type QueryParam, type RouteSpec } from './spec.js';

function querySchema(param: QueryParam): object {
  switch (param.type) {
    case 'boolean':
      return { type: 'boolean', default: param.default };
    case 'number':
      return { type: 'number', minimum: param.minimum, maximum: param.maximum, default: param.default };
    case 'enum':
      return { type: 'string', enum: [...param.values], default: param.default };
  }
}

function operation(route: RouteSpec): Record<string, unknown> {
  const parameters = [
    ...Object.entries(route.pathParams ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })),
    ...Object.entries(route.query ?? {}).map(([name, param]) => ({
      name,
      in: 'query',
      required: false,
      description: param.description,
      schema: querySchema(param),
    })),
  ];
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema !== undefined
          ? { content: { 'application/json': { schema: response.schema } } }
          : response.contentType !== undefined
            ? { content: { [response.contentType]: {} } }
            : {}),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body !== undefined
      ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(route.body).map(([type, schema]) => [type, { schema }])) } }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI document.
 * @param version the e2v version
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: { title: 'e2v REST API', version, description: 'Local speech emotion recognition with emotion2vec+' },
    paths,
    components: { schemas: SCHEMAS },
  };
}
