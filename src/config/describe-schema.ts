/**
 * Plain-words descriptions of what a zod schema expects, for configuration errors
 * ('expected a whole number above 0'). Reads zod 4's public `_zod.def` structure.
 */
import type { z } from 'zod';

interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly minimum?: number;
}
interface Def {
  readonly type: string;
  readonly shape?: Readonly<Record<string, SchemaNode>>;
  readonly innerType?: SchemaNode;
  readonly element?: SchemaNode;
  readonly valueType?: SchemaNode;
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
}
export interface SchemaNode {
  readonly _zod: { readonly def: Def };
}

export function asNode(schema: z.ZodType): SchemaNode {
  return schema as unknown as SchemaNode;
}

/** Strip defaults, prefaults and optional wrappers. */
function unwrap(node: SchemaNode): SchemaNode {
  let n = node;
  for (;;) {
    const d = n._zod.def;
    if ((d.type === 'default' || d.type === 'prefault' || d.type === 'optional') && d.innerType) n = d.innerType;
    else return n;
  }
}

/** The schema at a key path, or undefined when the path leaves the schema. */
export function schemaAt(root: SchemaNode, path: readonly PropertyKey[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const key of path) {
    if (!node) return undefined;
    const d: Def = unwrap(node)._zod.def;
    if (d.type === 'object') node = d.shape?.[String(key)];
    else if (d.type === 'array') node = d.element;
    else if (d.type === 'record') node = d.valueType;
    else if (d.type === 'nullable') node = d.innerType ? schemaAt(d.innerType, [key]) : undefined;
    else return undefined;
  }
  return node;
}

/** The keys a mapping accepts (for 'did you mean'), or []. */
export function knownKeys(node: SchemaNode | undefined): string[] {
  if (!node) return [];
  const d = unwrap(node)._zod.def;
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

/** What a value at this schema must be, in plain words: 'a whole number above 0', 'one of reject, quarantine, monitor'. */
export function describeExpected(node: SchemaNode): string {
  const d = unwrap(node)._zod.def;
  const checks = (d.checks ?? []).map((c) => c._zod.def);
  switch (d.type) {
    case 'object':
      return 'a mapping';
    case 'record':
      return 'a mapping of names to values';
    case 'array': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum;
      const of = d.element ? listOf(d.element) : '';
      return min ? `a list of at least ${min} ${of || 'entries'}` : `a list${of ? ` of ${of}` : ''}`;
    }
    case 'string': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum;
      return min ? 'non-empty text' : 'text';
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'nullable':
      return d.innerType ? `${describeExpected(d.innerType)} or null` : 'a value or null';
    case 'number': {
      const whole = checks.some((c) => c.check === 'number_format' && /int/.test(c.format ?? ''));
      const gt = checks.find((c) => c.check === 'greater_than');
      const base = whole ? 'a whole number' : 'a number';
      if (!gt || gt.value === undefined) return base;
      return gt.inclusive ? `${base} of ${gt.value} or more` : `${base} above ${gt.value}`;
    }
    default:
      return d.type;
  }
}

function listOf(element: SchemaNode): string {
  const t = unwrap(element)._zod.def.type;
  if (t === 'string') return 'text values';
  if (t === 'object') return 'mappings';
  if (t === 'number') return 'numbers';
  return '';
}
