import { addDays, localDateOf } from '@bedside/shared';
import { issueCoi } from '@bedside/pathways';
import { AS_SCHEDULER, startDemoApi, type Persona, type TestApi } from '../support/test-api';

/**
 * Issue 11 §5: what cannot be right is refused when it is entered, saying why and naming the field, and
 * nothing is recorded: a last dose in the future, a referring trust the network does not know, and a
 * DMMF version whose process could never produce a plan.
 */
const REFER = `mutation($input: ReferralInput!) { referPatient(input: $input) { coi earliestCollectionDate } }`;
const PUBLISH = `mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`;

const fresh = {
  productCode: 'POC-TEST',
  name: 'Fresh point-of-care CAR-T (test)',
  startingMaterial: 'FRESH',
  maxFreshHoldHours: 36,
  apheresisSessions: 1,
  apheresisHoursPerSession: 4,
  manufactureDays: 7,
  qcMethod: 'RAPID',
  qcReleaseDays: 0,
  shelfLifeHours: 6,
  conditioningRegimen: 'Fludarabine + cyclophosphamide',
  conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3,
  infusionWindowMaxDays: 3,
  conditioningGate: 'CONDITIONING_DURING_MANUFACTURE',
  reconditionAfterDays: 14,
  monitoringInpatientDays: 7,
  stayWithinReachDays: 28,
  stayWithinReachMinutes: 120,
  icuReserveProbability: 0.3,
};
const frozen = { ...fresh, startingMaterial: 'CRYOPRESERVED', maxFreshHoldHours: null, manufactureDays: 17, qcMethod: 'COMPENDIAL', qcReleaseDays: 14, shelfLifeHours: 8760, conditioningGate: 'RELEASE_BEFORE_CONDITIONING', infusionWindowMinDays: 2, infusionWindowMaxDays: 14 };

