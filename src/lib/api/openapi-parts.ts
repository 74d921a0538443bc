/** Building blocks the parts of Portico's own OpenAPI document share. */
export const problem = { $ref: '#/components/responses/Problem' };
export const json = (schema: object) => ({ 'application/json': { schema } });
export const body = (schema: object) => ({ required: true, content: json(schema) });
export const ok = (description: string, schema?: object) => (schema ? { description, content: json(schema) } : { description });
export const signedIn = [{ session: [] }, { accessToken: [] }];
