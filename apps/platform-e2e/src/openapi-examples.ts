interface SchemaObject {
  $ref?: string;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  example?: unknown;
  examples?: unknown;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: Body; responses?: Record<string, Body> }>>;
  components: { schemas: Record<string, SchemaObject> };
}

type Body = { content?: Record<string, { schema?: SchemaObject }> };

/**
 * The properties (`Schema.property`) of every schema that a JSON request or response of the
 * document uses, directly or nested, that carry no example — what a reader of the API
 * reference would have to guess.
 */
export function propertiesWithoutExample(doc: OpenApiDocument): string[] {
  const missing: string[] = [];
  const seen = new Set<string>();
  const visitRef = (ref: string) => {
    const name = ref.split('/').pop()!;
    if (seen.has(name)) return;
    seen.add(name);
    const schema = doc.components.schemas[name];
    for (const part of schema.allOf ?? []) visit(part);
    for (const [property, value] of Object.entries(schema.properties ?? {})) {
      if (!visit(value) && value.example === undefined && value.examples === undefined) missing.push(`${name}.${property}`);
    }
  };
  /** Follows references; resolves to whether `schema` was one (its own properties then checked). */
  const visit = (schema: SchemaObject): boolean => {
    if (schema.$ref) return (visitRef(schema.$ref), true);
    const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.items ? [schema.items] : [])];
    return parts.filter((part) => visit(part)).length > 0;
  };
  for (const operations of Object.values(doc.paths)) {
    for (const operation of Object.values(operations)) {
      const bodies = [operation.requestBody, ...Object.values(operation.responses ?? {})];
      for (const body of bodies) {
        const schema = body?.content?.['application/json']?.schema;
        if (schema) visit(schema);
      }
    }
  }
  return missing;
}
