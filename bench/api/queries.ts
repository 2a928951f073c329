/**
 * The two requests the benchmark sends, word for word the same to both servers.
 * Dashboard: network KPIs (as the README's Kpis example asks them) and 50 sites with their utilisation
 * over four weeks. Scheduler: one pathway with its vein-to-vein timeline.
 */
export const DASHBOARD_QUERY = `query Dashboard($from: LocalDate!, $to: LocalDate!) {
  kpis(filter: {}) {
    timelines { productCode referringTrust treatmentSite month infused veinToVeinMedianDays veinToVeinP90Days referralToInfusionMedianDays referralToInfusionP90Days }
    pathwaysByStatus { status count }
    atRisk
    waitlist { length medianDaysWaiting longestDaysWaiting }
    utilisation { resource capacity committed tentative utilisation }
  }
  network {
    sites(first: 50, kind: HOSPITAL) {
      edges { node { code name status trustCode utilisation(from: $from, to: $to) { siteCode unitId resource capacity committed tentative utilisation } } }
    }
  }
}`;

export const SCHEDULER_QUERY = `query Patient($coi: ID!) {
  pathway(coi: $coi) {
    coi status productState patientState treatmentCentre
    timeline { kind status siteCode unitId start end doneAt slots { resourceKey day session } }
  }
}`;

/** Sites the dashboard lists (the benchmark seeds five copies of the ten demo centres). */
export const DASHBOARD_SITES = 50;
