import { describe, expect, it } from 'vitest';
import { followLocalRef, MAX_REF_HOPS, resolveLocalRef } from '../../src/lib/catalog/local-ref.ts';

const pet = { type: 'object', properties: { name: { type: 'string' } } };

describe('the local $ref resolver', () => {
  it('follows a chain of $refs to the definition at its end', () => {
    const doc = {
      components: {
        schemas: { Pet: pet, Animal: { $ref: '#/components/schemas/Pet' }, 'a/b~c': { $ref: '#/components/schemas/Animal' } },
        parameters: { list: [{ name: 'first' }, { name: 'second' }] },
      },
    };
    expect(resolveLocalRef(doc, { $ref: '#/components/schemas/Animal' })).toBe(pet);
    expect(followLocalRef(doc, { $ref: '#/components/schemas/a~1b~0c' })).toEqual({ kind: 'value', value: pet });
    expect(resolveLocalRef(doc, { $ref: '#/components/parameters/list/1' })).toEqual({ name: 'second' });
    expect(resolveLocalRef(doc, { $ref: '#/components/schemas/a%2Fb~0c' })).toBe(pet);
  });

  it('returns what is not a local $ref as it is', () => {
    const doc = { components: {} };
    expect(resolveLocalRef(doc, pet)).toBe(pet);
    expect(resolveLocalRef(doc, 'text')).toBe('text');
    expect(resolveLocalRef(doc, undefined)).toBeUndefined();
    const external = { $ref: 'common.yaml#/components/schemas/Pet' };
    expect(resolveLocalRef(doc, external)).toBe(external);
    expect(followLocalRef(doc, external)).toEqual({ kind: 'not-local', ref: 'common.yaml#/components/schemas/Pet' });
  });

  it('says which $refs make a cycle instead of looping', () => {
    const doc = { components: { schemas: { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' }, Self: { $ref: '#/components/schemas/Self' } } } };
    expect(followLocalRef(doc, { $ref: '#/components/schemas/A' })).toEqual({
      kind: 'broken',
      message: 'the $refs `#/components/schemas/A` -> `#/components/schemas/B` -> `#/components/schemas/A` lead into each other and never reach a definition',
    });
    expect(followLocalRef(doc, { $ref: '#/components/schemas/Self' })).toMatchObject({
      kind: 'broken',
      message: expect.stringContaining('`#/components/schemas/Self` -> `#/components/schemas/Self`'),
    });
    expect(resolveLocalRef(doc, { $ref: '#/components/schemas/A' })).toBeUndefined();
  });

  it('says where a missing target was looked for', () => {
    const doc = { components: { schemas: { Pet: pet, Alias: { $ref: '#/components/schemas/Gone' } } } };
    expect(followLocalRef(doc, { $ref: '#/components/schemas/Pets' })).toEqual({ kind: 'broken', message: '`#/components/schemas/Pets` points at nothing: `#/components/schemas` has no `Pets`' });
    expect(followLocalRef(doc, { $ref: '#/definitions/Pet' })).toEqual({ kind: 'broken', message: '`#/definitions/Pet` points at nothing: the document has no `definitions`' });
    expect(followLocalRef(doc, { $ref: '#/components/schemas/Alias' })).toMatchObject({ kind: 'broken', message: expect.stringContaining('has no `Gone`') });
    expect(followLocalRef(doc, { $ref: '#/components/schemas/Pet/type/length' })).toMatchObject({
      kind: 'broken',
      message: expect.stringContaining('`#/components/schemas/Pet/type` has no `length`'),
    });
    expect(followLocalRef(doc, { $ref: '#/constructor' })).toMatchObject({ kind: 'broken' });
    expect(followLocalRef(doc, { $ref: '#/components/%zz' })).toMatchObject({ kind: 'broken', message: expect.stringContaining('cannot be decoded') });
    expect(resolveLocalRef(doc, { $ref: '#/components/schemas/Pets' })).toBeUndefined();
  });

  it(`follows ${MAX_REF_HOPS} $refs in a row and stops after that, with a clear message`, () => {
    const chain = (length: number) => {
      const schemas: Record<string, unknown> = { End: pet };
      for (let i = 0; i < length; i++) schemas[`S${i}`] = { $ref: i === length - 1 ? '#/components/schemas/End' : `#/components/schemas/S${i + 1}` };
      return { components: { schemas } };
    };
    // A value that is itself a $ref, then MAX_REF_HOPS - 1 more: MAX_REF_HOPS hops in all.
    expect(resolveLocalRef(chain(MAX_REF_HOPS - 1), { $ref: '#/components/schemas/S0' })).toBe(pet);
    expect(followLocalRef(chain(MAX_REF_HOPS), { $ref: '#/components/schemas/S0' })).toEqual({
      kind: 'broken',
      message: `the chain of $refs from \`#/components/schemas/S0\` is longer than ${MAX_REF_HOPS}; point the $ref at the definition itself`,
    });
  });
});
