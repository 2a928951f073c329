import { eventClass, ConflictError, NotFoundError, optionalReason, ValidationError, type ElectronicSignature, type Evolver } from '@bedside/shared';
import { checkProcessCanBePlanned, normaliseProductCode, validateProductProcess, type ProductProcess } from './product-process';

/**
 * Which sites and modular units may make the product. Manufacture is allowed only at sites and
 * units a DMMF lists (HMR 2012 regs 17A/17B as amended by SI 2025/87).
 */
export interface Designation {
  readonly siteCodes: readonly string[];
  readonly unitIds: readonly string[];
}

export interface DmmfVersionPublishedData {
  readonly productCode: string;
  readonly version: number;
  readonly process: ProductProcess;
  readonly designation: Designation;
  readonly reason: string;
  /** The publishing QA lead's signature, meaning approved (issue 14 §2); absent on versions published before signatures. */
  readonly signature?: ElectronicSignature;
}

export class DmmfVersionPublished extends eventClass<'DmmfVersionPublished', DmmfVersionPublishedData>('DmmfVersionPublished') {}

export type DmmfEvent = DmmfVersionPublished;

export const dmmfStreamId = (productCode: string) => `dmmf-${productCode}`;

/** A Decentralised Manufacturing Master File: versions are never rewritten; plans keep pointing at theirs. */
export interface DmmfState {
  readonly productCode: string;
  readonly latestVersion: number;
}

export const dmmfEvolver: Evolver<DmmfState | undefined, DmmfEvent> = {
  initialState: undefined,
  evolve: (_state, event) => ({ productCode: event.data.productCode, latestVersion: event.data.version }),
};

/** What the application layer found about each site and unit a designation names. */
export interface DesignationTarget {
  readonly id: string;
  readonly kind: 'site' | 'unit';
  /** `undefined` when nothing with that id is registered. */
  readonly status: string | undefined;
  /** Units: whether it manufactures cell therapy (fill-finish units cannot make a CAR-T). */
  readonly unitKind?: string;
}

export interface PublishDmmfVersion {
  readonly process: ProductProcess;
  readonly designation: Designation;
  readonly reason: string;
  /** Optimistic check: the version the publisher last saw (0 for a new product), to avoid silently superseding a colleague's. */
  readonly basedOnVersion?: number | null;
}

/**
 * HMR regs 17A/17B (docs/domain.md "Rules that come from regulation"): a product is made only on a unit
 * its DMMF designates, or on a unit standing at a site it designates on the day. A mobile unit takes no
 * designation with it: at a site not designated, only its own listing lets it make the product.
 * `siteCode` is where the unit stands that day (`siteOn`), undefined when that is not known.
 */
export function designatesUnitAt(designation: { readonly unitIds: Iterable<string>; readonly siteCodes: Iterable<string> }, unitId: string, siteCode: string | undefined): boolean {
  const has = (ids: Iterable<string>, id: string) => (ids instanceof Set ? ids.has(id) : [...ids].includes(id));
  return has(designation.unitIds, unitId) || (siteCode !== undefined && has(designation.siteCodes, siteCode));
}

export function normaliseDesignation(designation: Designation): Designation {
  const unique = (ids: readonly string[]) => [...new Set(ids.map((id) => id.trim().toUpperCase()))].sort();
  return { siteCodes: unique(designation.siteCodes), unitIds: unique(designation.unitIds) };
}

export function publishDmmfVersion(state: DmmfState | undefined, command: PublishDmmfVersion, targets: readonly DesignationTarget[], signature: ElectronicSignature): DmmfVersionPublished[] {
  const process = validateProductProcess(command.process);
  const reason = optionalReason(command.reason);
  if (!reason) throw new ValidationError('reason', 'Every DMMF version needs a reason (what changed and why).');
  const designation = normaliseDesignation(command.designation);
  if (designation.siteCodes.length + designation.unitIds.length === 0) {
    throw new ValidationError('designation', 'Designate at least one site or modular unit where the product may be made.');
  }
  for (const target of targets) {
    if (target.status === undefined) {
      throw new NotFoundError(target.kind === 'site' ? 'site' : 'modular unit', target.id, 'A designation can only name registered sites and units.');
    }
    if (target.status === 'CEASED') {
      throw new ValidationError('designation', `${target.kind === 'site' ? 'Site' : 'Unit'} ${target.id} has ceased and cannot be designated.`);
    }
    if (target.kind === 'unit' && target.unitKind && target.unitKind !== 'CELL_THERAPY' && process.startingMaterial) {
      // Cell-therapy products are made on cell-therapy units; fill-finish units are for vaccines.
      throw new ValidationError('designation', `Unit ${target.id} is a ${target.unitKind.toLowerCase().replace('_', '-')} unit and cannot make ${process.productCode}.`);
    }
  }
  // After what the designation names (a ceased or unknown site is the first thing to put right).
  checkProcessCanBePlanned(process);
  const current = state?.latestVersion ?? 0;
  if (command.basedOnVersion !== null && command.basedOnVersion !== undefined && command.basedOnVersion !== current) {
    throw new ConflictError(
      `DMMF ${process.productCode} is at version ${current}, not ${command.basedOnVersion}: someone published since you loaded it. Review version ${current} and publish again.`,
      { productCode: process.productCode, latestVersion: current },
    );
  }
  return [new DmmfVersionPublished({ productCode: process.productCode, version: current + 1, process, designation, reason, signature })];
}

export { normaliseProductCode };
