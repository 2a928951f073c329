import type { Projection } from './projection';

/** Every projection of the application; bounded-context modules register theirs when they start. */
export class ProjectionRegistry {
  private readonly projections = new Map<string, Projection>();

  register(projection: Projection): void {
    if (this.projections.has(projection.name)) throw new Error(`Two projections are named "${projection.name}".`);
    this.projections.set(projection.name, projection);
  }

  all(): Projection[] {
    return [...this.projections.values()];
  }

  get(name: string): Projection | undefined {
    return this.projections.get(name);
  }

  names(): string[] {
    return [...this.projections.keys()];
  }
}
