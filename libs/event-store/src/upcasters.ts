/** The stored shape of an event, as an upcaster sees it. */
export interface StoredShape {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
}

/** Turns one schema version of an event type into the next. Must return a higher schemaVersion. */
export type Upcaster = (event: StoredShape) => StoredShape;

/**
 * Events are upcast when read; stored events are never rewritten (EU GMP Annex 11 §9: the record
 * is not changed after the fact). Upcasters chain, so v1 → v2 → v3 happens in one read.
 */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Upcaster>();

  register(type: string, fromSchemaVersion: number, upcaster: Upcaster): this {
    const key = `${type}@${fromSchemaVersion}`;
    if (this.upcasters.has(key)) throw new Error(`An upcaster for ${key} is already registered.`);
    this.upcasters.set(key, upcaster);
    return this;
  }

  /** Stored types that reading may turn into another type: a read filtered by type must fetch these too. */
  typesUpcast(): string[] {
    return [...new Set([...this.upcasters.keys()].map((key) => key.slice(0, key.lastIndexOf('@'))))];
  }

  upcast(event: StoredShape): StoredShape {
    let current = event;
    for (let step = 0; step < 1000; step++) {
      const upcaster = this.upcasters.get(`${current.type}@${current.schemaVersion}`);
      if (!upcaster) return current;
      const next = upcaster(current);
      if (next.type === current.type && next.schemaVersion <= current.schemaVersion) {
        throw new Error(`The upcaster for ${current.type}@${current.schemaVersion} did not raise the schema version.`);
      }
      current = next;
    }
    throw new Error(`Upcasting ${event.type}@${event.schemaVersion} did not terminate.`);
  }
}