describe('refusing what cannot be right when it is entered', () => {
  let api: TestApi;
  let today: string;
  let sequence = 900_000;
  /** A Chain of Identity given with the referral, so the test can look for what was (not) recorded under it. */
  const newCoi = () => issueCoi('B0001', Number(today.slice(0, 4)), ++sequence);
  /** Events recorded on a stream: its audit trail answers NOT_FOUND while it has none. */
  const recorded = async (streamId: string) => {
    const result = await api.gql(`query($id: ID!) { auditTrail(streamId: $id) { edges { node { type } } } }`, { id: streamId });
    if (result.errors?.[0]?.extensions.code === 'NOT_FOUND') return 0;
    return (result.data!.auditTrail.edges as unknown[]).length;
  };
  const refer = (input: Record<string, unknown>, as: Persona = AS_SCHEDULER) =>
    api.gql(REFER, { input: { patientRef: 'VALID-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', priority: 'URGENT', washout: { drugClass: 'NONE' }, ...input } }, as);

  beforeAll(async () => {
    api = await startDemoApi();
    today = localDateOf(api.clock.now(), 'Europe/London');
  });
  afterAll(() => api.close());

  describe('referrals', () => {
    it('refuses a last dose after today (the clock’s day in UK time), and records nothing', async () => {
      const coi = newCoi();
      const result = await refer({ coi, washout: { drugClass: 'CORTICOSTEROID', lastDoseDate: addDays(today, 1) } });
      expect(result.errors![0]).toMatchObject({
        message: expect.stringMatching(new RegExp(`^The last corticosteroid dose is given as ${addDays(today, 1)}, after today \\(${today}\\)\\. Give the day the last dose was actually given`)),
        extensions: { code: 'BAD_USER_INPUT', field: 'washout.lastDoseDate' },
      });
      expect(await recorded(`pathway-${coi}`)).toBe(0);
      expect((await api.gql(`query($coi: ID!) { pathway(coi: $coi) { coi } }`, { coi })).data!.pathway).toBeNull();
    });

    it('takes a last dose given today, and counts the washout from it', async () => {
      const result = await refer({ coi: newCoi(), washout: { drugClass: 'CORTICOSTEROID', lastDoseDate: today } });
      expect(result.errors).toBeUndefined();
      expect(result.data!.referPatient.earliestCollectionDate).toBe(addDays(today, 3));
    });

    it('refuses a referring trust that is not an organisation in the network, naming the field, and records nothing', async () => {
      const coi = newCoi();
      const result = await refer({ coi, referringTrust: 'RXQ' }, { role: 'control_site_qa', actor: 'qa.lead@control-site' });
      expect(result.errors![0]).toMatchObject({
        message: expect.stringMatching(/^RXQ is not the ODS code of a trust with a site in the network\. Check the code/),
        extensions: { code: 'BAD_USER_INPUT', field: 'referringTrust' },
      });
      expect(await recorded(`pathway-${coi}`)).toBe(0);
      // A scheduler whose token names a trust the network does not know is told the same, once they may act for it.
      const unknownTrust = await refer({ coi, referringTrust: 'RXQ' }, { role: 'scheduler', trusts: ['RXQ'], actor: 'coordinator@rxq' });
      expect(unknownTrust.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'referringTrust' });
      expect(await recorded(`pathway-${coi}`)).toBe(0);
    });

    it('applies the access rule first: a scheduler naming a trust not theirs is refused, known to the network or not', async () => {
      for (const trust of ['RRV', 'RXQ']) {
        const coi = newCoi();
        const result = await refer({ coi, referringTrust: trust });
        expect(result.errors![0]!.extensions.code).toBe('FORBIDDEN');
        expect(await recorded(`pathway-${coi}`)).toBe(0);
      }
    });

    it('still takes a referral from any trust with a site in the network', async () => {
      const result = await refer({ coi: newCoi(), referringTrust: 'RRV' }, { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' });
      expect(result.errors).toBeUndefined();
    });
  });

  describe('DMMF versions whose process could never produce a plan', () => {
    it.each([
      [
        'conditioning during manufacture that would have to start before manufacture does',
        { ...fresh, conditioningDays: [-10, -9, -8], infusionWindowMinDays: 8, infusionWindowMaxDays: 8 },
        'conditioningDays',
        /^Conditioning during manufacture must start once manufacture has started, .* the first dose falls 10 days before infusion, before the 7-day manufacture starts\./,
      ],
      ['an infusion window that ends before it starts', { ...fresh, infusionWindowMinDays: 4, infusionWindowMaxDays: 2 }, 'infusionWindowMaxDays', /ends \(day 2\) before it starts \(day 4\)/],
      [
        'collection sessions that outlast the fresh hold',
        { ...fresh, apheresisSessions: 2, maxFreshHoldHours: 24 },
        'maxFreshHoldHours',
        /^2 collection sessions on consecutive days take at least 28 h .* longer than the 24 h fresh hold/,
      ],
      [
        'a frozen product that expires before it could be infused',
        { ...frozen, shelfLifeHours: 48 },
        'shelfLifeHours',
        /^A 48 h shelf life ends before any infusion: with release before conditioning, infusion is at least 18 days after manufacture ends/,
      ],
      ['re-conditioning due before the infusion window opens', { ...fresh, reconditionAfterDays: 2 }, 'reconditionAfterDays', /every patient would need conditioning twice/],
    ])('refuses %s with BAD_USER_INPUT naming the field, and records nothing', async (_what, process, field, message) => {
      const productCode = `BAD-${field.toUpperCase().slice(0, 12)}`;
      const result = await api.gql(PUBLISH, { input: { process: { ...process, productCode }, designation: { siteCodes: ['RBV01'], unitIds: [] }, reason: 'New product' } });
      expect(result.errors![0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', field } });
      expect((await api.gql(`{ dmmf(productCode: "${productCode}") { version } }`)).data!.dmmf).toBeNull();
      expect(await recorded(`dmmf-${productCode}`)).toBe(0);
    });

    it('publishes processes that can be planned, at the edge of each rule', async () => {
      for (const [productCode, process] of [
        // The first dose on the day manufacture starts: allowed once the batch is under way.
        ['EDGE-COND', { ...fresh, conditioningDays: [-7, -6, -5], infusionWindowMinDays: 5, infusionWindowMaxDays: 5 }],
        ['EDGE-HOLD', { ...fresh, apheresisSessions: 2, maxFreshHoldHours: 28 }],
        ['EDGE-SHELF', { ...frozen, shelfLifeHours: 18 * 24 }],
        ['EDGE-RECOND', { ...fresh, reconditionAfterDays: 3 }],
      ] as const) {
        const result = await api.gql(PUBLISH, { input: { process: { ...process, productCode }, designation: { siteCodes: ['RBV01'], unitIds: [] }, reason: 'New product' } });
        expect(result.errors).toBeUndefined();
      }
      // And the plan search does find plans for the first dose on the day manufacture starts.
      const referred = await refer({ productCode: 'EDGE-COND', treatmentCentre: 'RBV01' });
      expect(referred.errors).toBeUndefined();
      const plans = await api.gql(`query($coi: ID!) { planOptions(input: { coi: $coi }) { infusionDay conditioningDays steps { kind start } } }`, { coi: referred.data!.referPatient.coi }, AS_SCHEDULER);
      expect(plans.errors).toBeUndefined();
      expect(plans.data!.planOptions.length).toBeGreaterThan(0);
    });
  });
});
