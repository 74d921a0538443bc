import { describe, expect, it } from 'vitest';
import { buildSchemaTree, type SchemaNode } from '../../src/lib/docs/schema-tree.ts';
import { RESPONSE_TREE } from '../../src/lib/docs/operation-view.ts';
import { exampleFromSchema } from '../../src/lib/docs/example.ts';

const doc = {
  openapi: '3.1.0',
  components: {
    schemas: {
      ItemBase: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' }, weightKg: { type: 'number', exclusiveMinimum: 0 } } },
      Parcel: { allOf: [{ $ref: '#/components/schemas/ItemBase' }, { type: 'object', properties: { kind: { const: 'parcel' }, weightKg: { maximum: 31.5 } } }] },
      Pallet: { allOf: [{ $ref: '#/components/schemas/ItemBase' }, { type: 'object', properties: { kind: { const: 'pallet' }, stackable: { type: 'boolean', default: true } } }] },
      Item: {
        oneOf: [{ $ref: '#/components/schemas/Parcel' }, { $ref: '#/components/schemas/Pallet' }],
        discriminator: { propertyName: 'kind', mapping: { parcel: '#/components/schemas/Parcel', pallet: '#/components/schemas/Pallet' } },
      },
      Category: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 40 }, children: { type: 'array', items: { $ref: '#/components/schemas/Category' } } } },
      Id: { type: 'string', format: 'uuid', pattern: '^[0-9a-f-]+$' },
    },
  },
};

describe('schema trees', () => {
  it('shows a discriminated oneOf with its mapping and each variant', () => {
    const tree = buildSchemaTree(doc, { $ref: '#/components/schemas/Item' });
    expect(tree.ref).toBe('Item');
    expect(tree.variants?.kind).toBe('oneOf');
    expect(tree.variants?.discriminator).toEqual({
      propertyName: 'kind',
      mapping: [
        { value: 'parcel', schema: 'Parcel' },
        { value: 'pallet', schema: 'Pallet' },
      ],
    });
    expect(tree.variants?.options.map((o) => o.ref)).toEqual(['Parcel', 'Pallet']);
  });

  it('merges allOf parts into one property list, keeping both parts of a refined property', () => {
    const tree = buildSchemaTree(doc, { $ref: '#/components/schemas/Parcel' });
    expect(tree.allOf).toEqual(['ItemBase']);
    const weight = tree.children?.find((c) => c.name === 'weightKg');
    expect(weight?.type).toBe('number');
    expect(weight?.constraints).toEqual(['> 0', '≤ 31.5']);
    expect(tree.children?.find((c) => c.name === 'kind')?.required).toBe(true);
  });

  it('stops at recursion and says so', () => {
    const tree = buildSchemaTree(doc, { $ref: '#/components/schemas/Category' });
    const children = tree.children?.find((c) => c.name === 'children');
    expect(children?.type).toBe('array of Category');
    expect(children?.recursive).toBe(true);
    expect(tree.children?.find((c) => c.name === 'name')?.constraints).toEqual(['1 to 40 characters']);
  });

  it('collapses deep references past the node budget instead of growing without end', () => {
    const tree = buildSchemaTree(doc, { $ref: '#/components/schemas/Item' }, { maxNodes: 1 });
    expect(tree.variants?.options.every((o) => o.collapsed)).toBe(true);
  });

  it("keeps a response's tree within its smaller budget, inline schemas included (issue 18)", () => {
    // An inline object of 40 properties, each an inline object of 10: 441 nodes unbounded.
    const inner = { type: 'object', properties: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`o${i}`, inner])) };
    const count = (n: SchemaNode): number => 1 + (n.children ?? []).reduce((sum, c) => sum + count(c), 0);
    expect(count(buildSchemaTree(doc, wide))).toBe(441);
    const bounded = buildSchemaTree(doc, wide, RESPONSE_TREE);
    expect(count(bounded)).toBeLessThanOrEqual(RESPONSE_TREE.maxTotalNodes! + 40);
    expect(bounded.children).toHaveLength(40);
    expect(bounded.children!.at(-1)!.collapsed).toBe(true);
  });

  it('names formats and nullable types', () => {
    expect(buildSchemaTree(doc, { $ref: '#/components/schemas/Id' }).type).toBe('string<uuid>');
    expect(buildSchemaTree(doc, { type: ['string', 'null'] }).type).toBe('string | null');
  });
});

describe('generated examples', () => {
  it('makes an example from types, formats, defaults and the first variant', () => {
    expect(exampleFromSchema(doc, { $ref: '#/components/schemas/Item' })).toEqual({ kind: 'parcel', weightKg: 0 });
    expect(exampleFromSchema(doc, { $ref: '#/components/schemas/Pallet' })).toEqual({ kind: 'pallet', weightKg: 0, stackable: true });
    expect(exampleFromSchema(doc, { $ref: '#/components/schemas/Id' })).toBe('3fa85f64-5717-4562-b3fc-2c963f66afa6');
  });

  it('terminates on recursive schemas', () => {
    expect(exampleFromSchema(doc, { $ref: '#/components/schemas/Category' })).toEqual({ name: 'string', children: [] });
  });
});
