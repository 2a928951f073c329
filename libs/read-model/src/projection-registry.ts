import type { AnyProjection } from './projection';

/** Every projection of the application; bounded-context modules register theirs when they start. */
export class ProjectionRegistry {
  private readonly projections = new Map<string, AnyProjection>();

  register(projection: AnyProjection): void {
    if (this.projections.has(projection.name)) throw new Error(`Two projections are named "${projection.name}".`);
    this.projections.set(projection.name, projection);
  }

  all(): AnyProjection[] {
    return [...this.projections.values()];
  }

  get(name: string): AnyProjection | undefined {
    return this.projections.get(name);
  }

  names(): string[] {
    return [...this.projections.keys()];
  }
}
