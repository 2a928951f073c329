import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { NetworkReadModel } from '@bedside/network';
import { PlanOptions } from '@bedside/pathways';
import { carTCopyOf, carTQuestionOf, WHAT_IF_HORIZON_DAYS, WhatIfRun, type ScenarioAssumptions } from '@bedside/planning';
import { addDays, daysBetween } from '@bedside/shared';
import { numberFromEnv } from '../support/env';
import { formatRate } from '../support/format';
import { onInterrupt } from '../support/interrupt';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { openNetwork, type BenchNetwork } from '../scheduling/network';
import { BookingStats, schedulerFor } from '../scheduling/scheduler';

/**
 * bench:what-if (issue 13 §4): a year of national CAR-T demand (about 2,000 referrals over the demo network
 * scaled ×10, 100 centres) through the what-if (the real plan search on a copy of capacity), beside the
 * same referrals through the live booking path (refer, search, hold, confirm) measured in the same run on
 * the first of them. Target: the year in under 60 s on this machine.
 */
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const scale = numberFromEnv('BENCH_WHAT_IF_SCALE', 10, { min: 1 });
const referralsPerYear = numberFromEnv('BENCH_WHAT_IF_REFERRALS', 2000, { min: 10 });
const baselineReferrals = numberFromEnv('BENCH_WHAT_IF_BASELINE', 150, { min: 10 });

async function main(): Promise<void> {
  let network: BenchNetwork | undefined;
  onInterrupt(async () => {
    await network?.close();
  }, log);
  network = await openNetwork(scale, log);
  try {
    const machine = await describeMachine(network.database.url, ['libs/planning', 'libs/pathways']);
    log(`PostgreSQL ${machine.postgresVersion}; ${machine.cpuModel}, ${machine.cores} cores; Node ${machine.node}; ${scale}× demo network seeded in ${network.seedSeconds.toFixed(1)} s`);
    const reads = network.app.get(NetworkReadModel);
    const live = await reads.forSurgePlanning();
    const regions = new Map<string, number>();
    for (const [, region] of live.siteRegions) if (region && region !== 'EOE') regions.set(region, (regions.get(region) ?? 0) + 1);
    const sites = [...regions.values()].reduce((a, b) => a + b, 0);
    // Referrals in proportion to each region's centres; nine in ten for the fresh product.
    const perWeek = (referralsPerYear / 52) * 1;
    const assumptions = {
      name: 'A year of national CAR-T demand',
      asOf: network.today,
      days: 365,
      referralsPerWeek: [...regions].flatMap(([region, n]) => [
        { region, productCode: 'POC-CAR19', perWeek: (perWeek * 0.9 * n) / sites },
        { region, productCode: 'CRYO-CAR19', perWeek: (perWeek * 0.1 * n) / sites },
      ]),
      vaccineDemand: [],
      unitsAdded: [],
      unitsRemoved: [],
      outages: [],
      processChanges: [],
    } as unknown as ScenarioAssumptions;

    const t0 = performance.now();
    const copy = await carTCopyOf(network.app.get(PlanOptions), reads, assumptions, live.siteRegions);
    const copySeconds = (performance.now() - t0) / 1000;
    const { network: whatIf, referrals } = carTQuestionOf(assumptions, copy, 1);
    log(`what-if: ${referrals.length} referrals over ${sites} centres; copy of capacity read in ${copySeconds.toFixed(1)} s (${whatIf.slots.length} slots)`);
    const t1 = performance.now();
    const run = new WhatIfRun(whatIf, referrals, { attrition: 0.15, batchFailure: 0.04, horizonDays: WHAT_IF_HORIZON_DAYS, seed: 1, until: addDays(network.today, 364) });
    let steps = 0;
    while (run.step()) if (++steps % 500 === 0) log(`what-if: ${steps} searches`);
    const simulateSeconds = (performance.now() - t1) / 1000;
    const outcome = run.outcome();
    const whatIfSeconds = copySeconds + simulateSeconds;
    log(`what-if: ${steps} searches in ${simulateSeconds.toFixed(1)} s; infused ${outcome.infused}, lost ${outcome.lostAfterCollection}, waiting ${outcome.stillWaiting}; ${outcome.bottleneck}`);

    // The baseline: the first referrals through the live booking path, one scheduler, as the year would be booked.
    const stats = new BookingStats();
    const scheduler = schedulerFor(network, 'what-if-baseline', stats, { horizonDays: WHAT_IF_HORIZON_DAYS, retries: 3 });
    const sample = referrals.slice(0, baselineReferrals);
    const t2 = performance.now();
    for (const referral of sample) {
      await scheduler.referAndBook({ productCode: referral.productCode as 'POC-CAR19' | 'CRYO-CAR19', earliest: referral.day < network.today ? network.today : referral.day, treatmentCentre: referral.preferredCentre });
    }
    const liveSeconds = (performance.now() - t2) / 1000;
    const liveRate = sample.length / liveSeconds;
    const whatIfRate = referrals.length / whatIfSeconds;
    log(`live booking path: ${sample.length} referrals in ${liveSeconds.toFixed(1)} s = ${formatRate(liveRate)}/s (${stats.booked} booked); what-if ${formatRate(whatIfRate)}/s, ${(whatIfRate / liveRate).toFixed(1)}× the live path`);

    const body = [
      '## CAR-T what-if (npm run bench:what-if)',
      '',
      `Run ${new Date().toISOString().slice(0, 10)}: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgresVersion}; the ${scale}× demo network (${sites} treatment centres).`,
      '',
      `A year of CAR-T demand, ${referrals.length} referrals (Poisson, seed 1, nine in ten for the fresh product), through the what-if: the real plan search on a copy of live capacity, 15% attrition, 4% failed batches.`,
      '',
      '| | referrals | seconds | referrals/s |',
      '| :-- | --: | --: | --: |',
      `| what-if, whole year (copy ${copySeconds.toFixed(1)} s + simulation ${simulateSeconds.toFixed(1)} s) | ${referrals.length} | ${whatIfSeconds.toFixed(1)} | ${formatRate(whatIfRate)} |`,
      `| live booking path (refer, search, hold, confirm), first ${sample.length} | ${sample.length} | ${liveSeconds.toFixed(1)} | ${formatRate(liveRate)} |`,
      '',
      `- What-if ÷ live path: **${(whatIfRate / liveRate).toFixed(1)}×** the referrals per second; the year through the live path would take about ${Math.round(referrals.length / liveRate)} s.`,
      `- Target (issue 13 §4): the year in under 60 s on this machine: **${whatIfSeconds < 60 ? 'met' : 'not met'}** (${whatIfSeconds.toFixed(1)} s).`,
      `- Outcome: ${outcome.infused} infused, ${outcome.lostAfterCollection} lost after collection, ${outcome.failedBatches} failed batches, ${outcome.stillWaiting} still waiting at the end; ${outcome.bottleneck}`,
      `- ${steps} plan searches (failed batches and waits are planned again), ${daysBetween(network.today, addDays(network.today, 364)) + 1} days simulated.`,
    ].join('\n');
    await writeMarkdownSection(resolve(__dirname, '../../docs/benchmarks.md'), 'what-if', body);
    log('wrote docs/benchmarks.md (bench:what-if)');
  } finally {
    await network.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
