import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegionCode, SiteKind, SiteStatus } from '../domain';

/** The site directory read model: one row per registered site, as of the projection's checkpoint. */
@Entity({ name: 'sites' })
export class SiteRecord {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: SiteKind;

  @Column({ type: 'text' })
  status!: SiteStatus;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  @Column({ type: 'double precision' })
  latitude!: number;

  @Column({ type: 'double precision' })
  longitude!: number;

  /** Null for a site registered before regions were recorded, until one is set. */
  @Column({ type: 'text', nullable: true })
  region!: RegionCode | null;

  @Column({ name: 'trust_code', type: 'text', nullable: true })
  trustCode!: string | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz' })
  statusChangedAt!: Date;

  @Column({ name: 'status_changed_by', type: 'text' })
  statusChangedBy!: string;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'registered_by', type: 'text' })
  registeredBy!: string;

  /** Position of the last event applied from the site's stream. */
  @Column({ name: 'stream_version', type: 'integer' })
  streamVersion!: number;
}
