import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { RecordedEvent } from '@bedside/event-store';
import { ProjectionEngine } from '../projection-engine';

interface PubSubLike {
  publish(event: { topic: string; payload: unknown }): Promise<void> | void;
}

interface Feed {
  readonly projections: ReadonlySet<string>;
  readonly topic: string;
  readonly toPayloads: (events: readonly RecordedEvent[], projection: string) => Promise<readonly unknown[]>;
}

/**
 * GraphQL subscriptions driven from the durable projections (issue 5 §3): when a projection commits a
 * batch, each feed listening to it turns the batch into payloads and publishes them on its topic, so a
 * subscriber is told only what the read model already shows. A new subscription is a feed (a topic and
 * a mapping from events to payloads) plus a @Subscription resolver on that topic.
 */
@Injectable()
export class LiveUpdates implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveUpdates');
  private readonly feeds: Feed[] = [];
  private pubsub: PubSubLike | null = null;
  private stop: (() => void) | null = null;
  /** Batches are published one after another, in the order they were committed. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  feed(projections: readonly string[], topic: string, toPayloads: Feed['toPayloads']): void {
    this.feeds.push({ projections: new Set(projections), topic, toPayloads });
  }

  onApplicationBootstrap(): void {
    // Mercurius keeps its pubsub on the Fastify instance when subscriptions are on (not in one-off commands).
    this.pubsub = (this.adapterHost.httpAdapter?.getInstance() as { graphql?: { pubsub?: PubSubLike } } | undefined)?.graphql?.pubsub ?? null;
    if (!this.pubsub) return;
    this.stop = this.engine.onApplied(({ projection, events }) => {
      this.queue = this.queue.then(() => this.publish(projection, events));
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  /** Publishes on a topic outside a batch (a feed that coalesces its work publishes when it is done). */
  async publishNow(topic: string, payload: unknown): Promise<void> {
    await this.pubsub?.publish({ topic, payload });
  }

  private async publish(projection: string, events: readonly RecordedEvent[]): Promise<void> {
    for (const feed of this.feeds) {
      if (!feed.projections.has(projection)) continue;
      try {
        for (const payload of await feed.toPayloads(events, projection)) await this.pubsub!.publish({ topic: feed.topic, payload });
      } catch (error) {
        // A subscriber missing one update is better than a projection stalling: the read model stays right.
        this.logger.error(`could not publish ${feed.topic} after a ${projection} batch: ${(error as Error).message}`);
      }
    }
  }
}
