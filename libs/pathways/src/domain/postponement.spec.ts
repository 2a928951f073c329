import { NOT_STARTED, type Progress } from './lifecycle';
import { pathwayEvolver, postponedDates, postponePatient, type Pathway } from './pathway';

const pathway = (progress: Partial<Progress> = {}): Pathway => ({
  coi: 'G1234567890123Q',
  referringTrust: 'RBV',
  productCode: 'POC-CAR19',
  dmmfVersion: 1,
  status: 'BOOKED',
  holdId: 'h1',
  progress: { ...NOT_STARTED, ...progress },
  waitlisted: false,
  earliestCollectionDate: '2027-03-01',
  postponedUntil: null,
  stayDistrict: 'M20',
  steps: [],
  version: 5,
});

describe('postponing a patient', () => {
  it('moves the first collection day while nothing is collected, and only the patient’s day once it is', () => {
    const [event] = postponePatient(pathway(), 'G1234567890123Q', '2027-03-15', 'Chest infection', '2027-02-20');
    const after = pathwayEvolver.evolve(pathway(), event!)!;
    expect(after).toMatchObject({ earliestCollectionDate: '2027-03-15', postponedUntil: '2027-03-15' });
    expect(postponedDates('2027-03-01', { ...NOT_STARTED, product: 'COLLECTED' }, '2027-03-15')).toEqual({ earliestCollectionDate: '2027-03-01', postponedUntil: '2027-03-15' });
    // A shorter postponement than the washout leaves the washout in charge.
    expect(postponedDates('2027-03-20', NOT_STARTED, '2027-03-15').earliestCollectionDate).toBe('2027-03-20');
  });

  it('is refused once conditioning has started, for a day not after today, and without a reason', () => {
    expect(() => postponePatient(pathway({ patient: 'CONDITIONING' }), 'G1234567890123Q', '2027-03-15', 'Unwell', '2027-02-20')).toThrow(
      expect.objectContaining({ code: 'STEP_OUT_OF_ORDER', message: expect.stringMatching(/conditioning has started/) }),
    );
    expect(() => postponePatient(pathway(), 'G1234567890123Q', '2027-02-20', 'Unwell', '2027-02-20')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => postponePatient(pathway(), 'G1234567890123Q', '2027-03-15', ' ', '2027-02-20')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => postponePatient(undefined, 'G1234567890123Q', '2027-03-15', 'Unwell', '2027-02-20')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
