import { replay } from '@bedside/shared';
import { atRiskFlagEvolver, decideAtRiskFlag, type AtRiskFlag, type AtRiskFlagEvent } from './at-risk-flag';

const COI = 'RBV-2027-000001-K';
const unitDown = 'Unit MU-1 is OUT_OF_SERVICE: Incubator alarm (unit:MU-1, 2027-03-01 to 2027-03-07)';
const postponed = 'the patient is postponed until 2027-03-10 (infection) but is booked in on 2027-03-02';

/** Given these reasons were seen one after another (each decided on the flag recorded so far), the flag recorded is... */
function given(...seen: (readonly string[])[]): { flag: AtRiskFlag; events: AtRiskFlagEvent[] } {
  const events: AtRiskFlagEvent[] = [];
  for (const reasons of seen) events.push(...decideAtRiskFlag(COI, replay(atRiskFlagEvolver, events), reasons));
  return { flag: replay(atRiskFlagEvolver, events), events };
}

describe('at-risk flags', () => {
  it('flags a pathway with its reasons when it is first seen at risk', () => {
    const { flag, events } = given([unitDown]);
    expect(events.map((e) => [e.type, e.data])).toEqual([['PathwayFlaggedAtRisk', { coi: COI, reasons: [unitDown] }]]);
    expect(flag).toEqual([unitDown]);
  });

  it('records nothing for a pathway never at risk, and nothing again for a flag already recorded with the same reasons', () => {
    expect(given([]).events).toEqual([]);
    // A second server (or a second look after a crash) sees what is recorded and records nothing more.
    expect(decideAtRiskFlag(COI, given([unitDown]).flag, [unitDown])).toEqual([]);
    // The same reasons in another order are the same flag.
    expect(decideAtRiskFlag(COI, given([unitDown, postponed]).flag, [postponed, unitDown])).toEqual([]);
  });

  it('flags it again when its reasons change while it stays at risk', () => {
    const { flag, events } = given([unitDown], [unitDown, postponed]);
    expect(events.map((e) => e.type)).toEqual(['PathwayFlaggedAtRisk', 'PathwayFlaggedAtRisk']);
    expect(flag).toEqual([unitDown, postponed]);
  });

  it('clears the flag once the booking holds again, once, and can flag it anew later', () => {
    const cleared = given([unitDown], []);
    expect(cleared.events.map((e) => [e.type, e.data])).toEqual([
      ['PathwayFlaggedAtRisk', { coi: COI, reasons: [unitDown] }],
      ['PathwayAtRiskCleared', { coi: COI }],
    ]);
    expect(cleared.flag).toBeNull();
    expect(decideAtRiskFlag(COI, cleared.flag, [])).toEqual([]);
    expect(given([unitDown], [], [postponed]).flag).toEqual([postponed]);
  });
});
